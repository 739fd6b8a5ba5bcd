"""The console's API tab: GraphiQL, served from vendored static files, pointed at the GraphQL endpoint."""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from console.views.common import console_page

GRAPHQL_ENDPOINT = "/v1/graphql"
ADMIN_SECRET_HEADER = "X-Hasura-Admin-Secret"


def initial_request_headers(user) -> dict[str, str]:
    """The headers the editor starts with: the admin secret, for staff only and only when one is set."""
    if settings.ADMIN_SECRET and (user.is_staff or user.is_superuser):
        return {ADMIN_SECRET_HEADER: settings.ADMIN_SECRET}
    return {}


def graphiql_config(request: HttpRequest) -> dict[str, str | None]:
    """What the init script needs: endpoint, CSRF token, the header editor's text and an optional query."""
    return {
        "endpoint": GRAPHQL_ENDPOINT,
        "csrfToken": get_token(request),
        "headers": json.dumps(initial_request_headers(request.user), indent=2),
        "query": request.GET.get("query"),
    }


# never_cache: for staff the page carries the admin secret, which no cache may keep.
@never_cache
@console_page
def api_page(request: HttpRequest) -> HttpResponse:
    """GraphiQL with the explorer plugin and a request-headers editor, filling the page under the top bar."""
    return render(request, "console/api.html", {"graphiql_config": graphiql_config(request)})
