"""Onboarding and revocation through the real PyGithub and slack-sdk clients against the fake servers (no mocks).

Tasks run eagerly (test settings); `onboard()` schedules inside a transaction and runs what commits would run,
as the accept service does.
"""

import datetime as dt
import logging
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from activity.models import OnboardingDirection, OnboardingKind, OnboardingStatus, OnboardingStep
from activity.onboarding import access_revoke_schedule, onboarding_schedule
from activity.tasks import run_due_onboarding_steps
from audit.models import AuditEntry
from collaborators.enums import MembershipStatus
from collaborators.services import profile_update
from notifications.enums import OutboxStatus
from notifications.models import OutboxMessage
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory
from tests.fakes import Response

NOW = dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC)
CHANNELS = ["C0WATER01", "C0WATER02"]
REPOS = ["OmdenaAI/water-pumps", "OmdenaAI/water-data"]
INVITE_URL = "https://join.slack.com/t/omdena-community/shared_invite/zt-demo"

Kind, Status = OnboardingKind, OnboardingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_swallowed_errors(caplog):
    """Tasks run from robust on_commit callbacks, whose errors are only logged: make them fail the test."""
    yield
    assert [record.getMessage() for record in caplog.get_records("call") if record.levelno >= logging.ERROR] == []


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def travel(_frozen_time):
    return _frozen_time.move_to


@pytest.fixture
def onboard(django_capture_on_commit_callbacks):
    """Schedule a seat's onboarding as the accept transaction does, then run the tasks that commit enqueues."""

    def run(membership):
        with django_capture_on_commit_callbacks(execute=True):
            onboarding_schedule(membership=membership)

    return run


@pytest.fixture
def run_due(django_capture_on_commit_callbacks):
    """The beat's safety net, once."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return run_due_onboarding_steps.delay().get()

    return run


@pytest.fixture
def revoke(django_capture_on_commit_callbacks):
    """Remove the seat as the membership service does: the status, then the revoke steps in the same commit."""

    def run(membership) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            membership.status = MembershipStatus.REMOVED
            membership.save(update_fields=["status"])
            access_revoke_schedule(membership=membership)

    return run


@pytest.fixture
def workspace(fake_slack):
    fake_slack.add_user("U0CAM", email="cam@example.org", name="cam")
    for channel in CHANNELS:
        fake_slack.add_channel(channel)
    return fake_slack


@pytest.fixture
def repos(fake_github):
    fake_github.add_user("octocat", id=583231)
    for repo in REPOS:
        fake_github.add_repo(repo)
    return fake_github


def seat(*, email="cam@example.org", github_username="octocat", **challenge_fields):
    challenge_fields = {
        "title": "Water pump failures",
        "slack_channel_ids": [],
        "github_repositories": [],
        "github_organisation": "OmdenaAI",
        "slack_invite_url": INVITE_URL,
        **challenge_fields,
    }
    person = UserFactory(email=email, github_username=github_username)
    return MembershipFactory(person=person, challenge=ChallengeFactory(**challenge_fields))


def steps_of(membership, **filters) -> dict[tuple[str, str], OnboardingStep]:
    return {(s.kind, s.target): s for s in OnboardingStep.objects.filter(membership=membership, **filters)}


# --- Slack -------------------------------------------------------------------------------------------------------


def test_a_workspace_member_is_invited_to_every_channel_and_welcomed_once(workspace, onboard):
    membership = seat(slack_channel_ids=CHANNELS)

    onboard(membership)

    assert all(workspace.members(channel) == {"U0CAM"} for channel in CHANNELS)
    steps = steps_of(membership)
    assert set(steps) == {
        (Kind.SLACK_CHANNEL, CHANNELS[0]),
        (Kind.SLACK_CHANNEL, CHANNELS[1]),
        (Kind.SLACK_WELCOME_DM, ""),
    }
    assert {step.status for step in steps.values()} == {Status.DONE}
    assert steps[(Kind.SLACK_CHANNEL, CHANNELS[0])].detail == "invited to the channel"
    # The Slack id found by email is kept on the profile, with an audit entry saying where it came from.
    membership.person.refresh_from_db()
    assert (membership.person.slack_user_id, membership.person.slack_team_id) == ("U0CAM", "T0OMDENA")
    assert AuditEntry.objects.filter(verb="person.slack_identity_found", to_state="U0CAM").count() == 1
    assert workspace.calls("users.lookupByEmail") == 1  # the later steps use the stored id
    # The welcome DM went through the outbox and reached Slack, with the challenge's links.
    [dm] = workspace.dms_to("U0CAM")
    assert "Water pump failures" in dm
    assert f"<#{CHANNELS[0]}>" in dm
    assert OutboxMessage.objects.get(template="onboarding_welcome").status == OutboxStatus.SENT
    assert mail.outbox == []


def test_someone_already_in_the_channel_counts_as_done(workspace, onboard):
    workspace.add_channel(CHANNELS[0], members=("U0CAM",))
    membership = seat(slack_channel_ids=CHANNELS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.SLACK_CHANNEL, CHANNELS[0])]
    assert (step.status, step.detail) == (Status.DONE, "was already in the channel")


def test_someone_not_in_the_workspace_gets_the_invite_link_by_email_and_is_added_once_they_join(
    workspace, onboard, run_due, travel
):
    membership = seat(email="newcomer@example.org", slack_channel_ids=CHANNELS)

    onboard(membership)

    [email] = mail.outbox
    assert email.to == ["newcomer@example.org"]
    assert email.subject == "Join the Slack workspace for Water pump failures"
    assert INVITE_URL in email.body
    assert "newcomer@example.org" in email.body  # join with the profile's address: that is how we find them
    steps = steps_of(membership)
    assert steps[(Kind.SLACK_WORKSPACE_INVITE, "")].status == Status.DONE
    waiting = [steps[(Kind.SLACK_CHANNEL, channel)] for channel in CHANNELS] + [steps[(Kind.SLACK_WELCOME_DM, "")]]
    assert {step.status for step in waiting} == {Status.WAITING_FOR_PERSON}
    assert all(step.next_attempt_at > NOW for step in waiting)
    assert "no member with newcomer@example.org" in waiting[0].detail
    assert workspace.members(CHANNELS[0]) == set() and workspace.dms == []

    # Nothing is due yet; then the person joins the workspace and the beat looks again.
    assert run_due() == 0
    workspace.add_user("U0NEWBIE", email="newcomer@example.org")
    travel(NOW + dt.timedelta(hours=1))
    assert run_due() == 3

    assert all(workspace.members(channel) == {"U0NEWBIE"} for channel in CHANNELS)
    assert len(workspace.dms_to("U0NEWBIE")) == 1
    assert {step.status for step in steps_of(membership).values()} == {Status.DONE}
    assert len(mail.outbox) == 1  # the invite link went out once


def test_without_an_invite_link_staff_are_told_to_add_one(workspace, onboard):
    membership = seat(email="newcomer@example.org", slack_channel_ids=CHANNELS[:1], slack_invite_url="")

    onboard(membership)

    invite = steps_of(membership)[(Kind.SLACK_WORKSPACE_INVITE, "")]
    assert invite.status == Status.FAILED
    assert "no Slack workspace invite link" in invite.detail
    assert mail.outbox == []


def test_a_channel_the_bot_is_not_in_fails_with_slacks_code_and_a_hint(workspace, onboard):
    workspace.add_channel("C0PRIVATE", bot=False)
    membership = seat(slack_channel_ids=["C0PRIVATE"])

    onboard(membership)

    step = steps_of(membership)[(Kind.SLACK_CHANNEL, "C0PRIVATE")]
    assert (step.status, step.last_error) == (Status.FAILED, "not_in_channel")
    assert "add the app to the channel" in step.detail


def test_a_slack_429_is_rescheduled_at_retry_after_and_then_succeeds(workspace, onboard, run_due, travel):
    workspace.rate_limit_next(retry_after=30, method="conversations.invite")
    membership = seat(slack_channel_ids=CHANNELS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.SLACK_CHANNEL, CHANNELS[0])]
    assert (step.status, step.http_status, step.last_error) == (Status.RATE_LIMITED, 429, "ratelimited")
    assert step.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert workspace.members(CHANNELS[0]) == set()

    travel(NOW + dt.timedelta(seconds=31))
    assert run_due() == 1

    step.refresh_from_db()
    assert (step.status, step.attempts, step.http_status, step.last_error) == (Status.DONE, 2, 200, "")
    assert workspace.members(CHANNELS[0]) == {"U0CAM"}


# --- GitHub ------------------------------------------------------------------------------------------------------


def test_a_201_is_an_invitation_to_accept_and_a_204_is_access_already_there(repos, onboard):
    repos.add_repo(REPOS[1], collaborators=("octocat",))
    membership = seat(github_repositories=REPOS)

    onboard(membership)

    invited, existing = (steps_of(membership)[(Kind.GITHUB_REPOSITORY, repo)] for repo in REPOS)
    assert (invited.status, invited.http_status) == (Status.INVITATION_PENDING, 201)
    assert invited.detail == "invitation sent to octocat; access starts when they accept it on GitHub"
    assert invited.invitation_sent_at == NOW
    assert (existing.status, existing.http_status, existing.detail) == (Status.DONE, 204, "octocat already had access")
    assert existing.invitation_sent_at is None  # no invitation: does not count towards the daily limit
    assert repos.invitations(REPOS[0]) == {"octocat"}


def test_a_team_gives_access_through_one_membership(repos, onboard):
    repos.add_team("OmdenaAI", "water-pumps")
    repos.add_user("ada-codes")
    repos.add_org_member("OmdenaAI", "ada-codes")
    outsider = seat(github_repositories=REPOS, github_team_slug="water-pumps")
    member = seat(email="ada@example.org", github_username="ada-codes", github_team_slug="water-pumps")

    onboard(outsider)
    onboard(member)

    pending = steps_of(outsider)
    assert set(pending) == {(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")}  # no per-repository invitations
    assert pending[(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")].status == Status.INVITATION_PENDING
    assert steps_of(member)[(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")].status == Status.DONE
    assert repos.team_members("OmdenaAI", "water-pumps") == {"octocat": "pending", "ada-codes": "active"}


def test_an_unknown_github_user_fails_with_githubs_message(repos, onboard):
    membership = seat(github_username="nobody-here", github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.http_status, step.last_error) == (Status.FAILED, 404, "Not Found")
    assert step.detail.startswith("GitHub has no user “nobody-here”")
    assert repos.invitations(REPOS[0]) == set()


def test_a_missing_github_username_waits_for_the_person_then_continues_when_they_add_it(
    repos, onboard, django_capture_on_commit_callbacks
):
    membership = seat(github_username="", github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.detail) == (
        Status.WAITING_FOR_PERSON,
        "no GitHub username on the profile: the person must add it",
    )
    assert repos.request_count() == 0

    person = membership.person
    with django_capture_on_commit_callbacks(execute=True):
        # Saving the profile is what sets the waiting step going again.
        profile_update(person=person, by=person, data={"github_username": "octocat"})

    step.refresh_from_db()
    assert step.status == Status.INVITATION_PENDING
    assert repos.invitations(REPOS[0]) == {"octocat"}


@pytest.mark.parametrize("status", [403, 429])
def test_a_spent_github_rate_limit_waits_for_the_reset_then_succeeds(repos, onboard, run_due, travel, status):
    reset_at = NOW + dt.timedelta(minutes=40)
    repos.exhaust_rate_limit(reset_at=reset_at, status=status)
    membership = seat(github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.http_status, step.next_attempt_at) == (Status.RATE_LIMITED, status, reset_at)
    assert "rate limit exceeded" in step.last_error
    assert "continues at 2026-11-09 12:40:00 UTC" in step.detail
    assert repos.invitations(REPOS[0]) == set()

    travel(reset_at - dt.timedelta(minutes=1))
    assert run_due() == 0  # never before the time GitHub gave

    travel(reset_at + dt.timedelta(seconds=5))
    assert run_due() == 1
    step.refresh_from_db()
    assert (step.status, step.http_status, step.attempts, step.last_error) == (Status.INVITATION_PENDING, 201, 2, "")
    assert repos.invitations(REPOS[0]) == {"octocat"}


def test_a_502_is_retried_by_the_task(repos, onboard):
    repos.break_next(status=502)
    membership = seat(github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.attempts, step.last_error) == (Status.INVITATION_PENDING, 2, "")
    assert repos.request_count(f"/repos/{REPOS[0]}/collaborators/octocat", method="PUT") == 2


def test_a_github_that_keeps_failing_is_given_up_after_five_retries(repos, onboard):
    repos.break_next(status=502, count=20)
    membership = seat(github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.attempts, step.http_status, step.last_error) == (Status.FAILED, 6, 502, "Server Error")
    assert step.detail == "GitHub kept failing; gave up after 6 attempts"
    assert repos.request_count(method="PUT") == 6


def test_the_daily_invitation_limit_defers_to_the_next_utc_day(repos, onboard, run_due, travel):
    # Fifty people were invited to this repository today already.
    for earlier in MembershipFactory.create_batch(50):
        OnboardingStep.objects.create(
            membership=earlier,
            kind=Kind.GITHUB_REPOSITORY,
            target=REPOS[0],
            status=Status.INVITATION_PENDING,
            invitation_sent_at=NOW - dt.timedelta(hours=3),
        )
    membership = seat(github_repositories=REPOS)

    onboard(membership)

    deferred, other = (steps_of(membership)[(Kind.GITHUB_REPOSITORY, repo)] for repo in REPOS)
    assert (deferred.status, deferred.detail) == (Status.PENDING, "daily invitation limit reached; continues tomorrow")
    assert deferred.next_attempt_at == dt.datetime(2026, 11, 10, 0, 5, tzinfo=dt.UTC)
    assert deferred.attempts == 0
    assert other.status == Status.INVITATION_PENDING  # the limit is per repository
    assert repos.invitations(REPOS[0]) == set()

    travel(dt.datetime(2026, 11, 9, 23, 59, tzinfo=dt.UTC))
    run_due()  # (the other repository's pending invitation is looked at; it is still pending)
    deferred.refresh_from_db()
    assert deferred.status == Status.PENDING and repos.invitations(REPOS[0]) == set()
    travel(dt.datetime(2026, 11, 10, 0, 6, tzinfo=dt.UTC))
    run_due()
    deferred.refresh_from_db()
    assert deferred.status == Status.INVITATION_PENDING
    assert repos.invitations(REPOS[0]) == {"octocat"}


def test_githubs_own_invitation_limit_answer_also_defers_to_the_next_day(repos, onboard):
    repos.invitation_limit = 0  # e.g. staff invited people by hand today
    membership = seat(github_repositories=REPOS[:1])

    onboard(membership)

    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert (step.status, step.http_status) == (Status.PENDING, 422)
    assert "limit of invitations" in step.last_error
    assert step.next_attempt_at == dt.datetime(2026, 11, 10, 0, 5, tzinfo=dt.UTC)


def test_a_batch_of_accepts_is_paced_instead_of_bursting(repos, onboard, run_due, travel, settings):
    settings.ONBOARDING_GITHUB_WRITES_PER_MINUTE = 3
    memberships = [
        seat(email=f"p{n}@example.org", github_username=f"person{n}", github_repositories=REPOS[:1]) for n in range(5)
    ]
    for n in range(5):
        repos.add_user(f"person{n}")

    for membership in memberships:
        onboard(membership)

    statuses = [steps_of(m)[(Kind.GITHUB_REPOSITORY, REPOS[0])] for m in memberships]
    assert [step.status for step in statuses] == [Status.INVITATION_PENDING] * 3 + [Status.PENDING] * 2
    assert {step.next_attempt_at for step in statuses[3:]} == {NOW + dt.timedelta(minutes=1)}
    assert "paced" in statuses[3].detail
    assert repos.request_count(method="PUT") == 3

    travel(NOW + dt.timedelta(minutes=1))
    assert run_due() == 2
    assert repos.invitations(REPOS[0]) == {f"person{n}" for n in range(5)}


# --- Re-runs and revocation --------------------------------------------------------------------------------------


def test_running_onboarding_again_adds_no_step_and_sends_nothing_twice(workspace, repos, onboard, run_due, travel):
    member = seat(slack_channel_ids=CHANNELS, github_repositories=REPOS)
    newcomer = seat(email="newcomer@example.org", github_username="", slack_channel_ids=CHANNELS)

    for _round in range(2):
        onboard(member)
        onboard(newcomer)
        travel(NOW + dt.timedelta(days=2))
        run_due()

    assert OnboardingStep.objects.filter(membership=member).count() == 5  # two channels, the DM, two repositories
    assert OnboardingStep.objects.filter(membership=newcomer).count() == 4  # two channels, the DM, the invite link
    assert len(workspace.dms_to("U0CAM")) == 1
    assert len(mail.outbox) == 1
    assert workspace.calls("conversations.invite") == 2
    assert repos.request_count(method="PUT") == 2


def test_a_channel_added_to_the_challenge_later_is_added_by_a_new_run(workspace, onboard):
    membership = seat(slack_channel_ids=CHANNELS[:1])
    onboard(membership)
    challenge = membership.challenge
    challenge.slack_channel_ids = CHANNELS
    challenge.save(update_fields=["slack_channel_ids"])

    onboard(membership)

    assert workspace.members(CHANNELS[1]) == {"U0CAM"}
    assert len(workspace.dms_to("U0CAM")) == 1


def test_revoking_removes_the_person_from_slack_and_github(workspace, repos, onboard, revoke):
    membership = seat(slack_channel_ids=CHANNELS, github_repositories=REPOS)
    onboard(membership)
    repos.accept_invitation(REPOS[1], "octocat")  # one accepted, one still pending

    revoke(membership)

    revokes = steps_of(membership, direction=OnboardingDirection.REVOKE)
    assert set(revokes) == {(Kind.SLACK_CHANNEL, c) for c in CHANNELS} | {(Kind.GITHUB_REPOSITORY, r) for r in REPOS}
    assert {step.status for step in revokes.values()} == {Status.DONE}
    assert all(workspace.members(channel) == set() for channel in CHANNELS)
    assert all(repos.collaborators(repo) == set() and repos.invitations(repo) == set() for repo in REPOS)


def test_revoking_removes_the_account_that_was_granted_even_after_a_username_change(repos, onboard, revoke):
    repos.add_user("octo-renamed")
    membership = seat(github_repositories=REPOS[:1])
    onboard(membership)
    repos.accept_invitation(REPOS[0], "octocat")
    person = membership.person
    person.github_username = "octo-renamed"  # a later profile edit
    person.save(update_fields=["github_username"])

    revoke(membership)

    assert repos.collaborators(REPOS[0]) == set()
    revoked = steps_of(membership, direction=OnboardingDirection.REVOKE)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert revoked.status == Status.DONE and revoked.http_status == 204


def test_revoking_a_team_membership(repos, onboard, revoke):
    repos.add_team("OmdenaAI", "water-pumps")
    membership = seat(github_team_slug="water-pumps")
    onboard(membership)

    revoke(membership)

    assert repos.team_members("OmdenaAI", "water-pumps") == {}
    step = steps_of(membership, direction=OnboardingDirection.REVOKE)[(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")]
    assert (step.status, step.http_status) == (Status.DONE, 204)


def test_revoking_cancels_grants_not_done_yet_so_joining_slack_later_grants_nothing(
    workspace, onboard, revoke, run_due, travel
):
    membership = seat(email="newcomer@example.org", slack_channel_ids=CHANNELS[:1])
    onboard(membership)

    revoke(membership)
    workspace.add_user("U0NEWBIE", email="newcomer@example.org")
    travel(NOW + dt.timedelta(days=2))
    run_due()

    grants = steps_of(membership, direction=OnboardingDirection.GRANT)
    assert grants[(Kind.SLACK_CHANNEL, CHANNELS[0])].status == Status.CANCELLED
    assert workspace.members(CHANNELS[0]) == set()
    assert workspace.dms == []


# --- Concurrency -------------------------------------------------------------------------------------------------


@pytest.mark.postgres
# --- Pending invitations: accepted, still pending, expired ----------------------------------------------------


def test_an_accepted_repository_invitation_is_seen_and_the_step_is_done(client, repos, onboard, run_due, travel):
    membership = seat(github_repositories=REPOS[:1])
    onboard(membership)
    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert step.next_attempt_at == NOW + dt.timedelta(hours=1)

    travel(NOW + dt.timedelta(minutes=59))
    assert run_due() == 0  # not yet looked at
    repos.accept_invitation(REPOS[0], "octocat")
    travel(NOW + dt.timedelta(hours=1, minutes=1))
    assert run_due() == 1

    step.refresh_from_db()
    assert (step.status, step.detail) == (Status.DONE, "octocat accepted the invitation and has access")
    assert (step.invitations_sent, repos.repos[REPOS[0].lower()].invitations_sent) == (1, 1)
    client.force_login(membership.person)
    page = client.get("/me/challenges/").content.decode()
    assert "accept the invitation" not in page


def test_a_pending_invitation_is_looked_at_less_and_less_often_and_never_sent_twice(repos, onboard, run_due, travel):
    membership = seat(github_repositories=REPOS[:1])
    onboard(membership)
    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]

    looks = []
    for hours in (1, 2, 4, 8):
        travel(NOW + dt.timedelta(hours=hours, minutes=1))
        run_due()
        step.refresh_from_db()
        looks.append(step.next_attempt_at - (NOW + dt.timedelta(hours=hours, minutes=1)))

    assert step.status == Status.INVITATION_PENDING
    assert looks == sorted(looks) and looks[0] == dt.timedelta(hours=1) and looks[-1] > dt.timedelta(hours=4)
    assert (step.invitations_sent, repos.repos[REPOS[0].lower()].invitations_sent) == (1, 1)


def test_an_expired_invitation_is_sent_again_and_after_three_staff_are_told(client, staff, repos, onboard, run_due):
    membership = seat(github_repositories=REPOS[:1])
    onboard(membership)
    step = steps_of(membership)[(Kind.GITHUB_REPOSITORY, REPOS[0])]

    for sent in (2, 3):
        repos.expire_invitation(REPOS[0], "octocat")
        OnboardingStep.objects.filter(pk=step.pk).update(next_attempt_at=NOW)
        run_due()
        step.refresh_from_db()
        assert (step.status, step.invitations_sent) == (Status.INVITATION_PENDING, sent)
        assert repos.repos[REPOS[0].lower()].invitations_sent == sent
        assert step.invitation_sent_at == NOW

    repos.expire_invitation(REPOS[0], "octocat")
    OnboardingStep.objects.filter(pk=step.pk).update(next_attempt_at=NOW)
    run_due()

    step.refresh_from_db()
    assert step.status == Status.FAILED
    assert step.detail == "3 invitations to octocat expired unaccepted; ask them, then retry"
    assert repos.repos[REPOS[0].lower()].invitations_sent == 3
    client.force_login(staff)
    assert "3 invitations to octocat expired unaccepted" in client.get("/staff/onboarding/").content.decode()


def test_a_team_invitation_accepted_or_expired(repos, onboard, run_due):
    repos.add_team("OmdenaAI", "water-pumps")
    repos.add_user("ada-codes")
    accepting = seat(github_team_slug="water-pumps")
    forgetting = seat(email="ada@example.org", github_username="ada-codes", github_team_slug="water-pumps")
    onboard(accepting)
    onboard(forgetting)

    repos.accept_org_invitation("OmdenaAI", "octocat")
    repos.expire_org_invitation("OmdenaAI", "ada-codes")
    OnboardingStep.objects.update(next_attempt_at=NOW)
    run_due()

    accepted = steps_of(accepting)[(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")]
    again = steps_of(forgetting)[(Kind.GITHUB_TEAM, "OmdenaAI/water-pumps")]
    assert (accepted.status, accepted.detail) == (Status.DONE, "octocat accepted the invitation and is in the team")
    assert (again.status, again.invitations_sent) == (Status.INVITATION_PENDING, 2)
    assert repos.team_members("OmdenaAI", "water-pumps") == {"octocat": "active", "ada-codes": "pending"}


def test_a_pending_invitation_of_a_removed_seat_is_not_looked_at_but_revoked(repos, onboard, run_due, revoke):
    membership = seat(github_repositories=REPOS[:1])
    onboard(membership)

    revoke(membership)
    OnboardingStep.objects.filter(direction=OnboardingDirection.GRANT).update(next_attempt_at=NOW)
    run_due()

    grant = steps_of(membership, direction=OnboardingDirection.GRANT)[(Kind.GITHUB_REPOSITORY, REPOS[0])]
    assert grant.status == Status.CANCELLED
    assert repos.invitations(REPOS[0]) == set()  # the revocation cancelled the invitation on GitHub


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_step_run_twice_at_the_same_moment_calls_github_once(repos):
    from activity.onboarding import onboarding_step_run

    membership = seat(github_repositories=REPOS[:1])
    step = OnboardingStep.objects.create(
        membership=membership, kind=Kind.GITHUB_REPOSITORY, target=REPOS[0], next_attempt_at=NOW
    )
    github_answering = threading.Event()
    second_done = threading.Event()

    def slow_invitation() -> Response:
        github_answering.set()
        second_done.wait(timeout=10)  # the first run holds the step while GitHub "thinks"
        return Response(
            201, {"id": 77, "invitee": {"login": "octocat", "id": 583231}, "html_url": "https://github.com/x"}
        )

    repos.fail_next(slow_invitation, matches=lambda request: request.method == "PUT")
    results = {}

    def run(name: str) -> None:
        try:
            results[name] = onboarding_step_run(step_id=step.pk)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert github_answering.wait(timeout=10)
    run("second")
    second_done.set()
    first.join(timeout=10)

    assert results["second"] is None  # skipped: the first run holds the row
    assert results["first"].status == Status.INVITATION_PENDING
    assert repos.request_count(method="PUT") == 1
