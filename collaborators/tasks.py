"""Celery tasks of the collaborators app: thin, each calls one service and is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.interviews import interview_send_due_reminders


@shared_task(acks_late=True)
def send_interview_reminders() -> int:
    """Beat, every 15 minutes: the day-before reminder of each scheduled interview, exactly once."""
    return interview_send_due_reminders()


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def issue_completion_rewards(challenge_id: int, by_id: int | None = None) -> int:
    """After a challenge completes: each completed seat's certificate, referral code and message. Safe to repeat
    (a retry or a second run issues only what is missing); staff see the count on the challenge page."""
    from challenges.models import Challenge

    from .models import User
    from .services.completion import completion_rewards_issue

    challenge = Challenge.objects.get(pk=challenge_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return completion_rewards_issue(challenge=challenge, by=by).certificates
