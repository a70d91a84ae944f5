"""Task-team pages (challenges/task_views.py)."""

from django.urls import path

from . import task_views

TASK = "challenges/<slug:slug>/tasks/<int:pk>/"

urlpatterns = [
    path("me/tasks/", task_views.my_tasks, name="my_tasks"),
    path("challenges/<slug:slug>/tasks/", task_views.task_list, name="task_list"),
    path(TASK, task_views.task_detail, name="task_detail"),
    path(f"{TASK}decide/", task_views.task_decide, name="task_decide"),
    path(f"{TASK}join/", task_views.task_join_view, name="task_join"),
    path(f"{TASK}leave/", task_views.task_leave_view, name="task_leave"),
    path(f"{TASK}leaders/", task_views.task_leader_view, name="task_leader"),
    path(f"{TASK}close/", task_views.task_close_view, name="task_close"),
    path(f"{TASK}reports/<int:week>/", task_views.report_form, name="task_report"),
    path(f"{TASK}meetings/", task_views.task_meetings, name="task_meetings"),
    path(f"{TASK}meetings/<int:meeting_id>/attendance/", task_views.attendance_form, name="task_attendance"),
]
