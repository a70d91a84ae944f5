"""Celery tasks of the collaborators app: thin, each calls one service and is safe to run twice."""

from celery import shared_task

from .services.interviews import interview_send_due_reminders


@shared_task(acks_late=True)
def send_interview_reminders() -> int:
    """Beat, every 15 minutes: the day-before reminder of each scheduled interview, exactly once."""
    return interview_send_due_reminders()
