from django.urls import path

from . import views

urlpatterns = [
    path("me/notifications/", views.my_notifications, name="my_notifications"),
    path("staff/outbox/", views.staff_outbox, name="staff_outbox"),
    path("staff/outbox/<int:pk>/retry/", views.staff_outbox_retry, name="staff_outbox_retry"),
]
