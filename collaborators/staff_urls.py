"""Staff pages of the review queue (mounted at /staff/)."""

from django.urls import path

from . import staff_views

app_name = "staff"

urlpatterns = [
    path("applications/", staff_views.queue, name="queue"),
    path("applications/bulk/", staff_views.queue_bulk, name="queue_bulk"),
    path("applications/export.csv", staff_views.queue_export, name="queue_export"),
    path("applications/<int:pk>/", staff_views.application_review, name="application"),
    path("applications/<int:pk>/review/", staff_views.application_review_action, name="application_action"),
    path("applications/<int:pk>/score/", staff_views.application_score, name="application_score"),
    path("applications/<int:pk>/move/", staff_views.application_move, name="application_move"),
]
