"""The Celery app: Redis broker, JSON only, tasks discovered in every app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omdena.settings.dev")

app = Celery("omdena")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
