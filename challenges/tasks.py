"""Celery tasks of the challenges app: thin, safe to run twice (the outbox sends once per key)."""

from celery import shared_task
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from collaborators.enums import ACTIVE_SEAT_STATES
from notifications.enums import Channel
from notifications.services import outbox_enqueue
from omdena.site import absolute_url

from .enums import ChallengeStatus, TaskRole, TaskStatus
from .models import Challenge, Task, TaskMember


def report_reminders_send() -> int:
    """Remind each leader of an active task whose report for the last finished week is missing; once per week.

    Week 1 has no finished week before it, so reminders start in week 2. The outbox key makes a second run
    (a retried beat, a manual run) send nothing new. Returns how many leaders have a report missing.
    """
    due = 0
    for challenge in Challenge.objects.filter(status=ChallengeStatus.RUNNING, start_date__isnull=False):
        week = challenge.week()
        if week is None or week.number < 2:
            continue
        last_week = min(week.number - 1, week.total)
        tasks = (
            Task.objects.filter(challenge=challenge, status=TaskStatus.ACTIVE)
            .exclude(reports__week=last_week)
            .prefetch_related(
                Prefetch(
                    "task_members",
                    queryset=TaskMember.objects.filter(
                        role=TaskRole.LEADER, membership__status__in=ACTIVE_SEAT_STATES
                    ).select_related("membership__person"),
                    to_attr="leaders",
                )
            )
        )
        for task in tasks:
            url = absolute_url(reverse("task_report", args=[challenge.slug, task.pk, last_week]))
            for leader in task.leaders:
                person = leader.membership.person
                with transaction.atomic():
                    outbox_enqueue(
                        recipient=person,
                        template="report_reminder",
                        # One reminder per task and week; the person id keeps co-leaders' messages apart.
                        key=f"report-reminder:{task.pk}:{last_week}:{person.pk}",
                        context={
                            "challenge_title": challenge.title,
                            "task_title": task.title,
                            "week": last_week,
                            "url": url,
                        },
                        channels=(Channel.EMAIL,),
                    )
                due += 1
    return due


@shared_task(acks_late=True)
def remind_missing_reports() -> int:
    """Weekly (beat, Monday morning UTC): leaders whose last week's report is missing get one reminder."""
    return report_reminders_send()
