"""Activity pages (activity/views.py): the member's own activity and the staff do-ocracy board."""

from django.urls import path

from . import views

BOARD = "staff/challenges/<slug:slug>/doocracy/"

urlpatterns = [
    path("me/activity/", views.my_activity, name="my_activity"),
    path("staff/doocracy/", views.doocracy_index, name="doocracy_index"),
    path(BOARD, views.doocracy_board, name="doocracy_board"),
    path(f"{BOARD}warnings/<int:pk>/confirm/", views.removal_confirm_view, name="doocracy_removal_confirm"),
    path(f"{BOARD}warnings/<int:pk>/cancel/", views.removal_cancel_view, name="doocracy_removal_cancel"),
    path(f"{BOARD}excuses/<int:pk>/decide/", views.excuse_decide_view, name="doocracy_excuse_decide"),
    path(f"{BOARD}sync/", views.sync_now, name="doocracy_sync"),
]
