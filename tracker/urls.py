"""The web UI for department staff and leaders (mounted at the site root)."""

from django.urls import path

app_name = "ui"

urlpatterns: list = []
