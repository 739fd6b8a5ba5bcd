"""URLs of the demo's action handlers and remote GraphQL services (none when ``DEMO`` is off)."""

from django.conf import settings
from django.urls import path

from console.demo import handlers, remote_services

urlpatterns = (
    [
        path("actions/createUser", handlers.create_user, name="demo-create-user"),
        path("actions/updateAuthor", handlers.update_author, name="demo-update-author"),
        path("actions/insertAuthor", handlers.insert_author, name="demo-insert-author"),
        path("graphql/orders", remote_services.orders_endpoint, name="demo-graphql-orders"),
        path("graphql/auth0", remote_services.auth0_endpoint, name="demo-graphql-auth0"),
    ]
    if settings.DEMO
    else []
)
