"""`seed_demo` fills the running challenges with task teams, reports and meetings, once."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from challenges.enums import MeetingKind, TaskRole, TaskStatus
from challenges.models import Attendance, Challenge, Meeting, Task, TaskMember, WeeklyReport
from collaborators.enums import MembershipStatus
from collaborators.models import Membership

pytestmark = pytest.mark.django_db

FLOOD = "flood-risk-early-warning-for-nairobi"


def task_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Task, TaskMember, WeeklyReport, Meeting, Attendance, Membership, AuditEntry)
    }


def test_seed_demo_twice_gives_one_set_of_task_teams(fake_github, fake_slack):
    call_command("seed_demo", stdout=io.StringIO())
    first = task_counts()
    call_command("seed_demo", stdout=io.StringIO())

    assert task_counts() == first

    flood = Challenge.objects.get(slug=FLOOD)
    assert flood.week().number == 5
    assert Membership.objects.filter(challenge=flood, status=MembershipStatus.ACTIVE).count() >= 10
    statuses = sorted(flood.tasks.values_list("status", flat=True))
    assert statuses == [TaskStatus.ACTIVE] * 3 + [TaskStatus.PROPOSED]
    # The demo leader leads a task; the demo collaborator is in one.
    assert TaskMember.objects.filter(
        task__challenge=flood, membership__person__email="leader@demo.omdena.test", role=TaskRole.LEADER
    ).exists()
    assert TaskMember.objects.filter(
        task__challenge=flood, membership__person__email="collaborator@demo.omdena.test"
    ).exists()
    # Every active task has a report for each week so far, filed in the past.
    for task in flood.tasks.filter(status=TaskStatus.ACTIVE):
        assert list(task.reports.values_list("week", flat=True)) == [1, 2, 3, 4, 5]
        assert task.task_members.filter(role=TaskRole.LEADER).exists()
    assert not WeeklyReport.objects.filter(submitted_at__gt=timezone.now()).exists()
    # A task call per task, an all-hands and a client meeting per week; most people attend past meetings.
    for week in range(1, 6):
        kinds = sorted(Meeting.objects.filter(challenge=flood, week=week).values_list("kind", flat=True))
        assert kinds == sorted([MeetingKind.ALL_HANDS, MeetingKind.CLIENT] + [MeetingKind.TASK_CALL] * 3)
    attended = Attendance.objects.filter(meeting__challenge=flood)
    assert attended.filter(attended=True).count() > attended.filter(attended=False).count() > 0
    assert not Attendance.objects.filter(meeting__starts_at__gt=timezone.now()).exists()
    assert not AuditEntry.objects.filter(verb__startswith="task.", created_at__gt=timezone.now()).exists()
    # The second running challenge has its teams too.
    assert Task.objects.filter(challenge__slug="air-quality-forecasting-for-delhi").count() == 3
