from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tracker.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),  # /api/v1/, /api/schema/, /api/docs/
]
