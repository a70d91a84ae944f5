"""Emails to applicants about their application, sent by a task after the change commits."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "submitted": (
        _("We received your application"),
        _("Your application is in the queue. Your dashboard shows your place and an estimate of the wait."),
    ),
    "shortlisted": (
        _("You are shortlisted"),
        _("Good news: you are shortlisted. We will invite you to a short video interview; watch your email."),
    ),
    "interview_scheduled": (_("Your interview is scheduled"), _("Your interview is scheduled.")),
    "interviewed": (_("Thank you for the interview"), _("Thank you for the interview. We will decide soon.")),
    "accepted": (
        _("You are accepted"),
        _("Welcome aboard! You have a seat in the challenge. Next: join its Slack channel and GitHub repositories."),
    ),
    "waitlisted": (
        _("You are on the waitlist"),
        _("The challenge is full for now. You are on the waitlist and will get a seat if one frees up."),
    ),
    "rejected": (
        _("About your application"),
        _(
            "Thank you for applying. We could not offer you a seat this time; "
            "you are welcome to apply to future challenges."
        ),
    ),
    "withdrawn": (
        _("Your application is withdrawn"),
        _("You withdrew your application. You can apply again to other challenges."),
    ),
    "transferred": (
        _("Your application moved to another challenge"),
        _("Our staff moved your application to a challenge that fits you better. You keep your place in the queue."),
    ),
}


def notify_application(*, application, kind: str) -> None:
    """Queue the email for after the commit, so a rolled-back change never sends anything."""
    from .tasks import send_application_email

    application_id = application.pk
    transaction.on_commit(lambda: send_application_email.delay(application_id, kind))
