"""Top-level URL map: metadata API, query API, Django admin and the console."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
