"""Referral codes: their format, every reason a code is refused, the priority they give, and the last use."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from collaborators.enums import QueuePriority
from collaborators.models import Application
from collaborators.selectors import queue_position
from collaborators.services.applications import application_submit
from referrals.models import CODE_ALPHABET, CODE_LENGTH, DeactivationReason, ReferralCode, generate_code, normalise_code
from referrals.services import (
    referral_code_check,
    referral_code_deactivate,
    referral_code_issue,
    referral_codes_deactivate_for_owner,
)
from tests.factories import ApplicationFactory, ChallengeFactory, ReferralCodeFactory, UserFactory

CODE_FORMAT = re.compile(r"^[A-Z0-9]{14}$")


def application_data(**overrides) -> dict:
    data = {
        "motivation": "A friend told me how much she learned.",
        "relevant_experience": "Computer vision course projects.",
        "skills": "Python, PyTorch",
        "experience_level": "beginner",
        "country": "NG",
        "time_zone": "Africa/Lagos",
        "weekly_hours": 20,
        "commits_to_hours": True,
        "github_username": "ada-refers",
    }
    data.update(overrides)
    return data


# --- format ------------------------------------------------------------------------------------


def test_generated_codes_are_fourteen_upper_case_letters_and_digits():
    codes = [generate_code() for _ in range(2000)]

    assert all(CODE_FORMAT.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    # A cryptographic source over the whole alphabet: every symbol shows up in 28,000 draws.
    assert set("".join(codes)) == set(CODE_ALPHABET)


@pytest.mark.django_db
def test_issued_codes_are_stored_in_the_format_and_audited(staff):
    owner = UserFactory()

    codes = [referral_code_issue(owner=owner, by=staff) for _ in range(5)]

    for code in codes:
        code.refresh_from_db()
        assert CODE_FORMAT.match(code.code)
        assert (code.owner, code.max_uses, code.uses, code.is_active, code.created_by) == (owner, 5, 0, True, staff)
    assert AuditEntry.objects.filter(verb="referral.issue").count() == 5


@settings(max_examples=100, deadline=None)
@given(
    code=st.text(alphabet=CODE_ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH),
    separators=st.lists(st.sampled_from(["", "", " ", "-", "  ", " - ", "\t"]), min_size=CODE_LENGTH + 1),
    lower=st.lists(st.booleans(), min_size=CODE_LENGTH),
)
def test_input_is_case_insensitive_and_tolerates_spaces_and_dashes(code, separators, lower):
    typed = separators[0] + "".join(
        (ch.lower() if low else ch) + sep for ch, low, sep in zip(code, lower, separators[1:], strict=False)
    )

    assert normalise_code(typed) == code


# --- refused codes -----------------------------------------------------------------------------


def unknown(applicant, staff) -> str:
    return "ZZZZ-ZZZZ-ZZZZ-ZZ"


def inactive(applicant, staff) -> str:
    code = ReferralCodeFactory()
    referral_code_deactivate(code=code, by=staff, note="shared on a public forum")
    return code.code


def owner_removed(applicant, staff) -> str:
    code = ReferralCodeFactory()
    referral_codes_deactivate_for_owner(owner=code.owner, by=staff)
    return code.code


def exhausted(applicant, staff) -> str:
    return ReferralCodeFactory(max_uses=3, uses=3).code


def own_code(applicant, staff) -> str:
    return ReferralCodeFactory(owner=applicant).code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_code", "message"),
    [
        (unknown, "exists. Check it with the person who gave it to you"),
        (inactive, "has been deactivated"),
        (owner_removed, "no longer an active collaborator"),
        (exhausted, "already been used 3 times"),
        (own_code, "cannot use your own referral code"),
    ],
    ids=["unknown", "inactive", "owner-removed", "exhausted", "own-code"],
)
def test_a_bad_code_is_a_field_error_and_nothing_is_written(
    staff, open_challenge, make_code, message, django_capture_on_commit_callbacks
):
    applicant = UserFactory()
    raw = make_code(applicant, staff)
    uses_before = {code.pk: code.uses for code in ReferralCode.objects.all()}
    audit_before = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError) as refused:
        application_submit(person=applicant, challenge=open_challenge, data=application_data(), referral_code=raw)

    assert list(refused.value.message_dict) == ["referral_code"]
    assert message in refused.value.message_dict["referral_code"][0]
    assert not Application.objects.exists()
    assert {code.pk: code.uses for code in ReferralCode.objects.all()} == uses_before
    assert AuditEntry.objects.count() == audit_before
    assert callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_a_valid_code_on_a_duplicate_application_is_not_counted(open_challenge):
    """The use is taken before the insert fails: the whole submit rolls back, so the code keeps it."""
    applicant = UserFactory()
    ApplicationFactory(person=applicant, challenge=open_challenge)
    code = ReferralCodeFactory()

    with pytest.raises(ValidationError) as refused:
        application_submit(person=applicant, challenge=open_challenge, data=application_data(), referral_code=code.code)

    assert list(refused.value.message_dict) == ["challenge"]
    code.refresh_from_db()
    assert code.uses == 0
    assert Application.objects.filter(person=applicant).count() == 1


@pytest.mark.django_db
def test_a_valid_code_on_a_closed_challenge_is_not_counted():
    code = ReferralCodeFactory()

    with pytest.raises(ValidationError):
        application_submit(
            person=UserFactory(),
            challenge=ChallengeFactory(status="running"),
            data=application_data(),
            referral_code=code.code,
        )

    code.refresh_from_db()
    assert code.uses == 0


@pytest.mark.django_db
def test_check_names_the_reason_in_its_error_code(staff):
    code = ReferralCodeFactory()
    referral_codes_deactivate_for_owner(owner=code.owner, by=staff)
    code.refresh_from_db()

    assert code.deactivation_reason == DeactivationReason.OWNER_REMOVED
    with pytest.raises(ValidationError) as refused:
        referral_code_check(raw_code=code.code)
    assert refused.value.code == "owner_removed"


# --- a good code -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_code_typed_in_lower_case_with_spaces_and_dashes_is_used(open_challenge):
    code = ReferralCodeFactory(code="ABCD2345EFGH67")
    applicant = UserFactory()

    application = application_submit(
        person=applicant, challenge=open_challenge, data=application_data(), referral_code="  abcd-2345 efgh-67 "
    )

    application.refresh_from_db()
    code.refresh_from_db()
    assert (application.referral_code, application.priority, application.is_referral) == (
        code,
        QueuePriority.REFERRAL,
        True,
    )
    assert code.uses == 1
    assert AuditEntry.objects.get(verb="application.submit").note == "referral code ABCD2345EFGH67"


@pytest.mark.django_db
def test_a_referral_application_goes_ahead_of_older_standard_ones(open_challenge):
    now = dt.datetime.now(tz=dt.UTC)
    older = [
        ApplicationFactory(challenge=open_challenge, submitted_at=now - dt.timedelta(days=days))
        for days in (90, 60, 30)
    ]
    older_referral = ApplicationFactory(
        challenge=open_challenge, priority=QueuePriority.REFERRAL, submitted_at=now - dt.timedelta(days=1)
    )

    application = application_submit(
        person=UserFactory(),
        challenge=open_challenge,
        data=application_data(),
        referral_code=ReferralCodeFactory().code,
    )

    # Behind the earlier referral, ahead of every standard application however old.
    assert queue_position(application=older_referral) == 1
    assert queue_position(application=application) == 2
    assert [queue_position(application=a) for a in older] == [3, 4, 5]


@pytest.mark.django_db
def test_a_code_can_be_used_up_to_its_limit(open_challenge):
    code = ReferralCodeFactory(max_uses=2)

    for _ in range(2):
        application_submit(
            person=UserFactory(), challenge=open_challenge, data=application_data(), referral_code=code.code
        )
    with pytest.raises(ValidationError) as refused:
        application_submit(
            person=UserFactory(), challenge=open_challenge, data=application_data(), referral_code=code.code
        )

    code.refresh_from_db()
    assert code.uses == code.max_uses == 2
    assert "already been used 2 times" in refused.value.message_dict["referral_code"][0]


# --- the last use, taken by several applicants at once ------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("applicants", [2, 10])
def test_the_last_use_goes_to_exactly_one_of_many_concurrent_applicants(applicants):
    challenge = ChallengeFactory()
    code = ReferralCodeFactory(max_uses=5, uses=4)  # one use left
    people = UserFactory.create_batch(applicants)
    barrier = threading.Barrier(applicants)
    outcomes: dict[int, str] = {}

    def apply(person) -> None:
        try:
            barrier.wait(timeout=10)
            application_submit(
                person=person,
                challenge=challenge,
                data=application_data(github_username=f"racer{person.pk}"),
                referral_code=code.code.lower(),
            )
            outcomes[person.pk] = "accepted"
        except ValidationError as error:
            outcomes[person.pk] = ",".join(error.message_dict)
        finally:
            connection.close()  # each thread has its own connection; leave none open for the teardown

    threads = [threading.Thread(target=apply, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["accepted"] + ["referral_code"] * (applicants - 1)
    code.refresh_from_db()
    assert code.uses == code.max_uses == 5
    assert Application.objects.filter(referral_code=code).count() == 1
    assert Application.objects.count() == 1  # the others were refused whole: nothing half-written
    assert len(mail.outbox) == 1
