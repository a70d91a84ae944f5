from django.urls import path

from . import views

urlpatterns = [
    path("<str:code>/", views.landing, name="referral_landing"),
]
