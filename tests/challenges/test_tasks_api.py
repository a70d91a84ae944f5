"""The task teams API: who sees and does what with tasks, reports, meetings, attendance and the progress summary."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus, MeetingKind, TaskRole, TaskStatus
from challenges.models import Attendance, Meeting, Task, TaskMember, WeeklyReport
from challenges.task_services import attendance_record, meeting_create, report_file, task_approve, task_propose
from collaborators.enums import MembershipRole, MembershipStatus
from collaborators.models import Membership
from tests.factories import ChallengeFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"
REPORTS = "/api/v1/reports/"
MEETINGS = "/api/v1/meetings/"


def running_challenge(organisation, *, slug, weeks_ago=2):
    """A running challenge in week `weeks_ago + 1` of 8."""
    return ChallengeFactory(
        title=f"Running {slug}",
        slug=slug,
        organisation=organisation,
        status=ChallengeStatus.RUNNING,
        application_deadline=None,
        start_date=timezone.localdate(timezone=dt.UTC) - dt.timedelta(days=7 * weeks_ago + 1),
    )


@pytest.fixture
def challenge(client_organisation):
    return running_challenge(client_organisation, slug="flood-risk")  # week 3 of 8


@pytest.fixture
def member(challenge):
    return MembershipFactory(challenge=challenge, person=UserFactory(display_name="Mo Member")).person


@pytest.fixture
def other_member(challenge):
    return MembershipFactory(challenge=challenge, person=UserFactory(display_name="Olu Other")).person


@pytest.fixture
def project_manager(challenge):
    return MembershipFactory(challenge=challenge, role=MembershipRole.PROJECT_MANAGER).person


@pytest.fixture
def other_client():
    user = UserFactory(email="olga@otherorg.example")
    OrganisationFactory(name="Other Org", slug="other-org").users.add(user)
    return user


@pytest.fixture
def outsider():
    return UserFactory(email="out@example.org")


@pytest.fixture
def task(challenge, member, staff):
    """An active task that `member` proposed and so leads."""
    proposed = task_propose(challenge=challenge, by=member, title="Data pipeline", goal="Clean the gauge data.")
    return task_approve(task=proposed, by=staff)


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def people(member, staff, client_user, other_client, outsider):
    return {"member": member, "staff": staff, "client": client_user, "other_client": other_client, "outsider": outsider}


def seat(user, challenge):
    return user.memberships.get(challenge=challenge)


# --- visibility ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [("member", True), ("staff", True), ("client", True), ("other_client", False), ("outsider", False)],
)
def test_tasks_are_visible_to_members_staff_and_the_client_only(as_user, people, task, role, sees):
    api = as_user(people[role])

    listing = api.get(TASKS)
    detail = api.get(f"{TASKS}{task.pk}/")

    assert listing.status_code == 200
    assert [t["id"] for t in listing.json()["results"]] == ([task.pk] if sees else [])
    assert detail.status_code == (200 if sees else 404)
    if sees:
        [leader] = detail.json()["members"]
        assert (leader["membership"], leader["name"], leader["role"]) == (
            seat(people["member"], task.challenge).pk,
            "Mo Member",
            TaskRole.LEADER,
        )
        assert "@" not in detail.content.decode()  # never an email


def test_anonymous_sees_no_tasks(api_client, task):
    assert api_client.get(TASKS).status_code in (401, 403)


def test_task_list_filters_by_challenge_and_status(as_user, staff, task, client_organisation, member):
    other = running_challenge(client_organisation, slug="second")
    task_propose(challenge=other, by=staff, title="Other task", goal="Something else.")
    api = as_user(staff)

    assert [t["title"] for t in api.get(f"{TASKS}?challenge=flood-risk").json()["results"]] == ["Data pipeline"]
    assert [t["title"] for t in api.get(f"{TASKS}?status=proposed").json()["results"]] == ["Other task"]
    assert api.get(f"{TASKS}?status=nonsense").status_code == 400


def test_task_list_queries_do_not_grow_with_tasks(as_user, staff, challenge, member, django_assert_max_num_queries):
    for index in range(12):
        task_propose(challenge=challenge, by=member, title=f"Task {index}", goal="Work.")
    api = as_user(staff)

    with django_assert_max_num_queries(8):
        response = api.get(TASKS)

    assert response.json()["count"] == 12


# --- propose, approve, decline --------------------------------------------------------------------------


def test_a_member_proposes_a_task_and_joins_it(as_user, member, challenge):
    response = as_user(member).post(
        TASKS, {"challenge": "flood-risk", "title": "Flood map", "goal": "Map the wards."}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == TaskStatus.PROPOSED and body["proposed_by"] == "Mo Member"
    assert [m["role"] for m in body["members"]] == [TaskRole.MEMBER]


def test_a_client_cannot_propose(as_user, client_user, challenge):
    response = as_user(client_user).post(
        TASKS, {"challenge": "flood-risk", "title": "Flood map", "goal": "Map the wards."}, format="json"
    )

    assert response.status_code == 403
    assert not Task.objects.exists()


def test_an_outsider_cannot_even_name_the_challenge(as_user, outsider, challenge):
    response = as_user(outsider).post(
        TASKS, {"challenge": "flood-risk", "title": "Flood map", "goal": "Map the wards."}, format="json"
    )

    assert response.status_code == 400
    assert "challenge" in response.json()


def test_a_removed_member_no_longer_sees_the_challenge_to_propose_in(as_user, member, challenge):
    Membership.objects.filter(person=member).update(status=MembershipStatus.REMOVED)

    response = as_user(member).post(
        TASKS, {"challenge": "flood-risk", "title": "Flood map", "goal": "Map the wards."}, format="json"
    )

    assert response.status_code == 400
    assert "challenge" in response.json()
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"challenge": "flood-risk", "title": "Data pipeline", "goal": "Again."}, "title"),  # duplicate title
        ({"challenge": "flood-risk", "title": "No goal"}, "goal"),
        ({"challenge": "flood-risk", "title": "x" * 200, "goal": "Too long a title."}, "title"),
    ],
)
def test_invalid_proposals_are_400_with_the_field(as_user, member, task, payload, field):
    response = as_user(member).post(TASKS, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("approver", ["staff", "project_manager"])
def test_staff_or_the_project_manager_approve_and_the_proposer_leads(request, as_user, challenge, member, approver):
    task = task_propose(challenge=challenge, by=member, title="Flood map", goal="Map the wards.")

    response = as_user(request.getfixturevalue(approver)).post(f"{TASKS}{task.pk}/approve/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == TaskStatus.ACTIVE
    assert response.json()["members"][0]["role"] == TaskRole.LEADER


def test_a_member_cannot_approve_and_a_decided_task_cannot_be_approved_again(
    as_user, challenge, member, other_member, staff
):
    task = task_propose(challenge=challenge, by=member, title="Flood map", goal="Map the wards.")

    refused = as_user(other_member).post(f"{TASKS}{task.pk}/approve/", {}, format="json")
    declined = as_user(staff).post(f"{TASKS}{task.pk}/decline/", {"note": "Out of scope"}, format="json")
    again = as_user(staff).post(f"{TASKS}{task.pk}/approve/", {}, format="json")

    assert refused.status_code == 403
    assert declined.status_code == 200 and declined.json()["status"] == TaskStatus.DECLINED
    assert again.status_code == 400 and "status" in again.json()


# --- join, leave, leaders, close ------------------------------------------------------------------------


def test_members_join_once_and_leave(as_user, task, other_member):
    api = as_user(other_member)

    api.post(f"{TASKS}{task.pk}/join/")
    joined = api.post(f"{TASKS}{task.pk}/join/")

    assert joined.status_code == 200
    assert TaskMember.objects.filter(task=task, membership__person=other_member).count() == 1
    assert "Olu Other" in [m["name"] for m in joined.json()["members"]]

    left = api.post(f"{TASKS}{task.pk}/leave/")
    assert left.status_code == 200
    assert "Olu Other" not in [m["name"] for m in left.json()["members"]]


def test_a_client_cannot_join(as_user, task, client_user):
    assert as_user(client_user).post(f"{TASKS}{task.pk}/join/").status_code == 403


def test_staff_appoint_and_step_down_a_leader(as_user, staff, task, other_member):
    membership = seat(other_member, task.challenge).pk
    api = as_user(staff)

    appointed = api.post(f"{TASKS}{task.pk}/leaders/", {"membership": membership, "leader": True}, format="json")
    stepped_down = api.post(f"{TASKS}{task.pk}/leaders/", {"membership": membership, "leader": False}, format="json")

    assert appointed.status_code == 200
    assert {"Mo Member", "Olu Other"} == {m["name"] for m in appointed.json()["members"] if m["role"] == "leader"}
    assert TaskMember.objects.get(task=task, membership_id=membership).role == TaskRole.MEMBER
    assert stepped_down.status_code == 200


def test_only_staff_appoint_leaders_and_only_from_the_challenge(as_user, staff, task, member, other_member):
    stranger = MembershipFactory()  # a seat in another challenge
    membership = seat(other_member, task.challenge).pk

    by_leader = as_user(member).post(f"{TASKS}{task.pk}/leaders/", {"membership": membership, "leader": True})
    wrong_seat = as_user(staff).post(
        f"{TASKS}{task.pk}/leaders/", {"membership": stranger.pk, "leader": True}, format="json"
    )
    unknown = as_user(staff).post(f"{TASKS}{task.pk}/leaders/", {"membership": 999999, "leader": True})

    assert by_leader.status_code == 403
    assert wrong_seat.status_code == 400 and "membership" in wrong_seat.json()
    assert unknown.status_code == 400 and "membership" in unknown.json()


def test_a_leader_closes_the_task_a_member_cannot(as_user, task, member, other_member):
    refused = as_user(other_member).post(f"{TASKS}{task.pk}/close/", {"status": "done"}, format="json")
    invalid = as_user(member).post(f"{TASKS}{task.pk}/close/", {"status": "active"}, format="json")
    done = as_user(member).post(f"{TASKS}{task.pk}/close/", {"status": "done"}, format="json")

    assert refused.status_code == 403
    assert invalid.status_code == 400 and "status" in invalid.json()
    assert done.status_code == 200 and done.json()["status"] == TaskStatus.DONE


# --- weekly reports -------------------------------------------------------------------------------------


def test_a_leader_files_then_updates_the_weeks_report(as_user, task, member):
    api = as_user(member)

    filed = api.post(REPORTS, {"task": task.pk, "week": 3, "summary": "Cleaned the data."}, format="json")
    updated = api.post(
        REPORTS, {"task": task.pk, "week": 3, "summary": "Cleaned and shared.", "blockers": "None"}, format="json"
    )

    assert filed.status_code == 201 and updated.status_code == 200
    assert filed.json()["id"] == updated.json()["id"]
    report = WeeklyReport.objects.get(task=task, week=3)
    assert (report.summary, report.blockers) == ("Cleaned and shared.", "None")
    assert updated.json()["author"] == "Mo Member"


@pytest.mark.parametrize(("who", "code"), [("other_member", 403), ("client_user", 403), ("outsider", 404)])
def test_only_leaders_and_staff_file_reports(request, as_user, task, who, code):
    response = as_user(request.getfixturevalue(who)).post(
        REPORTS, {"task": task.pk, "week": 1, "summary": "Not mine to file."}, format="json"
    )

    assert response.status_code == code
    assert not WeeklyReport.objects.exists()


def test_staff_file_a_report(as_user, staff, task):
    response = as_user(staff).post(REPORTS, {"task": task.pk, "week": 1, "summary": "Filed by staff."}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"week": 4, "summary": "From the future."}, "week"),  # the challenge is in week 3
        ({"week": 9, "summary": "After the end."}, "week"),
        ({"week": 0, "summary": "Before the start."}, "week"),
        ({"week": 2, "summary": "   "}, "summary"),
        ({"week": "two", "summary": "Not a number."}, "week"),
    ],
)
def test_invalid_reports_are_400_with_the_field(as_user, task, member, payload, field):
    response = as_user(member).post(REPORTS, {"task": task.pk, **payload}, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_reports_are_visible_as_the_task_is_and_filter_by_week(as_user, task, member, client_user, other_client):
    for week in (1, 2):
        report_file(task=task, week=week, by=member, data={"summary": f"Week {week} done."})

    seen_by_client = as_user(client_user).get(f"{REPORTS}?task={task.pk}&week=2").json()["results"]
    seen_by_other = as_user(other_client).get(REPORTS).json()["results"]

    assert [(r["week"], r["summary"]) for r in seen_by_client] == [(2, "Week 2 done.")]
    assert seen_by_other == []
    report = WeeklyReport.objects.get(week=1)
    assert as_user(other_client).get(f"{REPORTS}{report.pk}/").status_code == 404


# --- meetings and attendance ----------------------------------------------------------------------------


def test_a_leader_plans_a_task_call_and_records_attendance_once_per_member(as_user, task, member, other_member):
    api = as_user(member)
    starts = (timezone.now() - dt.timedelta(hours=2)).isoformat()

    created = api.post(MEETINGS, {"task": task.pk, "week": 3, "starts_at": starts}, format="json")
    meeting = created.json()["id"]
    present, absent = seat(member, task.challenge).pk, seat(other_member, task.challenge).pk
    api.post(f"{MEETINGS}{meeting}/attendance/", {"present": [present], "absent": [absent]}, format="json")
    again = api.post(f"{MEETINGS}{meeting}/attendance/", {"present": [present, absent]}, format="json")

    assert created.status_code == 201 and created.json()["kind"] == MeetingKind.TASK_CALL
    assert again.status_code == 200
    assert Attendance.objects.filter(meeting_id=meeting).count() == 2
    assert Attendance.objects.filter(meeting_id=meeting, attended=True).count() == 2
    assert {row["name"] for row in again.json()["attendance"]} == {"Mo Member", "Olu Other"}


def test_only_leaders_and_staff_plan_meetings_and_record_attendance(as_user, task, staff, other_member, challenge):
    starts = timezone.now().isoformat()
    meeting = meeting_create(challenge=challenge, by=staff, week=3, starts_at=timezone.now(), task=task)
    mine = seat(other_member, challenge).pk

    planned = as_user(other_member).post(MEETINGS, {"task": task.pk, "week": 3, "starts_at": starts}, format="json")
    all_hands = as_user(other_member).post(
        MEETINGS, {"challenge": "flood-risk", "kind": "all_hands", "week": 3, "starts_at": starts}, format="json"
    )
    recorded = as_user(other_member).post(f"{MEETINGS}{meeting.pk}/attendance/", {"present": [mine]}, format="json")
    by_staff = as_user(staff).post(
        MEETINGS, {"challenge": "flood-risk", "kind": "all_hands", "week": 3, "starts_at": starts}, format="json"
    )

    assert (planned.status_code, all_hands.status_code, recorded.status_code) == (403, 403, 403)
    assert by_staff.status_code == 201
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "present"),
        ({"present": [999999]}, "present"),
        ({"present": ["stranger"]}, "members"),
        ({"present": ["leader"], "absent": ["leader"]}, "absent"),
    ],
)
def test_invalid_attendance_is_400(as_user, task, member, staff, payload, field):
    meeting = meeting_create(challenge=task.challenge, by=staff, week=2, starts_at=timezone.now(), task=task)
    ids = {"leader": seat(member, task.challenge).pk, "stranger": MembershipFactory().pk}
    body = {key: [ids.get(value, value) for value in values] for key, values in payload.items()}

    response = as_user(member).post(f"{MEETINGS}{meeting.pk}/attendance/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Attendance.objects.exists()


def test_meeting_week_must_be_in_the_challenge(as_user, task, member):
    response = as_user(member).post(
        MEETINGS, {"task": task.pk, "week": 12, "starts_at": timezone.now().isoformat()}, format="json"
    )

    assert response.status_code == 400 and "week" in response.json()


def test_meetings_are_hidden_from_other_organisations(as_user, task, staff, other_client, client_user):
    meeting_create(challenge=task.challenge, by=staff, week=1, starts_at=timezone.now(), task=task)

    assert as_user(other_client).get(MEETINGS).json()["results"] == []
    assert len(as_user(client_user).get(MEETINGS).json()["results"]) == 1


# --- the client's progress summary ----------------------------------------------------------------------


@pytest.fixture
def progress_story(task, member, other_member, staff, challenge, client_organisation):
    """Two weeks of reports, a proposed task, a meeting with attendance; and a second challenge of the client."""
    task_propose(challenge=challenge, by=other_member, title="Flood map", goal="Map the wards.")
    for week in (1, 2):
        report_file(task=task, week=week, by=member, data={"summary": f"Week {week}."})
    meeting = meeting_create(challenge=challenge, by=staff, week=2, starts_at=timezone.now(), task=task)
    attendance_record(
        meeting=meeting, by=member, present=[seat(member, challenge)], absent=[seat(other_member, challenge)]
    )
    elsewhere = running_challenge(client_organisation, slug="elsewhere", weeks_ago=0)
    other_seat = MembershipFactory(challenge=elsewhere)
    foreign = task_approve(
        task=task_propose(challenge=elsewhere, by=other_seat.person, title="Elsewhere", goal="Not counted."), by=staff
    )
    report_file(task=foreign, week=1, by=other_seat.person, data={"summary": "Elsewhere."})


def test_the_client_sees_week_n_of_m_and_the_weekly_numbers(as_user, client_user, progress_story):
    response = as_user(client_user).get("/api/v1/progress/flood-risk/")

    assert response.status_code == 200
    body = response.json()
    assert body["week"] == {"number": 3, "total": 8}
    assert body["members"] == 2
    assert [(t["title"], t["status"], t["leaders"], t["reports"]) for t in body["tasks"]] == [
        ("Data pipeline", "active", ["Mo Member"], 2),
        ("Flood map", "proposed", [], 0),
    ]
    numbers = [
        (w["week"], w["reports_filed"], w["tasks_active"], w["meetings"], w["attendance"]) for w in body["weeks"]
    ]
    assert numbers == [(1, 1, 1, 0, 0), (2, 1, 1, 1, 1), (3, 0, 1, 0, 0)]
    assert all(w["pull_requests"] is None and w["messages"] is None for w in body["weeks"])
    assert "activity sync" in body["activity_note"]
    assert "@" not in response.content.decode()


@pytest.mark.parametrize(("who", "code"), [("staff", 200), ("other_client", 404), ("member", 404), ("outsider", 404)])
def test_progress_is_for_staff_and_the_clients_organisation_only(request, as_user, progress_story, who, code):
    assert as_user(request.getfixturevalue(who)).get("/api/v1/progress/flood-risk/").status_code == code


def test_progress_queries_do_not_grow_with_weeks_and_tasks(
    as_user, client_user, progress_story, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        assert as_user(client_user).get("/api/v1/progress/flood-risk/").status_code == 200


# --- schema and admin -----------------------------------------------------------------------------------


def test_the_schema_validates_and_has_the_task_endpoints(tmp_path):
    schema = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    for path in (
        "/api/v1/tasks/{id}/approve/",
        "/api/v1/tasks/{id}/leaders/",
        "/api/v1/reports/",
        "/api/v1/meetings/{id}/attendance/",
        "/api/v1/progress/{slug}/",
    ):
        assert path in text


def test_the_admin_approve_action_goes_through_the_service(admin_client, challenge, member):
    task = task_propose(challenge=challenge, by=member, title="Flood map", goal="Map the wards.")

    response = admin_client.post(
        reverse("admin:challenges_task_changelist"),
        {"action": "task_approve", "_selected_action": [task.pk]},
        follow=True,
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.ACTIVE
    assert task.task_members.get().role == TaskRole.LEADER


def test_admin_pages_for_tasks_reports_and_meetings_render(admin_client, task, member, staff):
    report = report_file(task=task, week=1, by=member, data={"summary": "Done."})
    meeting = meeting_create(challenge=task.challenge, by=staff, week=1, starts_at=timezone.now(), task=task)

    for url in (
        reverse("admin:challenges_task_change", args=[task.pk]),
        reverse("admin:challenges_weeklyreport_change", args=[report.pk]),
        reverse("admin:challenges_meeting_change", args=[meeting.pk]),
        reverse("admin:challenges_meeting_changelist"),
    ):
        assert admin_client.get(url).status_code == 200
    assert Meeting.objects.count() == 1
