from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from tracker.admin_import import import_report_view

# A plain error page with the request id (JSON under /api/); 503 when the database is away.
handler500 = "config.middleware.server_error"
handler404 = "config.middleware.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # answered early by config.health's middleware
    path("", include("tracker.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before admin.site.urls, whose catch-all would otherwise answer this path.
    path("admin/import-report/", admin.site.admin_view(import_report_view),
         name="import_report"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),  # /api/v1/, /api/schema/, /api/docs/
]
