"""The staff review queue: permissions, filters, sorting, bulk review, CSV export, and the review page."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from collaborators.enums import ApplicationStatus, ExperienceLevel, MembershipStatus, QueuePriority, RemovalReason
from collaborators.models import Application, ReviewScore
from collaborators.selectors import queue_position
from collaborators.services.applications import application_shortlist
from tests.factories import (
    ApplicationFactory,
    ChallengeFactory,
    MembershipFactory,
    ReferralCodeFactory,
    ReviewScoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("staff:queue")
EXPORT = reverse("staff:queue_export")
BULK = reverse("staff:queue_bulk")


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def apply(name: str, *, challenge, days: int, **fields) -> Application:
    """An application by a person called `name`, submitted `days` ago."""
    person = UserFactory(display_name=name, email=f"{name.lower().replace(' ', '.')}@example.org")
    return ApplicationFactory(person=person, challenge=challenge, submitted_at=days_ago(days), **fields)


@pytest.fixture
def floods(db):
    return ChallengeFactory(title="Flood mapping", slug="floods")


@pytest.fixture
def queue(open_challenge, floods):
    """Five applications across two challenges, states, countries, levels, one with a referral code."""
    referrer = UserFactory(display_name="Rita Referrer", email="rita@example.org")
    return {
        "ada": apply(
            "Ada Lovelace",
            challenge=open_challenge,
            days=10,
            country="KE",
            experience_level=ExperienceLevel.BEGINNER,
            priority=QueuePriority.REFERRAL,
            referral_code=ReferralCodeFactory(owner=referrer),
            skills="Python, NLP",
        ),
        "ben": apply(
            "Ben Okafor", challenge=open_challenge, days=20, country="IN", experience_level=ExperienceLevel.EXPERIENCED
        ),
        "cleo": apply(
            "Cleo Santos",
            challenge=open_challenge,
            days=5,
            country="BR",
            status=ApplicationStatus.SHORTLISTED,
            weekly_hours=30,
        ),
        "dan": apply("Dan Mwangi", challenge=floods, days=30, country="KE", experience_level=ExperienceLevel.BEGINNER),
        "eve": apply("Eve Adams", challenge=open_challenge, days=40, country="DE", status=ApplicationStatus.ACCEPTED),
    }


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def names(response) -> list[str]:
    return [row.person.name for row in response.context["rows"]]


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


# --- Who may see and do what -------------------------------------------------------------------------------


def _pages(application):
    return [
        ("get", QUEUE, {}),
        ("get", EXPORT, {}),
        ("get", reverse("staff:application", args=[application.pk]), {}),
        ("post", BULK, {"applications": [application.pk], "action": "shortlist"}),
        ("post", reverse("staff:application_action", args=[application.pk]), {"action": "shortlist"}),
        ("post", reverse("staff:application_score", args=[application.pk]), {"score": 4}),
        ("post", reverse("staff:application_move", args=[application.pk]), {"to_challenge": ""}),
    ]


@pytest.mark.parametrize("role", ["visitor", "collaborator", "staff"])
def test_every_staff_page_and_action_is_for_staff_only(client, role, collaborator, staff, queue):
    if role != "visitor":
        client.force_login(collaborator if role == "collaborator" else staff)

    for method, url, data in _pages(queue["ben"]):
        response = getattr(client, method)(url, data)

        if role == "visitor":
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login")), url
        elif role == "collaborator":
            assert response.status_code == 403, url
        else:
            assert response.status_code == (200 if method == "get" else 302), url

    queue["ben"].refresh_from_db()
    expected = ApplicationStatus.SHORTLISTED if role == "staff" else ApplicationStatus.SUBMITTED
    assert queue["ben"].status == expected
    assert ReviewScore.objects.exists() == (role == "staff")


def test_the_navigation_shows_the_queue_to_staff_only(client, collaborator, staff):
    client.force_login(collaborator)
    assert "Review queue" not in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert "Review queue" in client.get(reverse("dashboard")).content.decode()


def test_bulk_review_needs_the_csrf_token(staff, queue):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff)

    response = csrf_client.post(BULK, {"applications": [queue["ben"].pk], "action": "shortlist"})

    assert response.status_code == 403
    queue["ben"].refresh_from_db()
    assert queue["ben"].status == ApplicationStatus.SUBMITTED


# --- Filters, sorting, pagination --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Ada Lovelace", "Ben Okafor", "Cleo Santos", "Dan Mwangi", "Eve Adams"}),
        ({"challenge": "water-pumps"}, {"Ada Lovelace", "Ben Okafor", "Cleo Santos", "Eve Adams"}),
        ({"status": "submitted"}, {"Ada Lovelace", "Ben Okafor", "Dan Mwangi"}),
        ({"status": ["submitted", "shortlisted"]}, {"Ada Lovelace", "Ben Okafor", "Cleo Santos", "Dan Mwangi"}),
        ({"country": "KE"}, {"Ada Lovelace", "Dan Mwangi"}),
        ({"experience_level": "beginner"}, {"Ada Lovelace", "Dan Mwangi"}),
        ({"referral": "true"}, {"Ada Lovelace"}),
        ({"referral": "false"}, {"Ben Okafor", "Cleo Santos", "Dan Mwangi", "Eve Adams"}),
        ({"q": "okafor"}, {"Ben Okafor"}),
        ({"q": "dan.mwangi@"}, {"Dan Mwangi"}),
        ({"q": "nlp"}, {"Ada Lovelace"}),
        ({"challenge": "water-pumps", "country": "KE", "referral": "true"}, {"Ada Lovelace"}),
        ({"challenge": "floods", "status": "shortlisted"}, set()),
    ],
)
def test_each_filter_narrows_the_queue(staff_client, queue, query, expected):
    response = staff_client.get(QUEUE, query)

    assert response.status_code == 200
    assert set(names(response)) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_active_filters_show_as_chips_that_remove_themselves(staff_client, queue):
    response = staff_client.get(QUEUE, {"status": ["submitted", "shortlisted"], "country": "KE", "sort": "newest"})

    html = response.content.decode()
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert set(chips) == {"In the queue", "Shortlisted", "Kenya"}
    assert "status=submitted" not in chips["In the queue"]
    assert "status=shortlisted" in chips["In the queue"]
    assert "country=KE" in chips["In the queue"]
    assert "country" not in chips["Kenya"]
    assert 'href="/staff/applications/?sort=newest">Clear all' in html
    assert "2 applications" in html


def test_no_match_shows_an_empty_state_with_a_way_out(staff_client, queue):
    response = staff_client.get(QUEUE, {"q": "nobody-like-this"})

    html = response.content.decode()
    assert "No application matches these filters." in html
    assert "0 applications" in html
    assert "<table" not in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Referral first, then the oldest submission first.
        ("queue", ["Ada Lovelace", "Eve Adams", "Dan Mwangi", "Ben Okafor", "Cleo Santos"]),
        ("newest", ["Cleo Santos", "Ada Lovelace", "Ben Okafor", "Dan Mwangi", "Eve Adams"]),
        ("oldest", ["Eve Adams", "Dan Mwangi", "Ben Okafor", "Ada Lovelace", "Cleo Santos"]),
        ("nonsense", ["Ada Lovelace", "Eve Adams", "Dan Mwangi", "Ben Okafor", "Cleo Santos"]),
    ],
)
def test_sort_orders(staff_client, queue, sort, expected):
    assert names(staff_client.get(QUEUE, {"sort": sort})) == expected


def test_rows_show_position_referral_waiting_and_scores(staff_client, queue, staff):
    ReviewScoreFactory(application=queue["ben"], reviewer=staff, score=1)
    ReviewScoreFactory(application=queue["ben"], score=4)

    response = staff_client.get(QUEUE, {"challenge": "water-pumps", "status": "submitted"})

    rows = {row.person.name: row for row in response.context["rows"]}
    assert rows["Ada Lovelace"].queue_position == 1  # the referral goes first
    assert rows["Ben Okafor"].queue_position == 2
    html = response.content.decode()
    assert "Referred by Rita Referrer" in html
    assert "20 days" in html
    assert "2.5" in html and "1–4" in html
    assert "Reviewers disagree" in html


def test_pagination_keeps_the_filters(staff_client, open_challenge, floods):
    for n in range(60):
        apply(f"Person{n:02d} Waiting", challenge=open_challenge, days=100 - n)
    apply("Zed Elsewhere", challenge=floods, days=1)

    first = staff_client.get(QUEUE, {"challenge": "water-pumps", "status": "submitted"})

    assert len(first.context["rows"]) == 50
    html = first.content.decode()
    assert "60 applications" in html
    assert 'href="?challenge=water-pumps&amp;status=submitted&amp;page=2"' in html
    second = staff_client.get(QUEUE, {"challenge": "water-pumps", "status": "submitted", "page": 2})
    assert names(second) == [f"Person{n:02d} Waiting" for n in range(50, 60)]
    assert second.context["rows"][0].queue_position == 51


def test_select_all_on_the_page_works_without_javascript(staff_client, queue):
    response = staff_client.get(QUEUE, {"challenge": "water-pumps", "select": "page"})

    html = response.content.decode()
    assert html.count('name="applications"') == 4
    assert html.count(" checked>") == 4
    assert "Clear selection" in html


@pytest.mark.parametrize("rows", [5, 60])
def test_the_queue_page_makes_a_constant_number_of_queries(
    staff_client, open_challenge, django_assert_max_num_queries, rows
):
    referrer = UserFactory()
    for n in range(rows):
        application = apply(
            f"Person{n:02d} Queue",
            challenge=open_challenge,
            days=n + 1,
            priority=QueuePriority.REFERRAL if n % 3 == 0 else QueuePriority.STANDARD,
            referral_code=ReferralCodeFactory(owner=referrer) if n % 3 == 0 else None,
        )
        ReviewScoreFactory(application=application, score=1 + n % 5)
        if n % 7 == 0:
            MembershipFactory(person=application.person, status=MembershipStatus.REMOVED)

    with django_assert_max_num_queries(13):
        response = staff_client.get(QUEUE, {"challenge": "water-pumps", "referral": "true", "q": "queue"})
        assert response.status_code == 200
    with django_assert_max_num_queries(13):
        response = staff_client.get(QUEUE)
        assert len(response.context["rows"]) == min(rows, 50)


# --- Bulk review -------------------------------------------------------------------------------------------


def test_bulk_shortlist_moves_the_allowed_ones_and_lists_the_refused(
    staff_client, queue, django_capture_on_commit_callbacks
):
    picked = [queue["ada"].pk, queue["ben"].pk, queue["eve"].pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            BULK,
            {
                "applications": picked,
                "action": "shortlist",
                "note": "Strong NLP background",
                "query": "challenge=water-pumps&status=submitted&page=1",
            },
        )

    assert response.status_code == 302
    assert response.url == f"{QUEUE}?challenge=water-pumps&status=submitted&page=1"
    statuses = dict(Application.objects.filter(pk__in=picked).values_list("person__display_name", "status"))
    assert statuses == {
        "Ada Lovelace": ApplicationStatus.SHORTLISTED,
        "Ben Okafor": ApplicationStatus.SHORTLISTED,
        "Eve Adams": ApplicationStatus.ACCEPTED,
    }
    assert message_texts(response) == [
        "2 applications moved to “Shortlisted”; each applicant gets an email.",
        "1 could not move to “Shortlisted”: Eve Adams (Accepted).",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ada.lovelace@example.org", "ben.okafor@example.org"]
    assert all(m.subject == "You are shortlisted: Water pump failures" for m in mail.outbox)
    # The note is in each application's history.
    detail = staff_client.get(reverse("staff:application", args=[queue["ada"].pk]))
    assert "Strong NLP background" in detail.content.decode()


@pytest.mark.parametrize(
    ("action", "status", "subject"),
    [
        ("waitlist", ApplicationStatus.WAITLISTED, "You are on the waitlist"),
        ("reject", ApplicationStatus.REJECTED, "About your application"),
    ],
)
def test_bulk_waitlist_and_reject_email_each_applicant(
    staff_client, queue, django_capture_on_commit_callbacks, action, status, subject
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(BULK, {"applications": [queue["ben"].pk, queue["dan"].pk], "action": action})

    assert set(Application.objects.filter(status=status).values_list("person__display_name", flat=True)) == {
        "Ben Okafor",
        "Dan Mwangi",
    }
    assert len(mail.outbox) == 2
    assert {m.subject.split(":")[0] for m in mail.outbox} == {subject}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "shortlist"}, "Tick at least one application first."),
        ({"action": "", "applications": "ben"}, "Choose what to do with the ticked applications."),
        (
            {"action": "promote", "applications": "ben"},
            "Select a valid choice. promote is not one of the available choices.",
        ),
    ],
)
def test_bulk_without_ticks_or_action_says_what_is_missing(staff_client, queue, data, message):
    if "applications" in data:
        data["applications"] = [queue[data["applications"]].pk]

    response = staff_client.post(BULK, {**data, "query": "country=KE"})

    assert response.url == f"{QUEUE}?country=KE"
    assert message_texts(response) == [message]
    queue["ben"].refresh_from_db()
    assert queue["ben"].status == ApplicationStatus.SUBMITTED


def test_bulk_on_all_matching_moves_every_filtered_application_beyond_the_page(
    staff_client, open_challenge, floods, django_capture_on_commit_callbacks
):
    nigerians = [apply(f"Person{n:02d} Lagos", challenge=open_challenge, days=n + 1, country="NG") for n in range(53)]
    kenyan = apply("Wanjiru Kenya", challenge=open_challenge, days=5, country="KE")
    elsewhere = apply("Bola Floods", challenge=floods, days=5, country="NG")
    query = f"challenge={open_challenge.slug}&country=NG"

    page = staff_client.get(f"{QUEUE}?{query}").content.decode()
    assert "Apply to all 53 applications matching the filters" in page  # 50 rows shown, 53 match

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            BULK, {"all_matching": "on", "matching_count": 53, "action": "waitlist", "query": query}
        )

    assert message_texts(response) == ["53 applications moved to “Waitlisted”; each applicant gets an email."]
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in nigerians])} == {
        ApplicationStatus.WAITLISTED
    }
    for untouched in (kenyan, elsewhere):
        untouched.refresh_from_db()
        assert untouched.status == ApplicationStatus.SUBMITTED
    assert len(mail.outbox) == 53


def test_bulk_on_all_matching_refuses_a_set_that_changed_since_the_page_was_shown(staff_client, open_challenge):
    for n in range(3):
        apply(f"Person{n:02d} Changed", challenge=open_challenge, days=n + 1, country="NG")

    response = staff_client.post(
        BULK, {"all_matching": "on", "matching_count": 2, "action": "reject", "query": "country=NG"}
    )

    assert message_texts(response) == [
        "The applications matching these filters changed (3 now): nothing was moved; look again."
    ]
    assert not Application.objects.filter(status=ApplicationStatus.REJECTED).exists()


def test_bulk_redirect_never_leaves_the_queue(staff_client, queue):
    response = staff_client.post(
        BULK, {"applications": [queue["ben"].pk], "action": "waitlist", "query": "//evil.example/?x=1"}
    )

    assert response.url.startswith(QUEUE + "?")


# --- CSV export --------------------------------------------------------------------------------------------


def test_csv_export_has_every_filtered_row_with_its_columns(staff_client, queue, staff):
    ReviewScoreFactory(application=queue["ada"], reviewer=staff, score=5)
    ReviewScoreFactory(application=queue["ada"], score=4)

    response = staff_client.get(EXPORT, {"challenge": "water-pumps"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="applications-water-pumps-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == [
        "position",
        "name",
        "email",
        "challenge",
        "status",
        "referral",
        "referral code owner",
        "country",
        "level",
        "weekly hours",
        "submitted at",
        "days waiting",
        "average score",
        "scores count",
    ]
    assert [row[1] for row in rows] == ["Ada Lovelace", "Eve Adams", "Ben Okafor", "Cleo Santos"]
    ada = rows[0]
    submitted = queue["ada"].submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    assert ada == [
        "1",
        "Ada Lovelace",
        "ada.lovelace@example.org",
        "Water pump failures",
        "submitted",
        "yes",
        "Rita Referrer",
        "Kenya",
        "beginner",
        "20",
        submitted,
        "10",
        "4.50",
        "2",
    ]
    assert submitted.endswith("+00:00")
    eve = rows[1]
    assert eve[0] == "" and eve[4] == "accepted" and eve[5] == "no" and eve[11] == "" and eve[13] == "0"


def test_csv_export_has_all_rows_not_one_page(staff_client, open_challenge):
    for n in range(55):
        apply(f"Person{n:02d} Export", challenge=open_challenge, days=n + 1)

    _header, *rows = csv_rows(staff_client.get(EXPORT, {"status": "submitted"}))

    assert len(rows) == 55
    assert [int(row[0]) for row in rows] == list(range(1, 56))


def test_csv_export_positions_are_each_applications_place_in_its_whole_queue(
    staff_client, open_challenge, floods, django_assert_max_num_queries
):
    """A filtered export keeps the queue-wide #N (not the rank in the export), per challenge and state."""
    mixed = []
    for n in range(12):
        mixed.append(
            apply(
                f"Person{n:02d} Mixed",
                challenge=open_challenge if n % 3 else floods,
                days=30 - n,
                country="KE" if n % 2 else "NG",
                priority=QueuePriority.REFERRAL if n % 4 == 0 else QueuePriority.STANDARD,
                status=ApplicationStatus.WAITLISTED if n % 5 == 0 else ApplicationStatus.SUBMITTED,
            )
        )

    with django_assert_max_num_queries(8):
        _header, *rows = csv_rows(staff_client.get(EXPORT, {"country": "KE"}))

    by_email = {row[2]: row[0] for row in rows}
    kenyans = [application for application in mixed if application.country == "KE"]
    assert len(rows) == len(kenyans)
    for application in kenyans:
        assert by_email[application.person.email] == str(queue_position(application=application))


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_export_neutralises_formulas(staff_client, open_challenge, evil):
    person = UserFactory(display_name=evil, email="formula@example.org")
    ApplicationFactory(person=person, challenge=open_challenge)

    _header, row = csv_rows(staff_client.get(EXPORT))

    assert row[1] == "'" + evil


# --- One application ---------------------------------------------------------------------------------------


def test_review_page_shows_the_application_profile_history_and_referral(staff_client, queue, floods, staff):
    ada = queue["ada"]
    person = ada.person
    person.github_username = "ada-l"
    person.slack_user_id = "U0123ABCD"
    person.save()
    earlier = ChallengeFactory(title="Crop disease detection", status=ChallengeStatus.COMPLETED)
    MembershipFactory(
        person=person,
        challenge=earlier,
        status=MembershipStatus.REMOVED,
        left_at=days_ago(60),
        removal_reason=RemovalReason.INACTIVITY,
    )
    ApplicationFactory(person=person, challenge=earlier, status=ApplicationStatus.ACCEPTED)
    ApplicationFactory(person=person, challenge=floods, status=ApplicationStatus.WITHDRAWN)

    response = staff_client.get(reverse("staff:application", args=[ada.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert ada.motivation in html and ada.relevant_experience in html and "Python, NLP" in html
    assert "ada.lovelace@example.org" in html and "U0123ABCD" in html and "ada-l" in html
    assert "#1 in the queue" in html and "waiting 10 days" in html
    assert "Removed: Inactive without a reason" in html
    assert "history-removed" in html
    assert "Removed from 1 earlier challenge" in html
    assert "Crop disease detection" in html and "Flood mapping" in html and "Withdrawn" in html
    assert "Rita Referrer" in html and ada.referral_code.code in html
    assert "Cohort mix" in html
    # Ada is first in the queue: the next one to review is Ben.
    assert f'href="{reverse("staff:application", args=[queue["ben"].pk])}" rel="next"' in html
    assert [name for name, _label in response.context["actions"]] == ["shortlist", "waitlist", "reject"]


def test_review_page_shows_the_audit_history(staff_client, queue, staff):
    application_shortlist(application=queue["ben"], by=staff, note="Good GitHub profile")

    html = staff_client.get(reverse("staff:application", args=[queue["ben"].pk])).content.decode()

    assert "Shortlisted" in html
    assert "by Sam Staff" in html
    assert "submitted → shortlisted" in html
    assert "Good GitHub profile" in html


def test_staff_set_then_update_their_own_score(staff_client, queue, staff):
    url = reverse("staff:application_score", args=[queue["ben"].pk])
    ReviewScoreFactory(application=queue["ben"], score=2)  # another reviewer

    response = staff_client.post(url, {"score": 4, "note": "Clear motivation"})

    assert message_texts(response) == ["Your score is saved: 4/5."]
    response = staff_client.post(url, {"score": 5, "note": "Even better after a second read"}, follow=True)
    own = ReviewScore.objects.get(application=queue["ben"], reviewer=staff)
    assert (own.score, own.note) == (5, "Even better after a second read")
    assert ReviewScore.objects.filter(application=queue["ben"]).count() == 2
    html = response.content.decode()
    assert "Average <strong>3.5</strong> from 2 reviewers" in html
    assert "Update your score" in html
    assert "Reviewers disagree" in html


@pytest.mark.parametrize(
    ("data", "error"),
    [({"score": 7}, "A score is a whole number from 1 to 5."), ({"note": "no score"}, "Pick a score from 1 to 5.")],
)
def test_an_invalid_score_is_a_field_error(staff_client, queue, data, error):
    response = staff_client.post(reverse("staff:application_score", args=[queue["ben"].pk]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert "Please correct the fields marked below." in html
    assert not ReviewScore.objects.exists()


def test_a_review_action_moves_the_application_and_emails(staff_client, queue, django_capture_on_commit_callbacks):
    url = reverse("staff:application_action", args=[queue["cleo"].pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"action": "accept", "note": "Great fit"})

    queue["cleo"].refresh_from_db()
    assert queue["cleo"].status == ApplicationStatus.ACCEPTED
    assert message_texts(response) == ["Cleo Santos is now “Accepted”; they get an email."]
    assert [m.subject for m in mail.outbox] == ["You are accepted: Water pump failures"]


def test_a_refused_review_action_is_an_error_message(staff_client, queue):
    response = staff_client.post(reverse("staff:application_action", args=[queue["eve"].pk]), {"action": "reject"})

    assert message_texts(response) == ["Eve Adams is “Accepted” now, so this move is not possible."]
    queue["eve"].refresh_from_db()
    assert queue["eve"].status == ApplicationStatus.ACCEPTED


def test_transfer_keeps_the_submission_time_and_so_the_place(staff_client, queue, floods):
    ben = queue["ben"]
    submitted_at = ben.submitted_at

    response = staff_client.post(
        reverse("staff:application_move", args=[ben.pk]), {"to_challenge": floods.pk, "note": "Fits floods better"}
    )

    ben.refresh_from_db()
    assert ben.challenge == floods
    assert ben.submitted_at == submitted_at
    assert message_texts(response)[0].startswith("Moved to “Flood mapping”. It keeps its place")
    # Dan waited 30 days, Ben 20: Ben is second in the floods queue.
    page = staff_client.get(reverse("staff:application", args=[ben.pk])).content.decode()
    assert "#2 in the queue" in page
    assert "Fits floods better" in page


@pytest.mark.parametrize("target_status", [ChallengeStatus.RUNNING, ChallengeStatus.DRAFT, ChallengeStatus.COMPLETED])
def test_transfer_to_a_challenge_that_is_not_open_is_refused(staff_client, queue, target_status):
    target = ChallengeFactory(title="Not open", status=target_status)

    response = staff_client.post(reverse("staff:application_move", args=[queue["ben"].pk]), {"to_challenge": target.pk})

    assert message_texts(response) == ["The target challenge is not open for applications."]
    queue["ben"].refresh_from_db()
    assert queue["ben"].challenge.slug == "water-pumps"


def test_transfer_to_a_challenge_the_person_applied_to_is_refused(staff_client, queue, floods):
    ApplicationFactory(person=queue["ben"].person, challenge=floods, status=ApplicationStatus.WITHDRAWN)

    response = staff_client.post(reverse("staff:application_move", args=[queue["ben"].pk]), {"to_challenge": floods.pk})

    assert message_texts(response) == ["This person has already applied to the target challenge."]


def test_decided_applications_offer_no_transfer(staff_client, queue):
    response = staff_client.get(reverse("staff:application", args=[queue["eve"].pk]))

    assert response.context["transfer_form"] is None
    assert response.context["actions"] == []
    assert "Move to another challenge" not in response.content.decode()


# --- Cohort mix --------------------------------------------------------------------------------------------


def test_the_cohort_mix_shows_when_a_challenge_is_chosen(staff_client, queue, open_challenge):
    ApplicationFactory(
        challenge=open_challenge, status=ApplicationStatus.ACCEPTED, experience_level=ExperienceLevel.BEGINNER
    )
    # Seats are counted from memberships (a removed member's seat is free again): one per accepted person.
    for application in Application.objects.filter(challenge=open_challenge, status=ApplicationStatus.ACCEPTED):
        MembershipFactory(person=application.person, challenge=open_challenge, application=application)

    assert staff_client.get(QUEUE).context["mix"] is None
    response = staff_client.get(QUEUE, {"challenge": "water-pumps"})

    mix = response.context["mix"]
    assert (mix.accepted, mix.shortlisted, mix.seats_left) == (2, 1, 48)
    assert {level.key: level.percent for level in mix.levels} == {
        "experienced": 0,
        "intermediate": 67,
        "beginner": 33,
    }
    html = response.content.decode()
    assert "2 of 50" in html
    assert 'optimum="33" value="33"' in html
    # The next one to review is the first still waiting in the queue: the referral.
    assert response.context["next_application"] == queue["ada"]
