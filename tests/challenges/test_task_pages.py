"""Task-team pages over HTTP: who sees what, the forms, and constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.enums import ChallengeStatus, MeetingKind, TaskStatus
from challenges.models import Attendance, Meeting, Task, WeeklyReport
from challenges.task_services import (
    attendance_record,
    meeting_create,
    report_file,
    task_approve,
    task_join,
    task_propose,
    task_set_leader,
)
from collaborators.enums import MembershipRole, MembershipStatus
from tests.challenges.conftest import START, WEEK_3_MONDAY  # fixtures in_week_3, challenge: conftest
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_week_3")]


@pytest.fixture
def leader(challenge):
    return MembershipFactory(
        challenge=challenge, person=UserFactory(display_name="Lea Leader", email="lea@example.org", country="GH")
    )


@pytest.fixture
def member(challenge):
    return MembershipFactory(
        challenge=challenge, person=UserFactory(display_name="Mo Member", email="mo@example.org", country="IN")
    )


@pytest.fixture
def task(challenge, leader, member, staff):
    """Active, led by `leader`, with `member` in the team."""
    proposed = task_propose(challenge=challenge, by=leader.person, title="Data pipeline", goal="Clean the gauges.")
    active = task_approve(task=proposed, by=staff)
    task_join(task=active, by=member.person)
    return active


def _url(name, task, *args):
    return reverse(name, args=[task.challenge.slug, task.pk, *args])


REPORT = {
    "summary": "Cleaned two stations.",
    "progress": "Stations 1–2.",
    "insights": "",
    "blockers": "",
    "next_steps": "",
}


# --- The task list ----------------------------------------------------------------------------------------


def test_members_staff_and_the_client_see_the_tasks_others_get_404(client, task, member, staff, client_user):
    url = reverse("task_list", args=["floods"])
    for user in (member.person, staff, client_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert "Data pipeline" in response.content.decode()
        assert "Lea Leader" in response.content.decode()

    for outsider in (
        UserFactory(),
        MembershipFactory(challenge=task.challenge, status=MembershipStatus.REMOVED).person,
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_the_client_reads_but_cannot_propose(client, task, client_user):
    client.force_login(client_user)

    response = client.get(reverse("task_list", args=["floods"]))
    assert "Propose a task" not in response.content.decode()

    response = client.post(reverse("task_list", args=["floods"]), {"title": "Mine", "goal": "Client idea."})
    assert response.status_code == 403


def test_a_member_proposes_a_task_on_the_page(client, challenge, member):
    client.force_login(member.person)

    response = client.post(
        reverse("task_list", args=["floods"]), {"title": "Labelling", "goal": "Label images.", "deliverables": "CSV"}
    )

    created = Task.objects.get(title="Labelling")
    assert response.status_code == 302
    assert response.url == _url("task_detail", created)
    assert created.status == TaskStatus.PROPOSED
    assert created.proposed_by == member.person


def test_a_duplicate_title_shows_a_field_error(client, task, member):
    client.force_login(member.person)

    response = client.post(reverse("task_list", args=["floods"]), {"title": "Data pipeline", "goal": "Again."})

    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert Task.objects.count() == 1


def test_members_of_a_challenge_that_is_not_running_cannot_propose(client):
    completed = ChallengeFactory(slug="done", status=ChallengeStatus.COMPLETED, start_date=START)
    alumnus = MembershipFactory(challenge=completed)
    client.force_login(alumnus.person)

    assert "Propose a task" not in client.get(reverse("task_list", args=["done"])).content.decode()
    response = client.post(reverse("task_list", args=["done"]), {"title": "Late", "goal": "Too late."})

    assert response.status_code == 403
    assert not Task.objects.exists()


def test_the_project_manager_approves_and_a_member_may_not(client, challenge, member):
    proposed = task_propose(challenge=challenge, by=member.person, title="Labelling", goal="Label images.")
    client.force_login(member.person)
    assert client.post(_url("task_decide", proposed), {"decision": "approve"}).status_code == 403
    assert "Approve" not in client.get(reverse("task_list", args=["floods"])).content.decode()

    manager = MembershipFactory(challenge=challenge, role=MembershipRole.PROJECT_MANAGER)
    client.force_login(manager.person)
    response = client.post(_url("task_decide", proposed), {"decision": "approve"})

    proposed.refresh_from_db()
    assert response.status_code == 302
    assert proposed.status == TaskStatus.ACTIVE


def test_staff_decline_a_proposal(client, challenge, member, staff):
    proposed = task_propose(challenge=challenge, by=member.person, title="Labelling", goal="Label images.")
    client.force_login(staff)

    client.post(_url("task_decide", proposed), {"decision": "decline"})

    proposed.refresh_from_db()
    assert proposed.status == TaskStatus.DECLINED


# --- The task page ----------------------------------------------------------------------------------------


def test_the_task_page_shows_names_and_countries_but_emails_only_to_staff(client, task, member, staff):
    client.force_login(member.person)
    html = client.get(_url("task_detail", task)).content.decode()
    assert "Lea Leader" in html and "Ghana" in html and "India" in html
    assert "lea@example.org" not in html and "mo@example.org" not in html

    client.force_login(staff)
    html = client.get(_url("task_detail", task)).content.decode()
    assert "lea@example.org" in html
    assert "Appoint as leader" in html


def test_a_member_joins_and_leaves_on_the_page(client, task, challenge):
    newcomer = MembershipFactory(challenge=challenge)
    client.force_login(newcomer.person)

    client.post(_url("task_join", task))
    assert task.task_members.filter(membership=newcomer).exists()

    client.post(_url("task_leave", task))
    assert not task.task_members.filter(membership=newcomer).exists()


def test_staff_appoint_and_step_down_a_leader_on_the_page(client, task, member, staff):
    client.force_login(staff)

    client.post(_url("task_leader", task), {"membership": member.pk, "action": "appoint"})
    assert task.task_members.get(membership=member).role == "leader"

    client.post(_url("task_leader", task), {"membership": member.pk, "action": "step_down"})
    assert task.task_members.get(membership=member).role == "member"


def test_only_staff_appoint_leaders(client, task, member):
    client.force_login(member.person)

    assert client.post(_url("task_leader", task), {"membership": member.pk}).status_code == 403


def test_staff_close_a_task_as_done(client, task, staff):
    client.force_login(staff)

    client.post(_url("task_close", task), {"status": "done"})

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_the_leader_sees_each_members_points_of_the_last_weeks(client, task, leader, member):
    from activity.models import WeeklyScore

    WeeklyScore.objects.create(
        membership=member,
        week="2026-W42",
        points=33,
        active=True,
        breakdown={"pr_opened": {"count": 2, "points": 20}, "message": {"count": 8, "points": 8}},
    )
    client.force_login(leader.person)

    html = client.get(_url("task_detail", task)).content.decode()

    assert "<strong>33</strong>" in html
    assert "2 PRs, 8 messages" in html


# --- The report form --------------------------------------------------------------------------------------


def test_the_leader_files_then_edits_the_weeks_report(client, task, leader):
    client.force_login(leader.person)
    url = _url("task_report", task, 3)

    assert client.get(url).status_code == 200
    response = client.post(url, REPORT, follow=True)
    assert "The report for week 3 is saved." in response.content.decode()
    client.post(url, REPORT | {"summary": "Cleaned three stations."})

    assert WeeklyReport.objects.filter(task=task).count() == 1
    assert WeeklyReport.objects.get(task=task).summary == "Cleaned three stations."
    assert client.get(url).context["form"].initial["summary"] == "Cleaned three stations."


def test_a_report_without_summary_shows_the_field_error(client, task, leader):
    client.force_login(leader.person)

    response = client.post(_url("task_report", task, 3), REPORT | {"summary": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["summary"]
    assert not WeeklyReport.objects.exists()


def test_a_future_week_is_refused(client, task, leader):
    client.force_login(leader.person)

    response = client.post(_url("task_report", task, 4), REPORT)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "This week has not started yet" in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_a_member_who_does_not_lead_gets_403_and_an_outsider_404(client, task, member):
    client.force_login(member.person)
    for url in (_url("task_report", task, 3), _url("task_meetings", task)):
        assert client.get(url).status_code == 403
        assert client.post(url, REPORT).status_code == 403

    client.force_login(UserFactory())
    for url in (_url("task_report", task, 3), _url("task_meetings", task), _url("task_detail", task)):
        assert client.get(url).status_code == 404
    assert not WeeklyReport.objects.exists()


def test_the_deadline_is_the_client_meeting_in_the_viewers_time_zone(client, task, leader, staff, challenge):
    leader.person.time_zone = "Africa/Accra"  # UTC+0
    leader.person.save(update_fields=["time_zone"])
    meeting_create(
        challenge=challenge,
        by=staff,
        week=3,
        kind=MeetingKind.CLIENT,
        starts_at=dt.datetime(2026, 10, 22, 14, 0, tzinfo=dt.UTC),
    )
    nairobi = MembershipFactory(challenge=challenge, person=UserFactory(time_zone="Africa/Nairobi"))
    task_set_leader(task=task, membership=nairobi, by=staff)

    client.force_login(leader.person)
    assert (
        "Thursday 22 October, 14:00</strong> (Africa/Accra)"
        in client.get(_url("task_report", task, 3)).content.decode()
    )
    client.force_login(nairobi.person)
    assert (
        "Thursday 22 October, 17:00</strong> (Africa/Nairobi)"
        in client.get(_url("task_report", task, 3)).content.decode()
    )


def test_a_late_edit_is_marked_on_the_task_page(client, task, leader, member, staff, challenge, in_week_3):
    meeting_create(
        challenge=challenge, by=staff, week=3, kind=MeetingKind.CLIENT, starts_at=WEEK_3_MONDAY + dt.timedelta(hours=2)
    )
    client.force_login(leader.person)
    client.post(_url("task_report", task, 3), REPORT)
    client.force_login(member.person)
    assert "Edited after the client meeting" not in client.get(_url("task_detail", task)).content.decode()

    in_week_3.move_to(WEEK_3_MONDAY + dt.timedelta(hours=3))
    client.force_login(leader.person)
    client.post(_url("task_report", task, 3), REPORT | {"blockers": "No GPU."})

    client.force_login(member.person)
    assert "Edited after the client meeting" in client.get(_url("task_detail", task)).content.decode()


# --- Meetings and attendance ------------------------------------------------------------------------------


def test_the_leader_plans_this_weeks_call_and_records_attendance(client, task, leader, member):
    client.force_login(leader.person)

    client.post(
        _url("task_meetings", task),
        {"starts_at": "2026-10-21T15:00", "link": "https://meet.example.org/abc", "agenda": "Demo"},
    )
    meeting = Meeting.objects.get(task=task)
    assert (meeting.week, meeting.kind) == (3, MeetingKind.TASK_CALL)

    attendance_url = _url("task_attendance", task, meeting.pk)
    client.post(attendance_url, {"present": [leader.pk]})
    client.post(attendance_url, {"present": [leader.pk, member.pk]})

    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("membership_id", "attended"))
    assert rows == {leader.pk: True, member.pk: True}
    assert set(client.get(attendance_url).context["form"].initial["present"]) == {leader.pk, member.pk}


def test_attendance_is_prefilled_from_the_recorded_rows(client, task, leader, member, staff, challenge):
    meeting = meeting_create(challenge=challenge, by=staff, week=3, starts_at=WEEK_3_MONDAY, task=task)
    attendance_record(meeting=meeting, by=staff, present=[member], absent=[leader])
    client.force_login(leader.person)

    html = client.get(_url("task_attendance", task, meeting.pk)).content.decode()

    assert html.count(" checked") == 1
    assert client.get(_url("task_attendance", task, meeting.pk)).context["form"].initial["present"] == [member.pk]


def test_a_call_outside_the_challenge_weeks_is_refused(client, task, leader):
    client.force_login(leader.person)

    response = client.post(_url("task_meetings", task), {"starts_at": "2027-03-01T15:00"})

    assert response.context["form"].errors["starts_at"]
    assert not Meeting.objects.exists()


# --- My tasks ---------------------------------------------------------------------------------------------


def test_my_tasks_shows_this_weeks_report_as_filed_or_missing(client, task, leader, challenge, staff):
    other = task_approve(
        task=task_propose(challenge=challenge, by=leader.person, title="Dashboard", goal="Show it."), by=staff
    )
    report_file(task=other, week=3, by=leader.person, data=REPORT)
    client.force_login(leader.person)

    html = client.get(reverse("my_tasks")).content.decode()

    assert "Week 3: missing" in html and "Week 3: filed" in html
    assert (
        html.index("Dashboard")
        < html.index("Week 3: filed")
        < html.index("Data pipeline")
        < html.index("Week 3: missing")
    )


# --- Query counts -----------------------------------------------------------------------------------------


def _grow(challenge, staff, tasks, people, weeks):
    """`tasks` active tasks, each with `people` members, `weeks` reports and a recorded call per week."""
    memberships = [MembershipFactory(challenge=challenge) for _ in range(people)]
    for number in range(tasks):
        task = task_approve(
            task=task_propose(challenge=challenge, by=memberships[0].person, title=f"Task {number}", goal="Work."),
            by=staff,
        )
        for membership in memberships[1:]:
            task_join(task=task, by=membership.person)
        for week in range(1, weeks + 1):
            report_file(task=task, week=week, by=memberships[0].person, data=REPORT)
            meeting = meeting_create(challenge=challenge, by=staff, week=week, starts_at=WEEK_3_MONDAY, task=task)
            attendance_record(meeting=meeting, by=staff, present=memberships)
    return task


@pytest.mark.parametrize("page", ["task_list", "task_detail", "my_tasks"])
def test_pages_use_a_constant_number_of_queries(client, challenge, staff, page, django_assert_max_num_queries):
    def url(task):
        if page == "task_list":
            return reverse("task_list", args=["floods"])
        if page == "my_tasks":
            return reverse("my_tasks")
        return _url("task_detail", task)

    few = _grow(challenge, staff, tasks=1, people=2, weeks=1)
    viewer = few.task_members.first().membership.person
    client.force_login(viewer)
    client.get(url(few))  # warm the content-type and session caches
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url(few)).status_code == 200

    Task.objects.all().delete()
    many = _grow(challenge, staff, tasks=6, people=8, weeks=3)
    for task in Task.objects.all():
        task.task_members.get_or_create(membership=viewer.memberships.get(challenge=challenge))
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(url(many)).status_code == 200
