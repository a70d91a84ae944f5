"""The do-ocracy policy over simulated weeks: warnings, lifting, removal proposals, removal, excuses, re-runs."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string

from activity.doocracy import (
    excuse_decide,
    excuse_declare,
    policy_run,
    removal_cancel,
    removal_confirm,
)
from activity.models import (
    ActivityEvent,
    ActivitySource,
    EventKind,
    ExcuseStatus,
    InactivityWarning,
    ScoringPolicy,
    SourceKind,
    WarningStatus,
    WeeklyScore,
)
from activity.tasks import weekly_doocracy
from challenges.enums import ChallengeStatus
from collaborators.enums import MembershipStatus, RemovalReason
from collaborators.models import Membership
from notifications.models import OutboxMessage
from omdena.errors import TransitionNotAllowed
from referrals.services import ReferralCodeError, referral_code_check, referral_code_issue
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 11, 2)  # Monday of 2026-W45, the first (unscored) week
JOINED = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
W45, W46, W47, W48 = "2026-W45", "2026-W46", "2026-W47", "2026-W48"
# The beat runs on the Monday after each week, at 06:00 UTC.
MONDAY_AFTER = {
    W45: dt.datetime(2026, 11, 9, 6, tzinfo=dt.UTC),
    W46: dt.datetime(2026, 11, 16, 6, tzinfo=dt.UTC),
    W47: dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC),
    W48: dt.datetime(2026, 11, 30, 6, tzinfo=dt.UTC),
}
MIDWEEK = {W46: dt.datetime(2026, 11, 11, 12, tzinfo=dt.UTC), W47: dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)}
WARNING_SUBJECT = "Action needed"
_ids = itertools.count()


def record(membership, kind: str, when: dt.datetime, count: int = 1) -> None:
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            challenge=membership.challenge,
            person=membership.person,
            source_key="test",
            external_id=str(next(_ids)),
            kind=kind,
            occurred_at=when,
        )
        for _ in range(count)
    )


def member(challenge, name: str) -> Membership:
    person = UserFactory(display_name=name, email=f"{name.lower()}@example.org")
    membership = MembershipFactory(challenge=challenge, person=person)
    Membership.objects.filter(pk=membership.pk).update(joined_at=JOINED)
    membership.refresh_from_db()
    return membership


def run_week(challenge, week, capture):
    """The weekly beat for one week: at 06:00 UTC on the Monday after it, messages sent after commit."""
    with time_machine.travel(MONDAY_AFTER[week], tick=False), capture(execute=True):
        return policy_run(challenge=challenge, week=week)


def emails_to(person, subject_part: str) -> list:
    return [m for m in mail.outbox if m.to == [person.email] and subject_part in m.subject]


@pytest.fixture
def challenge():
    return ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START, title="Floods")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def status_of(membership) -> str:
    membership.refresh_from_db()
    return membership.status


def test_three_weeks_of_the_policy(challenge, staff, capture):
    steady = member(challenge, "Ada")
    returning = member(challenge, "Ben")
    gone = member(challenge, "Cy")
    away = member(challenge, "Di")
    code = referral_code_issue(owner=gone.person)
    with time_machine.travel(MIDWEEK[W46], tick=False):
        excuse = excuse_declare(membership=away, first_week=W46, last_week=W47, reason="Family wedding", by=away.person)
    excuse_decide(excuse=excuse, by=staff, approve=True)

    # Week 45, the first: nothing is scored, nobody is warned.
    first = run_week(challenge, W45, capture)
    assert first.skipped and first.scored == 0
    assert not WeeklyScore.objects.exists()

    # Week 46: Ada opens a pull request; Ben and Cy only chat a little; Di is away (excused).
    record(steady, EventKind.PR_OPENED, MIDWEEK[W46])
    record(returning, EventKind.MESSAGE, MIDWEEK[W46], count=3)
    result = run_week(challenge, W46, capture)

    assert (result.scored, result.warned, result.lifted, result.proposed) == (4, 2, 0, 0)
    assert status_of(steady) == MembershipStatus.ACTIVE
    assert status_of(away) == MembershipStatus.ACTIVE
    assert WeeklyScore.objects.get(membership=away, week=W46).excused
    assert status_of(returning) == status_of(gone) == MembershipStatus.WARNED
    warning = InactivityWarning.objects.get(membership=returning)
    assert (warning.week, warning.removal_due_on, warning.status) == (W46, dt.date(2026, 11, 23), WarningStatus.OPEN)
    [email] = emails_to(returning.person, WARNING_SUBJECT)
    assert "Monday 23 November 2026" in email.subject
    assert "you earned 3 of the 10 points" in email.body
    assert "reach 10 points in the week of Monday 16 November 2026 to Sunday 22 November 2026" in email.body
    assert "one pull request" in email.body and "5 Slack messages and a meeting" in email.body
    assert "your seat goes to staff for removal on Monday 23 November 2026" in email.body
    slack = OutboxMessage.objects.get(idempotency_key=f"inactivity-warning:{returning.pk}:{W46}:slack")
    dm = render_to_string("notifications/inactivity_warning.slack.txt", {**slack.context, "recipient_name": "Ben"})
    assert "*Floods*: you earned 3 of 10 points" in dm
    assert "Otherwise your seat goes to staff for removal on Monday 23 November 2026." in dm
    assert not emails_to(steady.person, WARNING_SUBJECT) and not emails_to(away.person, WARNING_SUBJECT)

    # Week 47: Ada again, Ben comes back (a review and messages), Cy stays silent, Di is still away.
    record(steady, EventKind.PR_MERGED, MIDWEEK[W47], count=2)
    record(returning, EventKind.REVIEW, MIDWEEK[W47])
    record(returning, EventKind.MESSAGE, MIDWEEK[W47], count=2)
    result = run_week(challenge, W47, capture)

    assert (result.scored, result.warned, result.lifted, result.proposed, result.removed) == (4, 0, 1, 1, 0)
    assert status_of(returning) == MembershipStatus.ACTIVE
    warning.refresh_from_db()
    assert warning.status == WarningStatus.LIFTED
    assert len(emails_to(returning.person, "Your warning is lifted")) == 1
    lifted_dm = OutboxMessage.objects.get(idempotency_key=f"warning-lifted:{returning.pk}:{W46}:slack")
    assert "thank you for being active again" in render_to_string(
        "notifications/warning_lifted.slack.txt", lifted_dm.context
    )
    proposal = InactivityWarning.objects.get(membership=gone)
    assert proposal.status == WarningStatus.REMOVAL_PROPOSED
    assert status_of(gone) == MembershipStatus.WARNED  # staff decide

    # Staff confirm: Cy's seat ends, access is revoked, the referral code stops, they must apply again.
    with capture(execute=True):
        removal_confirm(warning=proposal, by=staff)
    proposal.refresh_from_db()
    gone.refresh_from_db()
    assert proposal.status == WarningStatus.REMOVED and proposal.decided_by == staff
    assert (gone.status, gone.removal_reason) == (MembershipStatus.REMOVED, RemovalReason.INACTIVITY)
    assert gone.left_at is not None
    with pytest.raises(ReferralCodeError) as refused:
        referral_code_check(raw_code=code.code, applicant=UserFactory())
    assert refused.value.code == "owner_removed"
    assert emails_to(gone.person, "You left the challenge")

    # Week 48: Cy is no longer scored; Ben and Di are inactive now (Di's leave is over) and warned.
    record(steady, EventKind.PR_OPENED, dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    result = run_week(challenge, W48, capture)
    assert (result.scored, result.warned) == (3, 2)
    assert not WeeklyScore.objects.filter(membership=gone, week=W48).exists()
    assert status_of(steady) == MembershipStatus.ACTIVE
    assert len(emails_to(returning.person, WARNING_SUBJECT)) == 2  # one per warned week, never twice for one


def test_rerunning_a_week_changes_nothing_and_sends_one_warning(challenge, capture):
    quiet = member(challenge, "Ed")
    busy = member(challenge, "Flo")
    record(busy, EventKind.PR_OPENED, MIDWEEK[W46])
    record(busy, EventKind.MESSAGE, MIDWEEK[W46], count=25)

    run_week(challenge, W46, capture)
    scores = list(WeeklyScore.objects.order_by("pk").values("pk", "points", "breakdown", "active"))
    again = run_week(challenge, W46, capture)

    assert (again.scored, again.warned, again.lifted, again.proposed) == (2, 0, 0, 0)
    assert list(WeeklyScore.objects.order_by("pk").values("pk", "points", "breakdown", "active")) == scores
    assert scores[1]["points"] == 20
    assert InactivityWarning.objects.filter(membership=quiet).count() == 1
    assert len(emails_to(quiet.person, WARNING_SUBJECT)) == 1
    assert OutboxMessage.objects.filter(recipient=quiet.person).count() == 2  # email and Slack, once each

    # The following week's run, twice, proposes the removal once.
    run_week(challenge, W47, capture)
    second = run_week(challenge, W47, capture)
    assert second.proposed == 0
    assert InactivityWarning.objects.get(membership=quiet).status == WarningStatus.REMOVAL_PROPOSED


def test_automatic_removal_where_the_challenge_says_so(challenge, capture):
    ScoringPolicy.objects.create(challenge=challenge, remove_automatically=True)
    quiet = member(challenge, "Gus")
    code = referral_code_issue(owner=quiet.person)

    run_week(challenge, W46, capture)
    [email] = emails_to(quiet.person, WARNING_SUBJECT)
    assert "your seat will be removed on Monday 23 November 2026" in email.body
    result = run_week(challenge, W47, capture)

    assert (result.removed, result.proposed) == (1, 0)
    quiet.refresh_from_db()
    assert (quiet.status, quiet.removal_reason) == (MembershipStatus.REMOVED, RemovalReason.INACTIVITY)
    assert InactivityWarning.objects.get(membership=quiet).status == WarningStatus.REMOVED
    with pytest.raises(ReferralCodeError):
        referral_code_check(raw_code=code.code)
    assert run_week(challenge, W47, capture).removed == 0


def test_staff_may_cancel_a_proposed_removal(challenge, staff, capture):
    quiet = member(challenge, "Hal")
    run_week(challenge, W46, capture)
    run_week(challenge, W47, capture)
    proposal = InactivityWarning.objects.get(membership=quiet)

    with capture(execute=True):
        cancelled = removal_cancel(warning=proposal, by=staff, note="Was sick, told the task leader.")

    assert (cancelled.status, cancelled.decided_by, cancelled.note) == (
        WarningStatus.CANCELLED,
        staff,
        "Was sick, told the task leader.",
    )
    assert status_of(quiet) == MembershipStatus.ACTIVE
    assert emails_to(quiet.person, "Your warning is lifted")
    with pytest.raises(TransitionNotAllowed):
        removal_confirm(warning=cancelled, by=staff)


def test_a_warning_is_lifted_when_its_week_is_excused_later(challenge, staff, capture):
    quiet = member(challenge, "Ida")
    run_week(challenge, W46, capture)
    warning = InactivityWarning.objects.get(membership=quiet)

    with time_machine.travel(MIDWEEK[W47], tick=False):
        excuse = excuse_declare(membership=quiet, first_week=W46, last_week=W46, reason="Exams", by=quiet.person)
    with capture(execute=True):
        excuse_decide(excuse=excuse, by=staff, approve=True)

    warning.refresh_from_db()
    assert warning.status == WarningStatus.LIFTED
    assert status_of(quiet) == MembershipStatus.ACTIVE
    assert WeeklyScore.objects.get(membership=quiet, week=W46).excused
    assert len(emails_to(quiet.person, "Your warning is lifted")) == 1
    assert run_week(challenge, W46, capture).warned == 0  # a re-run does not warn an excused week


def test_leave_in_the_lift_week_lifts_the_warning(challenge, staff, capture):
    quiet = member(challenge, "Jo")
    run_week(challenge, W46, capture)
    with time_machine.travel(MIDWEEK[W47], tick=False):
        excuse = excuse_declare(membership=quiet, first_week=W47, last_week=W47, reason="Moving", by=quiet.person)
    excuse_decide(excuse=excuse, by=staff, approve=True)

    assert InactivityWarning.objects.get(membership=quiet).status == WarningStatus.LIFTED
    assert run_week(challenge, W47, capture).proposed == 0


def test_a_declined_excuse_protects_nothing(challenge, staff, capture):
    quiet = member(challenge, "Kim")
    with time_machine.travel(MIDWEEK[W46], tick=False):
        excuse = excuse_declare(membership=quiet, first_week=W46, last_week=W46, reason="Busy", by=quiet.person)
    declined = excuse_decide(excuse=excuse, by=staff, approve=False)

    assert (declined.status, declined.decided_by) == (ExcuseStatus.DECLINED, staff)
    assert run_week(challenge, W46, capture).warned == 1
    with pytest.raises(TransitionNotAllowed):
        excuse_decide(excuse=declined, by=staff, approve=True)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (W47, W46, "last_week"),  # ends before it starts
        (W46, "2026-W51", "last_week"),  # five weeks
        ("2026-W44", W45, "first_week"),  # before last week
        ("2026-46", W47, "first_week"),  # not a week
    ],
)
def test_leave_is_validated(challenge, first, last, field):
    membership = member(challenge, "Lu")
    with time_machine.travel(MIDWEEK[W46], tick=False), pytest.raises(ValidationError) as refused:
        excuse_declare(membership=membership, first_week=first, last_week=last, reason="Away", by=membership.person)
    assert field in refused.value.message_dict


def test_leave_may_start_last_week_and_may_not_overlap(challenge):
    membership = member(challenge, "Mo")
    with time_machine.travel(MIDWEEK[W46], tick=False):
        excuse = excuse_declare(
            membership=membership, first_week=W45, last_week=W48, reason="Away", by=membership.person
        )
        assert excuse.status == ExcuseStatus.PENDING
        with pytest.raises(ValidationError):
            excuse_declare(membership=membership, first_week=W48, last_week=W48, reason="Again", by=membership.person)


def test_the_week_must_be_over(challenge):
    with time_machine.travel(MIDWEEK[W46], tick=False), pytest.raises(ValueError, match="not finished"):
        policy_run(challenge=challenge, week=W46)


def test_the_command_scores_and_reports(challenge, capsys):
    member(challenge, "Ned")
    with time_machine.travel(MONDAY_AFTER[W46], tick=False):
        call_command("score_week", "--challenge", challenge.slug)
        call_command("score_week", "--challenge", challenge.slug, "--week", W45)

    out = capsys.readouterr().out
    assert f"{challenge.slug} {W46}: 1 scored, 1 warned, 0 lifted, 0 removals proposed, 0 removed." in out
    assert f"{challenge.slug} {W45}: skipped" in out


def test_the_beat_task_polices_last_week_of_every_running_challenge(challenge, capture):
    quiet = member(challenge, "Oz")
    ChallengeFactory(status=ChallengeStatus.OPEN)
    with time_machine.travel(MONDAY_AFTER[W46], tick=False), capture(execute=True):
        assert weekly_doocracy.delay().get() == 1

    assert WeeklyScore.objects.get(membership=quiet).week == W46
    assert status_of(quiet) == MembershipStatus.WARNED


def test_a_confirmed_removal_takes_slack_and_github_access_away(
    fake_slack, fake_github, staff, django_capture_on_commit_callbacks
):
    """Journey 6: staff confirm a proposed removal; the person leaves the channel and the repository."""
    from activity.models import InactivityWarning, WarningStatus
    from tests.factories import ChallengeFactory, MembershipFactory

    fake_slack.add_user("U0GONE1", email="gone@example.org")
    fake_slack.add_channel("C0FLOODS1", members=("U0GONE1",))
    fake_github.add_user("gone-dev", id=4242)
    fake_github.add_repo("OmdenaAI/floods", collaborators=("gone-dev",))
    challenge = ChallengeFactory(
        status="running", slack_channel_ids=["C0FLOODS1"], github_repositories=["OmdenaAI/floods"]
    )
    person = UserFactory(email="gone@example.org", slack_user_id="U0GONE1", github_username="gone-dev")
    membership = MembershipFactory(person=person, challenge=challenge, status=MembershipStatus.WARNED)
    warning = InactivityWarning.objects.create(
        membership=membership,
        week="2026-W46",
        removal_due_on=dt.date(2026, 11, 23),
        status=WarningStatus.REMOVAL_PROPOSED,
    )

    assert "U0GONE1" in fake_slack.members("C0FLOODS1") and "gone-dev" in fake_github.collaborators("OmdenaAI/floods")
    with django_capture_on_commit_callbacks(execute=True):
        removal_confirm(warning=warning, by=staff)

    assert "U0GONE1" not in fake_slack.members("C0FLOODS1")
    assert "gone-dev" not in fake_github.collaborators("OmdenaAI/floods")


# --- Waiting for the week's sync -------------------------------------------------------------------------------


def test_warnings_wait_for_a_source_that_has_not_synced_the_whole_week(challenge, capture):
    quiet = member(challenge, "Quinn")
    repository = ActivitySource.objects.create(
        challenge=challenge,
        kind=SourceKind.GITHUB_REPOSITORY,
        identifier="OmdenaAI/floods",
        cursor=dt.datetime(2026, 11, 15, 20, tzinfo=dt.UTC),  # the sync failed before Sunday night's work
    )

    held = run_week(challenge, W46, capture)

    assert held.held == "warnings wait until OmdenaAI/floods synced past the end of 2026-W46"
    assert held.scored == 1 and held.warned == 0
    assert not InactivityWarning.objects.exists() and emails_to(quiet.person, WARNING_SUBJECT) == []

    # The late sync brings Quinn's Sunday pull request: the next run scores it and warns nobody.
    record(quiet, EventKind.PR_OPENED, dt.datetime(2026, 11, 15, 22, tzinfo=dt.UTC))
    ActivitySource.objects.filter(pk=repository.pk).update(cursor=dt.datetime(2026, 11, 16, 3, tzinfo=dt.UTC))
    done = run_week(challenge, W46, capture)

    assert done.held == "" and done.warned == 0
    assert WeeklyScore.objects.get(membership=quiet, week=W46).active


def test_after_two_days_the_policy_goes_ahead_with_what_it_has(challenge, capture):
    quiet = member(challenge, "Quinn")
    ActivitySource.objects.create(challenge=challenge, kind=SourceKind.SLACK_CHANNEL, identifier="C0FLOODS1")

    with time_machine.travel(dt.datetime(2026, 11, 18, 0, 1, tzinfo=dt.UTC), tick=False), capture(execute=True):
        result = policy_run(challenge=challenge, week=W46)

    assert result.held == "" and result.warned == 1
    assert len(emails_to(quiet.person, WARNING_SUBJECT)) == 1
