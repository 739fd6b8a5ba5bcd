"""Top-level URL map: metadata API, query API, Django admin and the console."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from console import api_views, graphql_view, views
from relationships.api import MetadataApi, QueryApi

urlpatterns = [
    path("v1/metadata", csrf_exempt(MetadataApi.as_view())),
    path("v2/query", csrf_exempt(QueryApi.as_view())),
    path("v1/graphql", graphql_view.graphql),
    path("admin/", admin.site.urls),
    path("console/api", api_views.api_page, name="console-api"),
    path("console/", include("console.urls_console")),
    path("demo/", include("console.demo.urls")),
    path("", views.home, name="console-home"),
]
