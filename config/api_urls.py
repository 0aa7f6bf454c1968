"""The API's URLs, mounted at /api/ by config/urls.py.

/api/v1/…     the resources (a later, incompatible version would live beside it as v2)
/api/schema/  the OpenAPI 3 document
/api/docs/    Swagger UI, served from our own static files (drf-spectacular-sidecar)
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from tracker.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("plans", views.PlanViewSet, basename="plan")
router.register("areas", views.AreaViewSet, basename="area")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("progress-entries", views.ProgressEntryViewSet, basename="progressentry")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("users", views.UserViewSet, basename="user")
router.register("reminders", views.ReminderViewSet, basename="reminder")

v1 = [
    *router.urls,
    path("me/", views.MeView.as_view(), name="me"),
]

urlpatterns = [
    path("v1/", include((v1, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads Swagger UI's start-up script as a file, not inline, so the
    # Content-Security-Policy (script-src 'self') lets it run.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
