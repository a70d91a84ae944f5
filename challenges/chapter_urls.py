"""Chapter pages (challenges/chapter_views.py), mounted at /chapters/."""

from django.urls import path

from . import chapter_views

urlpatterns = [
    path("", chapter_views.chapter_list, name="chapter_list"),
    path("<slug:slug>/", chapter_views.chapter_detail, name="chapter_detail"),
    path("<slug:slug>/join/", chapter_views.chapter_join_view, name="chapter_join"),
    path("<slug:slug>/leave/", chapter_views.chapter_leave_view, name="chapter_leave"),
    path("<slug:slug>/members/", chapter_views.chapter_members, name="chapter_members"),
]
