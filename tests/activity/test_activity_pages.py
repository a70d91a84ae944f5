"""Activity pages and API: a member's weekly scores, warning and leave; the task leader's table; the staff
do-ocracy board (removals, leave, syncs, manual entries); who sees what; constant query counts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import (
    ActivityEvent,
    ActivitySource,
    EventKind,
    Excuse,
    ExcuseStatus,
    InactivityWarning,
    ScoringPolicy,
    SyncStatus,
    WarningStatus,
    WeeklyScore,
)
from challenges.enums import ChallengeStatus
from challenges.task_services import task_approve, task_join, task_propose
from collaborators.enums import MembershipStatus
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# The challenge starts on Monday 26 October 2026 (ISO week 44, not scored); "now" is Wednesday of week 48,
# so weeks 44 to 47 are finished.
START = dt.date(2026, 10, 26)
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
MY_ACTIVITY = reverse("my_activity")
BREAKDOWN = {
    "pr_opened": {"count": 2, "points": 20},
    "message": {"count": 8, "points": 8},
    "meeting": {"count": 1, "points": 5},
}


@pytest.fixture(autouse=True)
def in_week_48():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def challenge(client_organisation):
    return ChallengeFactory(
        title="Flood early warning",
        slug="floods",
        status=ChallengeStatus.RUNNING,
        start_date=START,
        organisation=client_organisation,
    )


@pytest.fixture
def member(challenge, collaborator):
    return MembershipFactory(challenge=challenge, person=collaborator)


@pytest.fixture
def other(challenge):
    return MembershipFactory(challenge=challenge, person=UserFactory(display_name="Otto Other"))


def score(membership, week, points=33, *, breakdown=None, excused=False, threshold=10):
    return WeeklyScore.objects.create(
        membership=membership,
        week=week,
        points=points,
        breakdown=BREAKDOWN if breakdown is None else breakdown,
        threshold=threshold,
        active=points >= threshold,
        excused=excused,
    )


def board_url(challenge):
    return reverse("doocracy_board", args=[challenge.slug])


def html_of(response) -> str:
    return response.content.decode()


# --- The member's own activity ---------------------------------------------------------------------------


def test_the_member_reads_each_week_in_words(client, member):
    score(member, "2026-W45")
    score(member, "2026-W46", 3, breakdown={"message": {"count": 3, "points": 3}})
    score(member, "2026-W47", 0, breakdown={}, excused=True)
    client.force_login(member.person)

    html = html_of(client.get(MY_ACTIVITY))

    assert "2 PRs, 8 messages, 1 meeting = 33 points; 10 needed" in html
    assert "3 messages = 3 points; 10 needed" in html
    assert "below the threshold" in html
    assert "excused" in html
    assert "not scored (first week)" in html  # 2026-W44, the challenge's first


def test_the_member_sees_only_their_own_scores(client, member, other):
    score(other, "2026-W45", 77, breakdown={"review": {"count": 9, "points": 72}})
    client.force_login(member.person)

    html = html_of(client.get(MY_ACTIVITY))

    assert "9 reviews" not in html
    assert "77" not in html


def test_a_warning_shows_its_removal_date_and_what_lifts_it(client, member):
    score(member, "2026-W47", 2, breakdown={"message": {"count": 2, "points": 2}})
    InactivityWarning.objects.create(membership=member, week="2026-W47", removal_due_on=dt.date(2026, 11, 30))
    client.force_login(member.person)

    html = html_of(client.get(MY_ACTIVITY))

    assert "You will be removed on Monday 30 November 2026." in html
    assert "To lift it, reach 10 points in week 2026-W48, for example with one pull request" in html


def test_what_lifts_a_warning_follows_the_challenges_own_weights(client, member):
    # This challenge asks for 20 points and gives a pull request only 12: one is not enough, a review of 20 is.
    ScoringPolicy.objects.create(challenge=member.challenge, active_threshold=20, pr_opened=12, review=20)
    score(member, "2026-W47", 2, breakdown={"message": {"count": 2, "points": 2}})
    InactivityWarning.objects.create(membership=member, week="2026-W47", removal_due_on=dt.date(2026, 11, 30))
    client.force_login(member.person)

    html = html_of(client.get(MY_ACTIVITY))

    assert "for example with one review of a pull request" in html
    assert "one pull request," not in html


def leave(membership, **fields):
    prefix = f"leave-{membership.pk}"
    data = {"membership": membership.pk, f"{prefix}-first_week": "2026-W49", f"{prefix}-last_week": "2026-W50"}
    data[f"{prefix}-reason"] = "University exams"
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def test_the_member_declares_leave(client, member):
    client.force_login(member.person)

    response = client.post(MY_ACTIVITY, leave(member), follow=True)

    excuse = Excuse.objects.get(membership=member)
    assert (excuse.first_week, excuse.last_week, excuse.status) == ("2026-W49", "2026-W50", ExcuseStatus.PENDING)
    html = html_of(response)
    assert "Leave 2026-W49 to 2026-W50 is declared" in html
    assert "University exams" in html
    assert "Waiting for staff" in html


def test_leave_ending_before_it_starts_is_a_field_error(client, member):
    client.force_login(member.person)

    response = client.post(MY_ACTIVITY, leave(member, first_week="2026-W50", last_week="2026-W49"))

    assert response.status_code == 200
    assert "The last week cannot come before the first week." in html_of(response)
    assert not Excuse.objects.exists()


def test_leave_without_a_reason_or_with_a_week_outside_the_challenge_is_refused(client, member):
    client.force_login(member.person)

    response = client.post(MY_ACTIVITY, leave(member, reason="", last_week="2027-W30"))

    html = html_of(response)
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert not Excuse.objects.exists()


def test_nobody_declares_leave_for_someone_elses_seat(client, member, other):
    client.force_login(member.person)

    assert client.post(MY_ACTIVITY, leave(other)).status_code == 404
    assert not Excuse.objects.exists()


def test_my_activity_needs_a_sign_in(client):
    assert client.get(MY_ACTIVITY).status_code == 302


# --- The task leader's team table -------------------------------------------------------------------------


def test_the_leader_sees_each_members_last_three_weeks(client, challenge, member, other, staff):
    task = task_approve(
        task=task_propose(challenge=challenge, by=member.person, title="Pipeline", goal="Go."), by=staff
    )
    task_join(task=task, by=other.person)
    score(other, "2026-W45", 12)
    score(other, "2026-W46", 4, breakdown={"message": {"count": 4, "points": 4}})
    score(other, "2026-W47", 21)
    client.force_login(member.person)
    url = reverse("task_detail", args=[challenge.slug, task.pk])

    html = html_of(client.get(url))

    assert "Points </span>2026-W47" in html and "Points </span>2026-W45" in html
    assert "Points </span>2026-W44" not in html
    assert "<strong>21</strong>" in html and "<strong>4</strong>" in html
    assert "below the threshold" in html
    assert "not yet measured" not in html

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(8):
        extra = MembershipFactory(challenge=challenge, person=UserFactory())
        task_join(task=task, by=extra.person)
        for week in ("2026-W45", "2026-W46", "2026-W47"):
            score(extra, week, n)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


# --- The staff board --------------------------------------------------------------------------------------


def test_the_board_is_for_staff_only(client, challenge, member):
    assert client.get(board_url(challenge)).status_code == 302
    client.force_login(member.person)
    assert client.get(board_url(challenge)).status_code == 403
    assert client.get(reverse("doocracy_index")).status_code == 403
    confirm = reverse("doocracy_removal_confirm", args=[challenge.slug, 1])
    assert client.post(confirm).status_code == 403


def test_the_board_shows_scores_warnings_removals_leave_and_sources(client, challenge, member, other, staff):
    score(member, "2026-W46")
    score(other, "2026-W46", 2, breakdown={"message": {"count": 2, "points": 2}})
    score(other, "2026-W47", 0, breakdown={}, excused=True)
    InactivityWarning.objects.create(membership=other, week="2026-W46", removal_due_on=dt.date(2026, 11, 23))
    InactivityWarning.objects.create(
        membership=member, week="2026-W47", removal_due_on=dt.date(2026, 11, 30), status=WarningStatus.REMOVAL_PROPOSED
    )
    Excuse.objects.create(membership=other, first_week="2026-W49", last_week="2026-W49", reason="Exams")
    ActivitySource.objects.create(
        challenge=challenge,
        kind="github_repository",
        identifier="OmdenaAI/floods",
        status=SyncStatus.RATE_LIMITED,
        last_error="GitHub rate limit: resumes at 11:00",
        last_run_events=14,
        last_run_requests=9,
    )
    client.force_login(staff)

    html = html_of(client.get(board_url(challenge)))

    assert "2026-W44" in html and "2026-W47" in html  # the weeks as columns
    assert 'title="2 PRs, 8 messages, 1 meeting = 33 points; 10 needed"' in html
    assert "below the threshold" in html and "excused" in html and "not scored (first week)" in html
    assert "inactive in 2026-W46; removal proposed on 23 Nov 2026" in html
    assert "Confirm removal" in html and "30 Nov 2026" in html
    assert "Exams" in html and "Approve" in html
    assert "OmdenaAI/floods" in html and "Rate limited: resumes later" in html
    assert "GitHub rate limit: resumes at 11:00" in html


def test_staff_confirm_a_proposed_removal(client, challenge, member, staff, fake_github, fake_slack):
    member.status = MembershipStatus.WARNED
    member.save(update_fields=["status"])
    warning = InactivityWarning.objects.create(
        membership=member, week="2026-W46", removal_due_on=dt.date(2026, 11, 23), status=WarningStatus.REMOVAL_PROPOSED
    )
    client.force_login(staff)

    response = client.post(reverse("doocracy_removal_confirm", args=[challenge.slug, warning.pk]), follow=True)

    assert "Cam Collaborator is removed." in html_of(response)
    member.refresh_from_db()
    warning.refresh_from_db()
    assert member.status == MembershipStatus.REMOVED
    assert warning.status == WarningStatus.REMOVED


def test_confirming_twice_says_why_not(client, challenge, member, staff):
    warning = InactivityWarning.objects.create(
        membership=member, week="2026-W46", removal_due_on=dt.date(2026, 11, 23), status=WarningStatus.CANCELLED
    )
    client.force_login(staff)

    response = client.post(reverse("doocracy_removal_confirm", args=[challenge.slug, warning.pk]), follow=True)

    assert response.status_code == 200
    assert "is removed" not in html_of(response)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE


def test_staff_cancel_a_proposed_removal(client, challenge, member, staff):
    member.status = MembershipStatus.WARNED
    member.save(update_fields=["status"])
    warning = InactivityWarning.objects.create(
        membership=member, week="2026-W46", removal_due_on=dt.date(2026, 11, 23), status=WarningStatus.REMOVAL_PROPOSED
    )
    client.force_login(staff)

    response = client.post(
        reverse("doocracy_removal_cancel", args=[challenge.slug, warning.pk]), {"note": "Was ill"}, follow=True
    )

    assert "The removal of Cam Collaborator is cancelled" in html_of(response)
    member.refresh_from_db()
    warning.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE
    assert (warning.status, warning.note) == (WarningStatus.CANCELLED, "Was ill")


@pytest.mark.parametrize(
    ("decision", "status"), [("approve", ExcuseStatus.APPROVED), ("decline", ExcuseStatus.DECLINED)]
)
def test_staff_decide_on_leave(client, challenge, member, staff, decision, status):
    excuse = Excuse.objects.create(membership=member, first_week="2026-W49", last_week="2026-W49", reason="Exams")
    client.force_login(staff)

    response = client.post(
        reverse("doocracy_excuse_decide", args=[challenge.slug, excuse.pk]), {"decision": decision}, follow=True
    )

    assert f"Leave of Cam Collaborator {decision}d." in html_of(response)
    excuse.refresh_from_db()
    assert excuse.status == status


def test_sync_now_adds_the_sources_and_runs_them(client, challenge, staff, fake_github, fake_slack):
    challenge.github_repositories = ["OmdenaAI/floods"]
    challenge.slack_channel_ids = ["C0FLOODS1"]
    challenge.save(update_fields=["github_repositories", "slack_channel_ids"])
    client.force_login(staff)

    response = client.post(reverse("doocracy_sync", args=[challenge.slug]), follow=True)

    html = html_of(response)
    assert "Sync started" in html
    assert set(ActivitySource.objects.filter(challenge=challenge).values_list("identifier", flat=True)) == {
        "OmdenaAI/floods",
        "C0FLOODS1",
    }
    assert "OmdenaAI/floods" in html and "C0FLOODS1" in html
    # Eager Celery locally: the sync has already run, so no source still says "never synced".
    assert not ActivitySource.objects.filter(challenge=challenge, status=SyncStatus.NEVER).exists()


def test_staff_add_a_manual_entry(client, challenge, member, staff):
    client.force_login(staff)

    response = client.post(
        board_url(challenge), {"membership": member.pk, "day": "2026-11-24", "reason": "Client call"}, follow=True
    )

    assert "Manual entry added for Cam Collaborator" in html_of(response)
    event = ActivityEvent.objects.get(person=member.person)
    assert (event.kind, event.reason, event.created_by) == (EventKind.MANUAL, "Client call", staff)


def test_a_manual_entry_needs_a_past_day_and_a_reason(client, challenge, member, staff):
    client.force_login(staff)

    response = client.post(board_url(challenge), {"membership": member.pk, "day": "2026-12-24", "reason": "Call"})

    assert response.status_code == 200
    assert "A manual entry records work already done." in html_of(response)
    response = client.post(board_url(challenge), {"membership": member.pk, "day": "2026-11-24", "reason": ""})
    assert "This field is required." in html_of(response)
    assert not ActivityEvent.objects.exists()


def _fill_board(challenge, members: int) -> None:
    for n in range(members):
        membership = MembershipFactory(challenge=challenge, person=UserFactory())
        for week in ("2026-W45", "2026-W46", "2026-W47"):
            score(membership, week, n)
        InactivityWarning.objects.create(
            membership=membership,
            week="2026-W47",
            removal_due_on=dt.date(2026, 11, 30),
            status=WarningStatus.REMOVAL_PROPOSED if n % 2 else WarningStatus.OPEN,
        )
        Excuse.objects.create(membership=membership, first_week="2026-W49", last_week="2026-W49", reason="Exams")
        ActivitySource.objects.create(challenge=challenge, kind="slack_channel", identifier=f"C{membership.pk:08d}")


def test_the_board_and_my_activity_take_the_same_queries_for_2_or_20_members(
    client, challenge, staff, member, django_assert_max_num_queries
):
    _fill_board(challenge, 2)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as small_board:
        assert client.get(board_url(challenge)).status_code == 200
    client.force_login(member.person)
    with CaptureQueriesContext(connection) as small_mine:
        client.get(MY_ACTIVITY)

    _fill_board(challenge, 20)
    second = ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START)
    seat = MembershipFactory(challenge=second, person=member.person)
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        score(member, week)
        score(seat, week)
    Excuse.objects.create(membership=seat, first_week="2026-W49", last_week="2026-W49", reason="Exams")

    client.force_login(staff)
    with django_assert_max_num_queries(len(small_board)):
        assert client.get(board_url(challenge)).status_code == 200
    client.force_login(member.person)
    with django_assert_max_num_queries(len(small_mine)):
        assert client.get(MY_ACTIVITY).status_code == 200


def test_staff_see_running_challenges_on_the_index(client, challenge, member, staff):
    InactivityWarning.objects.create(membership=member, week="2026-W47", removal_due_on=dt.date(2026, 11, 30))
    client.force_login(staff)

    html = html_of(client.get(reverse("doocracy_index")))

    assert "Flood early warning" in html
    assert board_url(challenge) in html


# --- The API ----------------------------------------------------------------------------------------------


def test_api_members_list_their_own_scores_staff_filter_all(api_client, member, other, staff):
    score(member, "2026-W46")
    score(other, "2026-W46", 5, breakdown={"message": {"count": 5, "points": 5}})
    score(other, "2026-W47", 12)

    api_client.force_authenticate(member.person)
    rows = api_client.get("/api/v1/weekly-scores/").json()["results"]
    assert [(r["membership"]["id"], r["points"]) for r in rows] == [(member.pk, 33)]
    assert rows[0]["explanation"] == "2 PRs, 8 messages, 1 meeting = 33 points; 10 needed"

    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/weekly-scores/").json()["count"] == 3
    rows = api_client.get("/api/v1/weekly-scores/", {"challenge": "floods", "week": "2026-W46"}).json()["results"]
    assert sorted(r["points"] for r in rows) == [5, 33]
    assert api_client.get("/api/v1/weekly-scores/", {"challenge": "elsewhere"}).json()["count"] == 0


def test_api_warnings_are_own_for_members(api_client, member, other, staff):
    mine = InactivityWarning.objects.create(membership=member, week="2026-W47", removal_due_on=dt.date(2026, 11, 30))
    theirs = InactivityWarning.objects.create(membership=other, week="2026-W47", removal_due_on=dt.date(2026, 11, 30))

    api_client.force_authenticate(member.person)
    rows = api_client.get("/api/v1/warnings/").json()["results"]
    assert [(r["id"], r["removal_due_on"]) for r in rows] == [(mine.pk, "2026-11-30")]
    assert api_client.get(f"/api/v1/warnings/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/warnings/{mine.pk}/cancel/", {}).status_code == 403

    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/warnings/").json()["count"] == 2


def test_api_staff_confirm_and_cancel_removals(api_client, member, other, staff, fake_github, fake_slack):
    proposed = {"week": "2026-W46", "removal_due_on": dt.date(2026, 11, 23), "status": WarningStatus.REMOVAL_PROPOSED}
    to_remove = InactivityWarning.objects.create(membership=member, **proposed)
    to_keep = InactivityWarning.objects.create(membership=other, **proposed)
    api_client.force_authenticate(staff)

    response = api_client.post(f"/api/v1/warnings/{to_remove.pk}/confirm-removal/")
    assert response.status_code == 200 and response.json()["status"] == WarningStatus.REMOVED
    response = api_client.post(f"/api/v1/warnings/{to_keep.pk}/cancel/", {"note": "Client call"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == WarningStatus.CANCELLED

    member.refresh_from_db()
    other.refresh_from_db()
    assert (member.status, other.status) == (MembershipStatus.REMOVED, MembershipStatus.ACTIVE)
    # A cancelled warning cannot be confirmed afterwards: 400 with the reason, not 500.
    assert api_client.post(f"/api/v1/warnings/{to_keep.pk}/confirm-removal/").status_code == 400


def test_api_declare_leave_and_staff_decide(api_client, member, other, staff):
    api_client.force_authenticate(member.person)
    payload = {"membership": member.pk, "first_week": "2026-W49", "last_week": "2026-W49", "reason": "Exams"}

    response = api_client.post("/api/v1/excuses/", payload, format="json")
    assert response.status_code == 201, response.json()
    excuse_id = response.json()["id"]
    assert api_client.get("/api/v1/excuses/").json()["count"] == 1

    bad = api_client.post("/api/v1/excuses/", payload | {"first_week": "2026-W51"}, format="json")
    assert bad.status_code == 400 and "last_week" in bad.json()
    shape = api_client.post("/api/v1/excuses/", payload | {"first_week": "week 49", "reason": ""}, format="json")
    assert shape.status_code == 400 and {"first_week", "reason"} <= set(shape.json())
    foreign = api_client.post("/api/v1/excuses/", payload | {"membership": other.pk}, format="json")
    assert foreign.status_code == 400 and "membership" in foreign.json()
    assert api_client.post(f"/api/v1/excuses/{excuse_id}/decide/", {"approve": True}).status_code == 403

    api_client.force_authenticate(staff)
    response = api_client.post(f"/api/v1/excuses/{excuse_id}/decide/", {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ExcuseStatus.APPROVED
    assert api_client.post(f"/api/v1/excuses/{excuse_id}/decide/", {}, format="json").status_code == 400

    api_client.force_authenticate(other.person)
    assert api_client.get("/api/v1/excuses/").json()["count"] == 0
    assert api_client.get(f"/api/v1/excuses/{excuse_id}/").status_code == 404
