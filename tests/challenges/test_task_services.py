"""Task teams through the services and the permission predicates: propose, approve, lead, report, attend, remind."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from challenges.enums import ChallengeStatus, MeetingKind, TaskRole, TaskStatus
from challenges.models import Attendance, TaskMember, WeeklyReport
from challenges.task_services import (
    attendance_record,
    meeting_create,
    report_file,
    task_approve,
    task_join,
    task_leave,
    task_propose,
    task_set_leader,
)
from challenges.tasks import remind_missing_reports
from collaborators.enums import MembershipRole, MembershipStatus, RemovalReason
from collaborators.services.memberships import membership_remove
from omdena import permissions
from tests.challenges.conftest import START, WEEK_3_MONDAY  # fixtures in_week_3, challenge: conftest
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_week_3")]


@pytest.fixture
def member(challenge):
    return MembershipFactory(person=UserFactory(display_name="Mia Member"), challenge=challenge)


@pytest.fixture
def task(challenge, member, staff):
    """An approved task that its proposer (the member) leads."""
    proposed = task_propose(challenge=challenge, by=member.person, title="Data pipeline", goal="Clean the gauges.")
    return task_approve(task=proposed, by=staff)


def _report(**fields):
    return {
        "summary": "Cleaned two stations.",
        "progress": "",
        "insights": "",
        "blockers": "",
        "next_steps": "",
    } | fields


# --- Who may propose and approve ---------------------------------------------------------------------------


def test_an_active_member_of_a_running_challenge_proposes_and_joins_the_task(challenge, member):
    assert permissions.can_propose_task(member.person, challenge)

    task = task_propose(challenge=challenge, by=member.person, title=" Data pipeline ", goal="Clean the data.")

    assert task.status == TaskStatus.PROPOSED
    assert task.title == "Data pipeline"
    assert list(task.task_members.values_list("membership", "role")) == [(member.pk, TaskRole.MEMBER)]


def test_outsiders_removed_members_and_members_of_a_challenge_not_running_may_not_propose(challenge, member, staff):
    outsider = UserFactory()
    removed = MembershipFactory(challenge=challenge, status=MembershipStatus.REMOVED)
    completed = ChallengeFactory(status=ChallengeStatus.COMPLETED, start_date=START)
    alumnus = MembershipFactory(challenge=completed)

    assert not permissions.can_propose_task(outsider, challenge)
    assert not permissions.can_propose_task(removed.person, challenge)
    assert not permissions.can_propose_task(alumnus.person, completed)
    with pytest.raises(ValidationError):
        task_propose(challenge=completed, by=alumnus.person, title="Late idea", goal="Too late.")
    assert not completed.tasks.exists()


def test_a_title_is_unique_in_its_challenge(challenge, member):
    task_propose(challenge=challenge, by=member.person, title="Data pipeline", goal="One.")

    with pytest.raises(ValidationError) as refused:
        task_propose(challenge=challenge, by=member.person, title="Data pipeline", goal="Two.")

    assert "title" in refused.value.message_dict


def test_staff_and_the_project_manager_approve_members_do_not(challenge, member, staff):
    manager = MembershipFactory(challenge=challenge, role=MembershipRole.PROJECT_MANAGER)

    assert permissions.can_approve_task(staff, challenge)
    assert permissions.can_approve_task(manager.person, challenge)
    assert not permissions.can_approve_task(member.person, challenge)


def test_approval_makes_the_proposer_the_leader(task, member):
    assert task.status == TaskStatus.ACTIVE
    assert permissions.is_task_leader(member.person, task)
    assert permissions.can_lead_task(member.person, task)


# --- Joining, leaving, leading ----------------------------------------------------------------------------


def test_members_join_once_and_leave(task, challenge):
    other = MembershipFactory(challenge=challenge)

    task_join(task=task, by=other.person)
    task_join(task=task, by=other.person)
    assert TaskMember.objects.filter(task=task, membership=other).count() == 1

    task_leave(task=task, by=other.person)
    assert not TaskMember.objects.filter(task=task, membership=other).exists()


def test_removed_members_cannot_join(task, challenge):
    removed = MembershipFactory(challenge=challenge, status=MembershipStatus.REMOVED)

    with pytest.raises(ValidationError):
        task_join(task=task, by=removed.person)


def test_staff_appoint_a_leader_and_a_removed_leader_stops_leading(
    task, challenge, staff, django_capture_on_commit_callbacks
):
    other = MembershipFactory(challenge=challenge)
    task_set_leader(task=task, membership=other, by=staff)
    assert permissions.is_task_leader(other.person, task)

    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(membership=other, by=staff, reason=RemovalReason.LEFT)

    assert TaskMember.objects.get(task=task, membership=other).role == TaskRole.MEMBER
    assert not permissions.can_lead_task(other.person, task)
    assert AuditEntry.objects.filter(verb="task.leader_removed").exists()


def test_a_removed_person_cannot_be_appointed(task, challenge, staff):
    removed = MembershipFactory(challenge=challenge, status=MembershipStatus.REMOVED)

    with pytest.raises(ValidationError):
        task_set_leader(task=task, membership=removed, by=staff)


# --- Weekly reports ---------------------------------------------------------------------------------------


def test_a_second_filing_for_the_same_week_updates_the_report(task, member):
    report_file(task=task, week=2, by=member.person, data=_report())
    report_file(task=task, week=2, by=member.person, data=_report(summary="Cleaned three stations."))

    assert WeeklyReport.objects.filter(task=task).count() == 1
    assert WeeklyReport.objects.get(task=task, week=2).summary == "Cleaned three stations."


def test_a_week_that_has_not_started_is_refused(task, member):
    with pytest.raises(ValidationError) as refused:
        report_file(task=task, week=4, by=member.person, data=_report())

    assert "week" in refused.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_an_edit_after_the_client_meeting_is_audited_as_late(task, member, staff, challenge, in_week_3):
    meeting_create(
        challenge=challenge, by=staff, week=3, kind=MeetingKind.CLIENT, starts_at=WEEK_3_MONDAY + dt.timedelta(hours=6)
    )
    report = report_file(task=task, week=3, by=member.person, data=_report())
    report_file(task=task, week=3, by=member.person, data=_report(blockers="No GPU."))
    assert not AuditEntry.objects.filter(verb="report.late_edit").exists()

    in_week_3.move_to(WEEK_3_MONDAY + dt.timedelta(hours=7))
    report_file(task=task, week=3, by=member.person, data=_report(blockers="No GPU, and no data."))

    late = AuditEntry.objects.get(verb="report.late_edit")
    assert late.object_id == str(report.pk)
    assert late.note == "blockers"


# --- Meetings and attendance ------------------------------------------------------------------------------


def test_attendance_is_one_row_per_member_per_meeting_and_rerecording_overwrites(task, member, challenge, staff):
    other = MembershipFactory(challenge=challenge)
    meeting = meeting_create(challenge=challenge, by=staff, week=3, starts_at=WEEK_3_MONDAY, task=task)

    attendance_record(meeting=meeting, by=member.person, present=[member], absent=[other])
    attendance_record(meeting=meeting, by=member.person, present=[member, other])

    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("membership_id", "attended"))
    assert rows == {member.pk: True, other.pk: True}


def test_attendance_of_someone_from_another_challenge_is_refused(task, challenge, staff):
    stranger = MembershipFactory()
    meeting = meeting_create(challenge=challenge, by=staff, week=3, starts_at=WEEK_3_MONDAY, task=task)

    with pytest.raises(ValidationError):
        attendance_record(meeting=meeting, by=staff, present=[stranger])

    assert not Attendance.objects.exists()


# --- Reminders --------------------------------------------------------------------------------------------


def test_leaders_with_last_weeks_report_missing_get_one_reminder(
    task, member, challenge, staff, django_capture_on_commit_callbacks
):
    co_leader = MembershipFactory(challenge=challenge, person=UserFactory(display_name="Cole Leader"))
    task_set_leader(task=task, membership=co_leader, by=staff)
    reported = task_approve(
        task=task_propose(challenge=challenge, by=co_leader.person, title="Dashboard", goal="Show it."), by=staff
    )
    report_file(task=reported, week=2, by=co_leader.person, data=_report())
    task_propose(challenge=challenge, by=member.person, title="Not approved yet", goal="Wait.")

    with django_capture_on_commit_callbacks(execute=True):
        remind_missing_reports.delay()
    with django_capture_on_commit_callbacks(execute=True):
        remind_missing_reports.delay()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([member.person.email, co_leader.person.email])
    assert all("Week 2 report for “Data pipeline”" in message.subject for message in mail.outbox)
    assert f"/challenges/floods/tasks/{task.pk}/reports/2/" in mail.outbox[0].body


def test_no_reminder_in_week_1_or_once_the_report_is_filed(task, member, in_week_3, django_capture_on_commit_callbacks):
    in_week_3.move_to(dt.datetime(2026, 10, 6, 8, 0, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        remind_missing_reports.delay()
    assert mail.outbox == []

    in_week_3.move_to(WEEK_3_MONDAY)
    report_file(task=task, week=2, by=member.person, data=_report())
    with django_capture_on_commit_callbacks(execute=True):
        remind_missing_reports.delay()
    assert mail.outbox == []
