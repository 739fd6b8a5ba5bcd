"""Top-level URL map: metadata API, query API, Django admin and the console."""

from django.contrib import admin
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from console import views
from relationships.api import MetadataApi, QueryApi

urlpatterns = [
    path("v1/metadata", csrf_exempt(MetadataApi.as_view())),
    path("v2/query", csrf_exempt(QueryApi.as_view())),
    path("admin/", admin.site.urls),
    path("", views.home, name="console-home"),
]
