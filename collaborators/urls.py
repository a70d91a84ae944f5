from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("me/applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("challenges/<slug:slug>/apply/", views.apply, name="apply"),
]
