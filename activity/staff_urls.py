"""Staff pages of onboarding (mounted at /staff/onboarding/)."""

from django.urls import path

from . import staff_views

app_name = "staff_onboarding"

urlpatterns = [
    path("", staff_views.steps, name="steps"),
    path("<int:pk>/retry/", staff_views.step_retry, name="retry"),
    path("retry-failed/", staff_views.failed_retry, name="retry_failed"),
]
