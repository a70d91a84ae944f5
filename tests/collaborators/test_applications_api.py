"""`/api/v1/applications/`: own-only for applicants, the queue with filters and review moves for staff."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from challenges.enums import ChallengeStatus
from collaborators.enums import ApplicationStatus, ExperienceLevel, QueuePriority
from collaborators.models import Application
from referrals.models import DeactivationReason
from referrals.services import referral_code_deactivate
from tests.factories import (
    ApplicationFactory,
    ChallengeFactory,
    ReferralCodeFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/applications/"
ANSWERS = {
    "motivation": "I want to help rangers.",
    "relevant_experience": "Two years of computer vision.",
    "skills": "Python, PyTorch",
    "experience_level": "intermediate",
    "country": "GH",
    "time_zone": "Africa/Accra",
    "weekly_hours": 20,
    "commits_to_hours": True,
    "github_username": "@ama-codes",
}
STAFF_ONLY = {"person", "score_average", "score_count"}


def detail(application, suffix=""):
    return f"{LIST}{application.pk}/{suffix}"


def days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def as_collaborator(api_client, collaborator):
    api_client.force_authenticate(collaborator)
    return api_client


@pytest.fixture
def as_staff(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client


@pytest.fixture
def own(collaborator, open_challenge):
    return ApplicationFactory(person=collaborator, challenge=open_challenge, submitted_at=days_ago(3))


@pytest.fixture
def theirs(open_challenge):
    return ApplicationFactory(challenge=open_challenge, submitted_at=days_ago(5))


# Visibility


def test_anonymous_cannot_list(api_client, own):
    assert api_client.get(LIST).status_code in (401, 403)


def test_applicant_lists_only_their_own_without_reviewer_fields(as_collaborator, own, theirs):
    results = as_collaborator.get(LIST).json()["results"]

    assert [a["id"] for a in results] == [own.pk]
    assert results[0]["challenge"] == {"slug": "water-pumps", "title": "Water pump failures"}
    assert results[0]["status_display"] == "In the queue"
    # Second in the queue: the other (older) applicant is counted but never shown.
    assert results[0]["queue_position"] == 2
    assert not STAFF_ONLY & results[0].keys()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "position/"), ("post", "withdraw/")],
)
def test_another_persons_application_is_404_not_403(as_collaborator, theirs, method, suffix):
    response = getattr(as_collaborator, method)(detail(theirs, suffix))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.SUBMITTED


def test_applicant_retrieves_their_own_answers(as_collaborator, own):
    data = as_collaborator.get(detail(own)).json()

    assert data["id"] == own.pk and data["motivation"] == own.motivation and data["weekly_hours"] == 20
    assert data["is_referral"] is False and data["commits_to_hours"] is True


def test_staff_see_everyone_with_person_and_scores(as_staff, own, theirs):
    results = as_staff.get(LIST).json()["results"]

    assert [a["id"] for a in results] == [theirs.pk, own.pk]  # queue order: oldest first
    assert results[1]["person"] == {
        "id": own.person.pk,
        "name": "Cam Collaborator",
        "email": "cam@example.org",
        "country": "KE",
    }
    assert results[1]["score_average"] is None and results[1]["score_count"] == 0


# Applying


def test_apply_puts_the_applicant_in_the_queue_and_emails_them(
    as_collaborator, collaborator, open_challenge, theirs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "water-pumps"}, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "submitted" and data["queue_position"] == 2 and data["is_referral"] is False
    assert data["github_username"] == "ama-codes"
    assert not STAFF_ONLY & data.keys()
    application = Application.objects.get(person=collaborator)
    assert (application.challenge, application.country.code) == (open_challenge, "GH")
    assert [m.to for m in mail.outbox] == [["cam@example.org"]]


def test_apply_with_a_referral_code_goes_first_and_takes_a_use(as_collaborator, open_challenge, theirs):
    code = ReferralCodeFactory(owner=UserFactory(display_name="Rita Referrer"))

    response = as_collaborator.post(
        LIST, {**ANSWERS, "challenge": "water-pumps", "referral_code": code.code.lower()}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["is_referral"] is True and response.json()["queue_position"] == 1
    code.refresh_from_db()
    assert code.uses == 1
    assert Application.objects.get(pk=response.json()["id"]).priority == QueuePriority.REFERRAL


def _unknown(collaborator):
    return "NOSUCHCODE0000"


def _inactive(collaborator):
    code = ReferralCodeFactory()
    referral_code_deactivate(code=code)
    return code.code


def _owner_removed(collaborator):
    code = ReferralCodeFactory()
    referral_code_deactivate(code=code, reason=DeactivationReason.OWNER_REMOVED)
    return code.code


def _exhausted(collaborator):
    return ReferralCodeFactory(max_uses=1, uses=1).code


def _own_code(collaborator):
    return ReferralCodeFactory(owner=collaborator).code


@pytest.mark.parametrize(
    ("make_code", "message"),
    [
        (_unknown, "No referral code “NOSUCHCODE0000” exists"),
        (_inactive, "This referral code has been deactivated."),
        (_owner_removed, "its owner is no longer an active collaborator"),
        (_exhausted, "already been used 1 times"),
        (_own_code, "You cannot use your own referral code"),
    ],
    ids=["unknown", "inactive", "owner_removed", "exhausted", "own_code"],
)
def test_every_referral_code_error_is_a_400_on_the_field(
    as_collaborator, collaborator, open_challenge, make_code, message
):
    code = make_code(collaborator)

    response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "water-pumps", "referral_code": code}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["referral_code"]
    assert message in response.json()["referral_code"][0]
    assert not Application.objects.exists()


def test_applying_twice_is_a_400(as_collaborator, own):
    response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "water-pumps"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"challenge": ["You have already applied to this challenge."]}
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    "challenge_state",
    [
        {"application_deadline": timezone.now() - dt.timedelta(hours=1)},
        {"status": ChallengeStatus.RUNNING},
    ],
    ids=["deadline_passed", "running"],
)
def test_a_closed_challenge_is_a_400(as_collaborator, challenge_state):
    ChallengeFactory(slug="closed", **challenge_state)

    response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "closed"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"challenge": ["This challenge is not accepting applications any more."]}
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekly_hours": 10}, "weekly_hours"),
        ({"commits_to_hours": False}, "commits_to_hours"),
        ({"github_username": "-bad-"}, "github_username"),
        ({"country": "XX"}, "country"),
        ({"challenge": "no-such-challenge"}, "challenge"),
        ({"motivation": ""}, "motivation"),
    ],
)
def test_bad_answers_are_400_with_field_messages(as_collaborator, open_challenge, changes, field):
    response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "water-pumps", **changes}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Application.objects.exists()


def test_a_draft_challenge_is_not_found_for_applicants(as_collaborator):
    ChallengeFactory(slug="secret", status=ChallengeStatus.DRAFT)

    response = as_collaborator.post(LIST, {**ANSWERS, "challenge": "secret"}, format="json")

    assert response.status_code == 400
    assert "does not exist" in response.json()["challenge"][0]


# Withdrawing


def test_applicant_withdraws_and_is_emailed(as_collaborator, own, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_collaborator.post(detail(own, "withdraw/"), {"note": "found a job"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["queue_position"] is None
    own.refresh_from_db()
    assert own.status == ApplicationStatus.WITHDRAWN
    assert len(mail.outbox) == 1 and "withdrawn" in mail.outbox[0].subject


def test_withdrawing_twice_is_a_400_with_the_message(as_collaborator, own):
    as_collaborator.post(detail(own, "withdraw/"))

    response = as_collaborator.post(detail(own, "withdraw/"))

    assert response.status_code == 400
    assert response.json()["status"] == ["Cannot move application from “withdrawn” to “withdrawn”."]


def test_staff_cannot_withdraw_for_the_applicant(as_staff, own):
    assert as_staff.post(detail(own, "withdraw/")).status_code == 403
    own.refresh_from_db()
    assert own.status == ApplicationStatus.SUBMITTED


# Review moves


def test_staff_shortlist_and_the_applicant_is_emailed(as_staff, own, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(detail(own, "transition/"), {"action": "shortlist", "note": "strong"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "shortlisted" and response.json()["status_display"] == "Shortlisted"
    own.refresh_from_db()
    assert own.status == ApplicationStatus.SHORTLISTED and own.reviewed_at is not None
    assert [m.to for m in mail.outbox] == [["cam@example.org"]]
    assert "shortlisted" in mail.outbox[0].subject


def test_accepting_creates_the_membership(as_staff, own):
    own.status = ApplicationStatus.SHORTLISTED
    own.save()

    response = as_staff.post(detail(own, "transition/"), {"action": "accept"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert own.person.memberships.filter(challenge=own.challenge).exists()


@pytest.mark.parametrize(
    ("from_state", "action", "message"),
    [
        (ApplicationStatus.SUBMITTED, "accept", "Cannot move application from “submitted” to “accepted”."),
        (ApplicationStatus.REJECTED, "shortlist", "Cannot move application from “rejected” to “shortlisted”."),
        (ApplicationStatus.WITHDRAWN, "waitlist", "Cannot move application from “withdrawn” to “waitlisted”."),
    ],
)
def test_a_refused_move_is_a_400_with_the_message(as_staff, own, from_state, action, message):
    own.status = from_state
    own.save()

    response = as_staff.post(detail(own, "transition/"), {"action": action}, format="json")

    assert response.status_code == 400
    assert response.json() == {"status": [message]}
    own.refresh_from_db()
    assert own.status == from_state


def test_an_unknown_action_is_a_400(as_staff, own):
    response = as_staff.post(detail(own, "transition/"), {"action": "promote"}, format="json")

    assert response.status_code == 400 and "action" in response.json()


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [
        ("transition/", {"action": "shortlist"}),
        ("transfer/", {"challenge": "water-pumps"}),
        ("scores/", {"score": 5}),
    ],
)
def test_applicants_cannot_review(as_collaborator, own, suffix, payload):
    assert as_collaborator.post(detail(own, suffix), payload, format="json").status_code == 403
    own.refresh_from_db()
    assert own.status == ApplicationStatus.SUBMITTED and not own.scores.exists()


def test_transfer_keeps_the_submission_time_and_so_the_place(as_staff, own, django_capture_on_commit_callbacks):
    target = ChallengeFactory(slug="forest-fires")
    later = ApplicationFactory(challenge=target, submitted_at=days_ago(1))
    submitted_at = own.submitted_at

    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(
            detail(own, "transfer/"), {"challenge": "forest-fires", "note": "better fit"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["challenge"]["slug"] == "forest-fires"
    assert response.json()["queue_position"] == 1  # submitted before `later`, so ahead of it
    own.refresh_from_db()
    assert own.challenge == target and own.submitted_at == submitted_at
    later_position = as_staff.get(detail(later)).json()["queue_position"]
    assert later_position == 2
    assert "moved to another challenge" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("target", "field"),
    [("closed", "challenge"), ("water-pumps", "challenge"), ("nowhere", "challenge")],
)
def test_a_refused_transfer_is_a_400(as_staff, own, target, field):
    ChallengeFactory(slug="closed", status=ChallengeStatus.RUNNING)

    response = as_staff.post(detail(own, "transfer/"), {"challenge": target}, format="json")

    assert response.status_code == 400 and field in response.json()
    own.refresh_from_db()
    assert own.challenge.slug == "water-pumps"


def test_scores_from_several_reviewers_are_averaged(api_client, staff, own):
    other_reviewer = StaffFactory()
    api_client.force_authenticate(staff)
    api_client.post(detail(own, "scores/"), {"score": 5, "note": "great"}, format="json")
    api_client.post(detail(own, "scores/"), {"score": 4}, format="json")  # changes Sam's own score
    api_client.force_authenticate(other_reviewer)

    response = api_client.post(detail(own, "scores/"), {"score": 2}, format="json")

    assert response.status_code == 200
    assert (response.json()["score_average"], response.json()["score_count"]) == (3.0, 2)
    assert sorted(own.scores.values_list("score", flat=True)) == [2, 4]


@pytest.mark.parametrize("score", [0, 6, "five"])
def test_a_score_outside_1_to_5_is_a_400(as_staff, own, score):
    response = as_staff.post(detail(own, "scores/"), {"score": score}, format="json")

    assert response.status_code == 400 and "score" in response.json()
    assert not own.scores.exists()


# Position and estimate


def test_position_with_an_estimate_from_the_review_pace(as_collaborator, collaborator, open_challenge):
    ApplicationFactory.create_batch(2, challenge=open_challenge, submitted_at=days_ago(10))
    ApplicationFactory.create_batch(
        8,
        challenge=open_challenge,
        status=ApplicationStatus.SHORTLISTED,
        submitted_at=days_ago(20),
        reviewed_at=days_ago(2),
    )
    mine = ApplicationFactory(person=collaborator, challenge=open_challenge, submitted_at=days_ago(1))

    data = as_collaborator.get(detail(mine, "position/")).json()

    assert data["status"] == "submitted" and data["queue_position"] == 3
    assert data["pace_per_week"] == 2.0 and data["estimate_weeks"] == 2
    assert data["wording"].startswith("#3 in the queue. About 2 weeks at the current pace")
    assert "An estimate, not a promise." in data["wording"]


def test_position_without_a_measured_pace_has_no_estimate(as_collaborator, own):
    data = as_collaborator.get(detail(own, "position/")).json()

    assert data["queue_position"] == 1 and data["pace_per_week"] == 0
    assert data["estimate_weeks"] is None
    assert "No estimate yet" in data["wording"]


def test_position_on_the_waitlist(as_collaborator, own):
    own.status = ApplicationStatus.WAITLISTED
    own.save()

    data = as_collaborator.get(detail(own, "position/")).json()

    assert data["queue_position"] == 1 and data["estimate_weeks"] is None
    assert data["wording"].startswith("#1 on the waitlist")


def test_position_of_an_application_that_left_the_queue(as_collaborator, own):
    own.status = ApplicationStatus.SHORTLISTED
    own.save()

    data = as_collaborator.get(detail(own, "position/")).json()

    assert data["queue_position"] is None and data["estimate_weeks"] is None
    assert data["wording"] == "Shortlisted: this application is not waiting in the queue."


def test_staff_see_any_position(as_staff, own):
    assert as_staff.get(detail(own, "position/")).json()["queue_position"] == 1


# Staff filters and order


@pytest.fixture
def queue(open_challenge):
    other = ChallengeFactory(slug="forest-fires")
    code = ReferralCodeFactory()
    return {
        "ama": ApplicationFactory(
            challenge=open_challenge,
            person=UserFactory(display_name="Ama Mensah"),
            country="GH",
            experience_level=ExperienceLevel.BEGINNER,
            submitted_at=days_ago(9),
        ),
        "ref": ApplicationFactory(
            challenge=open_challenge,
            priority=QueuePriority.REFERRAL,
            referral_code=code,
            submitted_at=days_ago(2),
            github_username="refer-me",
        ),
        "wait": ApplicationFactory(
            challenge=open_challenge, status=ApplicationStatus.WAITLISTED, submitted_at=days_ago(30)
        ),
        "other": ApplicationFactory(
            challenge=other, experience_level=ExperienceLevel.EXPERIENCED, submitted_at=days_ago(5)
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["ref", "wait", "ama", "other"]),
        ("challenge=forest-fires", ["other"]),
        ("status=waitlisted", ["wait"]),
        ("status=submitted&status=waitlisted&challenge=water-pumps", ["ref", "wait", "ama"]),
        ("country=GH", ["ama"]),
        ("experience_level=beginner", ["ama"]),
        ("referral=true", ["ref"]),
        ("referral=false&challenge=water-pumps", ["wait", "ama"]),
        ("q=mensah", ["ama"]),
        ("q=REFER-ME", ["ref"]),
        ("order=newest", ["ref", "other", "ama", "wait"]),
        ("order=oldest", ["wait", "ama", "other", "ref"]),
    ],
)
def test_staff_filters_and_order(as_staff, queue, query, expected):
    response = as_staff.get(f"{LIST}?{query}")

    assert response.status_code == 200
    names = {application.pk: name for name, application in queue.items()}
    assert [names[a["id"]] for a in response.json()["results"]] == expected


def test_queue_positions_in_the_staff_list(as_staff, queue):
    positions = {a["id"]: a["queue_position"] for a in as_staff.get(f"{LIST}?challenge=water-pumps").json()["results"]}

    assert positions == {queue["ref"].pk: 1, queue["ama"].pk: 2, queue["wait"].pk: 1}


@pytest.mark.parametrize(
    ("query", "field"), [("order=best", "order"), ("status=lost", "status"), ("challenge=nowhere", "challenge")]
)
def test_bad_filters_are_400_with_the_field(as_staff, queue, query, field):
    response = as_staff.get(f"{LIST}?{query}")

    assert response.status_code == 400 and field in response.json()


def test_applicant_filters_apply_to_their_own_only(as_collaborator, own, queue):
    results = as_collaborator.get(f"{LIST}?challenge=water-pumps").json()["results"]

    assert [a["id"] for a in results] == [own.pk]


def test_pagination(as_staff, open_challenge):
    ApplicationFactory.create_batch(12, challenge=open_challenge)

    page = as_staff.get(f"{LIST}?page_size=5&page=3").json()

    assert page["count"] == 12 and len(page["results"]) == 2 and page["previous"] and not page["next"]


@pytest.mark.parametrize("rows", [3, 40])
def test_staff_list_query_count_is_constant(as_staff, open_challenge, django_assert_max_num_queries, rows):
    for application in ApplicationFactory.create_batch(rows, challenge=open_challenge):
        application.scores.create(reviewer=StaffFactory(), score=3)
    with django_assert_max_num_queries(4):
        response = as_staff.get(f"{LIST}?page_size=100&challenge=water-pumps&status=submitted")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 40])
def test_applicant_list_query_count_is_constant(as_collaborator, collaborator, django_assert_max_num_queries, rows):
    for challenge in ChallengeFactory.create_batch(rows):
        ApplicationFactory(person=collaborator, challenge=challenge)
    with django_assert_max_num_queries(2):
        response = as_collaborator.get(f"{LIST}?page_size=100")
    assert len(response.json()["results"]) == rows


# The schema


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    for path in (
        "/api/v1/applications/{id}/transition/",
        "/api/v1/applications/{id}/position/",
        "/api/v1/referral-codes/check/",
    ):
        assert path in text
