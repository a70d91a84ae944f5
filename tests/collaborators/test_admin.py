"""The staff admin: applications, referral codes, people and memberships; state changes go through the services."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from collaborators.enums import ApplicationStatus, QueuePriority
from referrals.models import ReferralCode
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    ReferralCodeFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = reverse("admin:collaborators_application_changelist")
PEOPLE = reverse("admin:collaborators_user_changelist")
CODES = reverse("admin:referrals_referralcode_changelist")


def run_action(admin_client, changelist, action, objects):
    return admin_client.post(
        changelist, {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def applications(open_challenge):
    return ApplicationFactory.create_batch(3, challenge=open_challenge)


# Applications


def test_changelist_filters_and_search(admin_client, open_challenge):
    ama = ApplicationFactory(
        challenge=open_challenge, person=UserFactory(display_name="Ama Mensah"), priority=QueuePriority.REFERRAL
    )
    ApplicationFactory(challenge=open_challenge, status=ApplicationStatus.REJECTED)

    by_status = admin_client.get(APPLICATIONS, {"status__exact": "submitted"})
    by_priority = admin_client.get(APPLICATIONS, {"priority__exact": "0"})
    by_search = admin_client.get(APPLICATIONS, {"q": "mensah"})
    by_country = admin_client.get(APPLICATIONS, {"country": "KE"})

    assert [r.pk for r in by_status.context["cl"].result_list] == [ama.pk]
    assert [r.pk for r in by_priority.context["cl"].result_list] == [ama.pk]
    assert [r.pk for r in by_search.context["cl"].result_list] == [ama.pk]
    assert by_country.context["cl"].result_count == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_changelist_query_count_is_constant(admin_client, open_challenge, django_assert_max_num_queries, rows):
    ApplicationFactory.create_batch(rows, challenge=open_challenge)
    # session, user, counts, the page, the challenge filter's choices: none of them per row
    with django_assert_max_num_queries(8):
        assert admin_client.get(APPLICATIONS).status_code == 200


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("application_shortlist", ApplicationStatus.SHORTLISTED),
        ("application_waitlist", ApplicationStatus.WAITLISTED),
        ("application_reject", ApplicationStatus.REJECTED),
    ],
)
def test_review_actions_move_through_the_services(
    admin_client, admin_user, applications, django_capture_on_commit_callbacks, action, status
):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, APPLICATIONS, action, applications[:2])

    assert response.status_code == 200
    assert sorted(a.status for a in type(applications[0]).objects.all()) == sorted([status, status, "submitted"])
    assert "2 applications moved." in shown_messages(response)
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(verb=f"application.{action.split('_')[1]}", actor=admin_user).count() == 2


def test_accept_action_gives_a_seat_and_reports_refusals(admin_client, applications):
    shortlisted, submitted, _third = applications
    shortlisted.status = ApplicationStatus.SHORTLISTED
    shortlisted.save()

    response = run_action(admin_client, APPLICATIONS, "application_accept", [shortlisted, submitted])

    shortlisted.refresh_from_db()
    submitted.refresh_from_db()
    assert (shortlisted.status, submitted.status) == (ApplicationStatus.ACCEPTED, ApplicationStatus.SUBMITTED)
    assert shortlisted.person.memberships.filter(challenge=shortlisted.challenge).exists()
    messages = shown_messages(response)
    assert "1 application moved." in messages
    assert f"{submitted}: Cannot move application from “submitted” to “accepted”." in messages


def test_status_is_read_only_in_the_change_form(admin_client, applications, staff):
    application = applications[0]
    application.scores.create(reviewer=staff, score=4, note="clear motivation")
    url = reverse("admin:collaborators_application_change", args=[application.pk])

    page = admin_client.get(url)
    html = page.content.decode()

    assert page.status_code == 200
    assert 'name="status"' not in html and 'name="motivation"' in html
    assert "clear motivation" in html  # the reviewer scores inline
    data = {
        name: getattr(application, name)
        for name in ("motivation", "relevant_experience", "skills", "experience_level", "time_zone", "weekly_hours")
    }
    data.update(
        {
            "country": "KE",
            "commits_to_hours": "on",
            "github_username": "renamed",
            "status": "accepted",
            "scores-TOTAL_FORMS": "1",
            "scores-INITIAL_FORMS": "1",
            "scores-MIN_NUM_FORMS": "0",
            "scores-MAX_NUM_FORMS": "1000",
            "scores-0-id": application.scores.get().pk,
            "scores-0-application": application.pk,
        }
    )
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    application.refresh_from_db()
    assert application.github_username == "renamed" and application.status == ApplicationStatus.SUBMITTED


def test_applications_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:collaborators_application_add")).status_code == 403


# People: issuing referral codes


def test_issue_a_referral_code_to_each_selected_person(admin_client, admin_user):
    people = UserFactory.create_batch(2)

    response = run_action(admin_client, PEOPLE, "issue_referral_code", people)

    codes = ReferralCode.objects.order_by("owner_id")
    assert [code.owner for code in codes] == sorted(people, key=lambda p: p.pk)
    assert all(code.created_by == admin_user and code.is_active and code.max_uses == 5 for code in codes)
    assert shown_messages(response)[0].startswith("Issued 2 referral codes:")


# Referral codes


def test_deactivate_action(admin_client, admin_user):
    active, already_inactive = ReferralCodeFactory.create_batch(2)
    ReferralCode.objects.filter(pk=already_inactive.pk).update(is_active=False)

    response = run_action(admin_client, CODES, "deactivate", [active, already_inactive])

    active.refresh_from_db()
    assert (active.is_active, active.deactivated_by, active.deactivation_reason) == (False, admin_user, "staff")
    assert "2 referral codes deactivated." in shown_messages(response)
    assert AuditEntry.objects.filter(verb="referral.deactivate").count() == 1  # idempotent for the inactive one


def test_code_is_read_only_and_the_limit_cannot_drop_below_the_uses(admin_client):
    code = ReferralCodeFactory(uses=3)
    url = reverse("admin:referrals_referralcode_change", args=[code.pk])

    html = admin_client.get(url).content.decode()
    refused = admin_client.post(url, {"max_uses": 2})
    raised = admin_client.post(url, {"max_uses": 10})

    assert 'name="code"' not in html and code.code in html
    assert refused.status_code == 200 and "max_uses" in refused.context["adminform"].form.errors
    assert raised.status_code == 302
    code.refresh_from_db()
    assert code.max_uses == 10


def test_codes_are_issued_through_the_service_not_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:referrals_referralcode_add")).status_code == 403


# Memberships


def test_memberships_are_read_mostly(admin_client):
    membership = MembershipFactory(person=StaffFactory(display_name="Mo Member"))

    listing = admin_client.get(reverse("admin:collaborators_membership_changelist"))
    change = admin_client.get(reverse("admin:collaborators_membership_change", args=[membership.pk]))

    assert listing.status_code == 200 and "Mo Member" in listing.content.decode()
    html = change.content.decode()
    assert 'name="role"' in html and 'name="status"' not in html
    assert admin_client.get(reverse("admin:collaborators_membership_add")).status_code == 403
    assert admin_client.get(reverse("admin:collaborators_membership_delete", args=[membership.pk])).status_code == 403
