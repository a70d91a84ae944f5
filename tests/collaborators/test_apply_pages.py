"""The applicant's pages: apply, dashboard with queue place, own application, withdraw."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from collaborators.enums import ApplicationStatus
from collaborators.models import Application
from collaborators.services.applications import application_shortlist, application_submit
from referrals.services import referral_code_issue
from tests.factories import ChallengeFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "motivation": "I want to help rangers.",
    "relevant_experience": "Two years of computer vision.",
    "skills": "Python, PyTorch",
    "experience_level": "intermediate",
    "country": "GH",
    "time_zone": "Africa/Accra",
    "weekly_hours": "20",
    "github_username": "ama-codes",
    "commits_to_hours": "on",
}


def submit(person, challenge, **changes):
    data = {**ANSWERS, **changes, "weekly_hours": 20, "commits_to_hours": True}
    code = data.pop("referral_code", "")
    return application_submit(person=person, challenge=challenge, data=data, referral_code=code)


def test_apply_form_is_prefilled_from_the_profile(client, collaborator, open_challenge):
    collaborator.skills = "Python, NLP"
    collaborator.github_username = "cam-codes"
    collaborator.save()
    client.force_login(collaborator)

    form = client.get(reverse("apply", args=[open_challenge.slug])).context["form"]

    assert form.initial["skills"] == "Python, NLP"
    assert form.initial["github_username"] == "cam-codes"
    assert form.initial["country"] == "KE"


def test_apply_puts_the_applicant_in_the_queue_and_emails_them(
    client, collaborator, open_challenge, django_capture_on_commit_callbacks
):
    client.force_login(collaborator)
    for _ in range(2):
        submit(UserFactory(), open_challenge)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("apply", args=[open_challenge.slug]), ANSWERS, follow=True)

    html = response.content.decode()
    assert "You are #3 in the queue" in html
    application = Application.objects.get(person=collaborator)
    assert (application.status, application.weekly_hours, application.country.code) == ("submitted", 20, "GH")
    assert mail.outbox[-1].to == ["cam@example.org"]
    assert "We received your application" in mail.outbox[-1].subject


def test_apply_needs_the_commitment_and_15_hours(client, collaborator, open_challenge):
    client.force_login(collaborator)

    response = client.post(
        reverse("apply", args=[open_challenge.slug]), {**ANSWERS, "weekly_hours": "10", "commits_to_hours": ""}
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"weekly_hours", "commits_to_hours"}
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("unknown", "No referral code “NOPE” exists"),
        ("own", "You cannot use your own referral code"),
        ("exhausted", "already been used 1 times"),
    ],
)
def test_bad_referral_code_is_a_field_error_and_nothing_is_saved(client, collaborator, open_challenge, setup, message):
    if setup == "unknown":
        code = "nope"
    elif setup == "own":
        code = referral_code_issue(owner=collaborator).code
    else:
        referral = referral_code_issue(owner=UserFactory(), max_uses=1)
        submit(UserFactory(), ChallengeFactory(), referral_code=referral.code)
        code = referral.code
    client.force_login(collaborator)

    response = client.post(reverse("apply", args=[open_challenge.slug]), {**ANSWERS, "referral_code": code})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["referral_code"])
    assert not Application.objects.filter(person=collaborator).exists()


def test_referral_code_puts_the_application_ahead(client, collaborator, open_challenge):
    for _ in range(3):
        submit(UserFactory(), open_challenge)
    code = referral_code_issue(owner=UserFactory(display_name="Rita Referrer")).code
    client.force_login(collaborator)

    response = client.post(
        reverse("apply", args=[open_challenge.slug]), {**ANSWERS, "referral_code": code.lower()}, follow=True
    )

    assert "You are #1 in the queue" in response.content.decode()


def test_second_application_to_the_same_challenge_goes_to_the_first(client, collaborator, open_challenge):
    first = submit(collaborator, open_challenge)
    client.force_login(collaborator)

    response = client.get(reverse("apply", args=[open_challenge.slug]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("application_detail", args=[first.pk])
    assert "You have already applied to this challenge." in response.content.decode()


def test_past_deadline_refuses_applications(client, collaborator, open_challenge):
    open_challenge.application_deadline = timezone.now() - dt.timedelta(minutes=1)
    open_challenge.save()
    client.force_login(collaborator)

    response = client.post(reverse("apply", args=[open_challenge.slug]), ANSWERS, follow=True)

    assert "This challenge is not accepting applications." in response.content.decode()
    assert not Application.objects.exists()


def test_applying_is_throttled(client, collaborator, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "application_submit": "2/hour"},
    }
    client.force_login(collaborator)
    statuses = [client.post(reverse("apply", args=[ChallengeFactory().slug]), ANSWERS).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Application.objects.count() == 2


def test_dashboard_shows_place_and_an_honest_estimate(client, collaborator, open_challenge, staff):
    for _ in range(4):
        submit(UserFactory(), open_challenge)
    mine = submit(collaborator, open_challenge)
    # Two reviewed in the last four weeks: a pace of 0.5 a week.
    for application in Application.objects.exclude(pk=mine.pk)[:2]:
        application_shortlist(application=application, by=staff)
    client.force_login(collaborator)

    html = client.get(reverse("dashboard")).content.decode()

    assert "#3 in the queue" in html
    assert "About 6 weeks at the current pace (0.5 reviews a week over the last four weeks)" in html
    assert "An estimate, not a promise." in html
    # Other applicants are never named.
    for other in Application.objects.exclude(pk=mine.pk).select_related("person"):
        assert other.person.email not in html and other.person.display_name not in html


def test_dashboard_says_when_there_is_no_estimate_yet(client, collaborator, open_challenge):
    submit(collaborator, open_challenge)
    client.force_login(collaborator)

    html = client.get(reverse("dashboard")).content.decode()

    assert "#1 in the queue" in html and "No estimate yet" in html


def test_someone_elses_application_is_404(client, collaborator, open_challenge):
    theirs = submit(UserFactory(), open_challenge)
    client.force_login(collaborator)

    assert client.get(reverse("application_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("application_withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.SUBMITTED


def test_withdraw_asks_first_then_withdraws(client, collaborator, open_challenge, django_capture_on_commit_callbacks):
    mine = submit(collaborator, open_challenge)
    client.force_login(collaborator)

    confirm = client.get(reverse("application_withdraw", args=[mine.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("application_withdraw", args=[mine.pk]), {"reason": "no time"}, follow=True)

    assert "Withdraw your application?" in confirm.content.decode()
    assert "is withdrawn" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == ApplicationStatus.WITHDRAWN
    assert "withdrawn" in mail.outbox[-1].subject


def test_application_page_shows_the_timeline_without_staff_names(client, collaborator, open_challenge, staff):
    mine = submit(collaborator, open_challenge)
    application_shortlist(application=mine, by=staff, note="strong profile")
    client.force_login(collaborator)

    html = client.get(reverse("application_detail", args=[mine.pk])).content.decode()

    assert "Shortlisted" in html
    assert "Sam Staff" not in html and "strong profile" not in html


def test_challenge_page_offers_apply_then_shows_the_status(client, collaborator, open_challenge):
    client.force_login(collaborator)
    before = client.get(open_challenge.get_absolute_url()).content.decode()
    submit(collaborator, open_challenge)
    after = client.get(open_challenge.get_absolute_url()).content.decode()

    assert "Apply now" in before
    assert "Apply now" not in after and "You applied:" in after
