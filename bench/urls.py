from django.urls import include, path

from bench import floor

urlpatterns = [
    path("floor/tasks/", floor.tasks),
    path("floor/progress-entries/", floor.progress_entries),
    path("floor/indicators/", floor.indicators),
    path("", include("config.urls")),
]
