from django.urls import path

from . import interview_views, views

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/challenges/", views.my_challenges, name="my_challenges"),
    path("me/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("me/applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("challenges/<slug:slug>/apply/", views.apply, name="apply"),
    # Interviews (collaborators/interview_views.py)
    path("me/interviews/<int:pk>/", interview_views.interview_respond, name="interview_respond"),
    path("me/interviews/<int:pk>/confirm/", interview_views.interview_confirm, name="interview_confirm"),
    path("me/interviews/<int:pk>/other-time/", interview_views.interview_other_time, name="interview_other_time"),
    path("interviews/<int:pk>/invite.ics", interview_views.interview_ics, name="interview_ics"),
]
