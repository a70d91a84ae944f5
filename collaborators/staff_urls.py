"""Staff pages of the review queue (mounted at /staff/)."""

from django.urls import path

from . import community_views, interview_views, selection_views, staff_views

app_name = "staff"

urlpatterns = [
    path("challenges/<slug:slug>/selection/", selection_views.selection, name="selection"),
    path("challenges/<slug:slug>/selection/<int:pk>/", selection_views.selection_decide, name="selection_decide"),
    path("applications/", staff_views.queue, name="queue"),
    path("applications/bulk/", staff_views.queue_bulk, name="queue_bulk"),
    path("applications/export.csv", staff_views.queue_export, name="queue_export"),
    path("applications/<int:pk>/", staff_views.application_review, name="application"),
    path("applications/<int:pk>/review/", staff_views.application_review_action, name="application_action"),
    path("applications/<int:pk>/score/", staff_views.application_score, name="application_score"),
    path("applications/<int:pk>/move/", staff_views.application_move, name="application_move"),
    # Interviews (collaborators/interview_views.py)
    path("applications/<int:pk>/interview/offer/", interview_views.interview_offer, name="interview_offer"),
    path("applications/<int:pk>/interview/schedule/", interview_views.interview_set_time, name="interview_schedule"),
    path("interviews/<int:pk>/reschedule/", interview_views.interview_reschedule_view, name="interview_reschedule"),
    path("interviews/<int:pk>/cancel/", interview_views.interview_cancel_view, name="interview_cancel"),
    path("interviews/<int:pk>/scorecard/", interview_views.interview_scorecard, name="interview_scorecard"),
    path("interviews/<int:pk>/no-show/", interview_views.interview_no_show, name="interview_no_show"),
    # Community tiers (collaborators/community_views.py)
    path("tiers/", community_views.staff_tiers, name="tiers"),
    path("tiers/<int:pk>/grant/", community_views.staff_tier_grant, name="tier_grant"),
]
