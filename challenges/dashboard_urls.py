from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("challenges/<slug:slug>/progress/", dashboard_views.progress_dashboard, name="client_progress"),
    path(
        "challenges/<slug:slug>/progress/export.md",
        dashboard_views.progress_export_markdown,
        name="client_progress_markdown",
    ),
    path(
        "challenges/<slug:slug>/progress/export.csv",
        dashboard_views.progress_export_csv,
        name="client_progress_csv",
    ),
]
