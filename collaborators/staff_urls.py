"""Staff pages of the review queue (mounted at /staff/)."""

from django.urls import path

urlpatterns: list = []
