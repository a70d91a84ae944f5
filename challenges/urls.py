from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<slug:slug>/lifecycle/<slug:action>/", views.challenge_transition, name="challenge_transition"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
]
