"""Celery tasks of the collaborators app: thin, they load by id and call one function."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .notifications import MESSAGES


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_application_email(application_id: int, kind: str) -> None:
    from .models import Application

    application = Application.objects.select_related("person", "challenge").get(pk=application_id)
    subject, message = MESSAGES[kind]
    context = {
        "application": application,
        "person": application.person,
        "challenge": application.challenge,
        "subject": subject,
        "message": message,
        "dashboard_url": settings.SITE_URL.rstrip("/") + reverse("dashboard"),
    }
    email = EmailMultiAlternatives(
        subject=f"{subject}: {application.challenge.title}",
        body=render_to_string("emails/application_update.txt", context),
        to=[application.person.email],
    )
    email.attach_alternative(render_to_string("emails/application_update.html", context), "text/html")
    email.send()
