"""The staff onboarding page (permissions, what it shows, filters, retries), the person's status include, the admin."""

import datetime as dt
import logging

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import OnboardingDirection, OnboardingKind, OnboardingStatus, OnboardingStep
from activity.onboarding import onboarding_schedule
from audit.models import AuditEntry
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_swallowed_errors(caplog):
    """Tasks run from robust on_commit callbacks, whose errors are only logged: make them fail the test."""
    yield
    assert [record.getMessage() for record in caplog.get_records("call") if record.levelno >= logging.ERROR] == []


STEPS = reverse("staff_onboarding:steps")
RETRY_FAILED = reverse("staff_onboarding:retry_failed")
REPO = "OmdenaAI/water-pumps"
INVITE_URL = "https://join.slack.com/t/omdena-community/shared_invite/zt-demo"

Kind, Status = OnboardingKind, OnboardingStatus


def retry_url(step: OnboardingStep) -> str:
    return reverse("staff_onboarding:retry", args=[step.pk])


@pytest.fixture
def water(db):
    return ChallengeFactory(
        title="Water pump failures",
        slug="water-pumps",
        github_organisation="OmdenaAI",
        github_repositories=[REPO],
        slack_channel_ids=["C0WATER01"],
        slack_invite_url=INVITE_URL,
    )


@pytest.fixture
def floods(db):
    return ChallengeFactory(title="Flood mapping", slug="floods")


def step(challenge, *, name="Nia Newcomer", status=Status.FAILED, kind=Kind.GITHUB_REPOSITORY, target=REPO, **fields):
    person = UserFactory(display_name=name, github_username="octocat")
    membership = MembershipFactory(person=person, challenge=challenge)
    return OnboardingStep.objects.create(membership=membership, kind=kind, target=target, status=status, **fields)


@pytest.fixture
def signed_in_staff(client, staff):
    client.force_login(staff)
    return client


# --- Permissions -------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(STEPS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_collaborators_get_a_403_on_the_page_and_the_retries(client, collaborator, water):
    failed = step(water)
    client.force_login(collaborator)

    assert client.get(STEPS).status_code == 403
    assert client.post(retry_url(failed)).status_code == 403
    assert client.post(RETRY_FAILED, {"challenge": water.slug}).status_code == 403
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_retry_is_post_only(signed_in_staff, water):
    assert signed_in_staff.get(retry_url(step(water))).status_code == 405


# --- What the page shows -----------------------------------------------------------------------------------------


def test_an_unknown_github_user_shows_with_githubs_message(
    signed_in_staff, fake_github, water, django_capture_on_commit_callbacks
):
    fake_github.add_repo(REPO)
    person = UserFactory(display_name="Nia Newcomer", email="nia@example.org", github_username="no-such-login")
    membership = MembershipFactory(person=person, challenge=water)
    water.slack_channel_ids = []  # GitHub only
    water.save(update_fields=["slack_channel_ids"])
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_schedule(membership=membership)

    page = signed_in_staff.get(STEPS).content.decode()

    assert "Nia Newcomer" in page and "nia@example.org" in page
    assert "Water pump failures" in page
    assert REPO in page
    assert "GitHub has no user “no-such-login”" in page
    assert "Provider said: Not Found" in page
    assert "HTTP 404 · 1 attempt" in page


def test_only_steps_that_need_attention_are_listed(signed_in_staff, water):
    step(water, name="Fay Failed", status=Status.FAILED)
    step(water, name="Rae Ratelimited", status=Status.RATE_LIMITED)
    step(water, name="Wes Waiting", status=Status.WAITING_FOR_PERSON)
    step(water, name="Ivy Invited", status=Status.INVITATION_PENDING)
    step(water, name="Don Done", status=Status.DONE)
    step(water, name="Pat Pending", status=Status.PENDING)

    page = signed_in_staff.get(STEPS).content.decode()

    for name in ("Fay Failed", "Rae Ratelimited", "Wes Waiting", "Ivy Invited"):
        assert name in page
    assert "Don Done" not in page and "Pat Pending" not in page
    assert "4 steps" in page


def test_filter_by_challenge_and_status(signed_in_staff, water, floods):
    step(water, name="Fay Failed", status=Status.FAILED)
    step(water, name="Wes Waiting", status=Status.WAITING_FOR_PERSON)
    step(floods, name="Flo Floods", status=Status.FAILED)

    by_challenge = signed_in_staff.get(STEPS, {"challenge": "floods"}).content.decode()
    by_status = signed_in_staff.get(STEPS, {"status": "waiting_for_person"}).content.decode()

    assert "Flo Floods" in by_challenge and "Fay Failed" not in by_challenge
    assert "Wes Waiting" in by_status and "Fay Failed" not in by_status and "Flo Floods" not in by_status


def test_next_attempt_is_shown_in_the_viewers_time_zone(client, staff, water):
    staff.time_zone = "Asia/Kolkata"
    staff.save(update_fields=["time_zone"])
    client.force_login(staff)
    step(water, status=Status.RATE_LIMITED, next_attempt_at=dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC))

    page = client.get(STEPS).content.decode()

    assert "9 Nov 2026, 17:30" in page
    assert "times in Asia/Kolkata" in page


def test_the_list_is_paginated(signed_in_staff, water):
    for n in range(55):
        step(water, name=f"Person {n:02d}")

    first = signed_in_staff.get(STEPS).content.decode()
    second = signed_in_staff.get(STEPS, {"page": 2}).content.decode()

    assert "55 steps" in first and "page 1 of 2" in first
    assert second.count('action="/staff/onboarding/') - 1 == 5  # five retry forms (and the filter form's action)


@pytest.mark.parametrize("rows", [3, 40])
def test_query_count_does_not_grow_with_the_rows(signed_in_staff, water, floods, rows):
    for n in range(rows):
        step(water if n % 2 else floods, name=f"Person {n:02d}")

    with CaptureQueriesContext(connection) as queries:
        assert signed_in_staff.get(STEPS).status_code == 200

    assert len(queries) <= 8


# --- Retries -----------------------------------------------------------------------------------------------------


def test_retrying_a_failed_step_runs_it_again_and_says_so(
    signed_in_staff, staff, fake_github, water, django_capture_on_commit_callbacks
):
    failed = step(water, name="Nia Newcomer", attempts=3, last_error="Not Found", http_status=404)
    fake_github.add_user("octocat")  # the person corrected their username meanwhile
    fake_github.add_repo(REPO)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_staff.post(retry_url(failed), {"query": "status=failed"})

    assert response.status_code == 302
    assert response.url == f"{STEPS}?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.http_status, failed.last_error) == (
        Status.INVITATION_PENDING,
        1,
        201,
        "",
    )
    assert fake_github.invitations(REPO) == {"octocat"}
    [message] = get_messages(response.wsgi_request)
    assert "Retrying GitHub repository OmdenaAI/water-pumps for Nia Newcomer" in str(message)
    entry = AuditEntry.objects.get(verb="onboarding.retry")
    assert (entry.actor, entry.from_state, entry.to_state) == (staff, "failed", "pending")


def test_a_step_that_is_done_cannot_be_retried(signed_in_staff, water):
    done = step(water, status=Status.DONE)

    response = signed_in_staff.post(retry_url(done), follow=True)

    assert "nothing to retry" in response.content.decode()
    done.refresh_from_db()
    assert done.status == Status.DONE


def test_the_posted_query_cannot_redirect_elsewhere(signed_in_staff, water):
    done = step(water, status=Status.DONE)

    response = signed_in_staff.post(retry_url(done), {"query": "//evil.example/"})

    assert response.url.startswith(STEPS)


def test_retry_every_failed_step_of_one_challenge(
    signed_in_staff, fake_github, water, floods, django_capture_on_commit_callbacks
):
    fake_github.add_user("octocat")
    fake_github.add_repo(REPO)
    failed = [step(water, name="Ann One"), step(water, name="Ben Two")]
    waiting = step(water, name="Cy Three", status=Status.WAITING_FOR_PERSON, next_attempt_at=None)
    elsewhere = step(floods, name="Dee Four")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_staff.post(RETRY_FAILED, {"challenge": "water-pumps", "query": "challenge=water-pumps"})

    assert response.url == f"{STEPS}?challenge=water-pumps"
    assert "Retrying 2 failed steps of “Water pump failures”." in [str(m) for m in get_messages(response.wsgi_request)]
    for retried in failed:
        retried.refresh_from_db()
        assert retried.status == Status.INVITATION_PENDING
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (waiting.status, elsewhere.status) == (Status.WAITING_FOR_PERSON, Status.FAILED)


def test_the_retry_all_button_shows_for_a_challenge_with_failures(signed_in_staff, water):
    step(water)

    assert (
        "Retry the failed step of Water pump failures"
        in signed_in_staff.get(STEPS, {"challenge": "water-pumps"}).content.decode()
    )
    assert "Retry the failed step" not in signed_in_staff.get(STEPS).content.decode()


# --- The person's status include ---------------------------------------------------------------------------------


def test_the_person_reads_their_steps_in_plain_words(water):
    membership = MembershipFactory(challenge=water, person=UserFactory(email="nia@example.org"))
    make = lambda **fields: OnboardingStep(membership=membership, **fields)  # noqa: E731
    steps = [
        make(kind=Kind.SLACK_CHANNEL, target="C0WATER01", status=Status.DONE),
        make(kind=Kind.SLACK_CHANNEL, target="C0WATER02", status=Status.WAITING_FOR_PERSON),
        make(kind=Kind.SLACK_WORKSPACE_INVITE, status=Status.DONE),
        make(kind=Kind.SLACK_WELCOME_DM, status=Status.DONE),
        make(kind=Kind.GITHUB_REPOSITORY, target=REPO, status=Status.INVITATION_PENDING),
        make(kind=Kind.GITHUB_REPOSITORY, target="OmdenaAI/water-data", status=Status.WAITING_FOR_PERSON),
        make(kind=Kind.GITHUB_TEAM, target="OmdenaAI/water", status=Status.DONE),
    ]

    html = " ".join(
        render_to_string("activity/_onboarding_status.html", {"membership": membership, "steps": steps}).split()
    )

    assert "<strong>Slack channel C0WATER01</strong>: you are in" in html
    assert 'href="https://slack.com/app_redirect?channel=C0WATER01"' in html
    assert "<strong>Slack</strong>: join the Slack workspace first, with nia@example.org" in html
    assert f'href="{INVITE_URL}"' in html
    assert "<strong>Slack welcome message</strong>: sent to you in Slack" in html
    assert f"<strong>GitHub {REPO}</strong>: invitation sent — accept it on GitHub" in html
    assert f'href="https://github.com/{REPO}/invitations"' in html
    assert "add your GitHub username to your profile" in html and f'href="{reverse("profile_edit")}"' in html
    assert "<strong>GitHub team OmdenaAI/water</strong>: you have access" in html
    assert "workspace invite" not in html.lower()  # the email is staff's business; the waiting line has the link
    assert html.count("<li>") == 6


def test_the_person_sees_access_removed_after_a_removal(water):
    membership = MembershipFactory(challenge=water)
    steps = [
        OnboardingStep(membership=membership, kind=Kind.SLACK_CHANNEL, target="C0WATER01", status=Status.CANCELLED),
        OnboardingStep(
            membership=membership,
            direction=OnboardingDirection.REVOKE,
            kind=Kind.SLACK_CHANNEL,
            target="C0WATER01",
            status=Status.DONE,
        ),
    ]

    html = render_to_string("activity/_onboarding_status.html", {"membership": membership, "steps": steps})

    assert "Slack channel C0WATER01</strong>: access removed" in html
    assert html.count("<li>") == 1


def test_without_steps_the_include_says_there_is_nothing_to_set_up(floods):
    html = render_to_string(
        "activity/_onboarding_status.html", {"membership": MembershipFactory(challenge=floods), "steps": []}
    )

    assert "Nothing to set up" in html


# --- Admin -------------------------------------------------------------------------------------------------------


def test_admin_lists_steps_and_retries_them(admin_client, water, fake_github, django_capture_on_commit_callbacks):
    fake_github.add_user("octocat")
    fake_github.add_repo(REPO)
    failed = step(water, name="Nia Newcomer")
    done = step(water, name="Don Done", status=Status.DONE)

    changelist = admin_client.get(reverse("admin:activity_onboardingstep_changelist"))
    assert changelist.status_code == 200
    assert "Nia Newcomer" in changelist.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:activity_onboardingstep_changelist"),
            {"action": "retry_steps", "_selected_action": [failed.pk, done.pk]},
            follow=True,
        )

    text = response.content.decode()
    assert "1 step is back in the queue." in text
    assert "1 step was not retried" in text
    failed.refresh_from_db()
    assert failed.status == Status.INVITATION_PENDING
