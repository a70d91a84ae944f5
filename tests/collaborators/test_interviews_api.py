"""`/api/v1/interviews/`: staff run interviews, applicants answer their own; bad input is a 400, never a 500."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from collaborators.enums import ApplicationStatus, InterviewStatus
from collaborators.models import Interview, Scorecard
from collaborators.services.interviews import interview_offer_slots, interview_schedule
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/interviews/"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LINK = "https://meet.example.org/omdena-interview"
SCORES = {"technical": 4, "communication": 4, "collaboration": 5, "commitment": 3}


def detail(interview, suffix=""):
    return f"{LIST}{interview.pk}/{suffix}"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def applicant(db):
    return UserFactory(email="ada@example.org", display_name="Ada Applicant", time_zone="Asia/Kolkata")


@pytest.fixture
def application(applicant, open_challenge):
    return ApplicationFactory(person=applicant, challenge=open_challenge, status=ApplicationStatus.SHORTLISTED)


@pytest.fixture
def offered(application, staff):
    return interview_offer_slots(
        application=application,
        slots=[NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)],
        interviewer=staff,
        video_link=LINK,
        by=staff,
    )


@pytest.fixture
def scheduled(application, staff):
    return interview_schedule(
        application=application,
        scheduled_at=NOW + dt.timedelta(days=1),
        interviewer=staff,
        video_link=LINK,
        by=staff,
    )


@pytest.fixture
def as_staff(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client


@pytest.fixture
def as_applicant(api_client, applicant):
    api_client.force_authenticate(applicant)
    return api_client


@pytest.fixture
def as_collaborator(api_client, collaborator):
    api_client.force_authenticate(collaborator)
    return api_client


# --- Reading ---------------------------------------------------------------------------------------------------


def test_staff_see_every_interview_and_applicants_only_their_own(api_client, staff, applicant, offered, open_challenge):
    other = interview_offer_slots(
        application=ApplicationFactory(challenge=open_challenge, status=ApplicationStatus.SHORTLISTED),
        slots=[NOW + dt.timedelta(days=3)],
        interviewer=staff,
        video_link=LINK,
        by=staff,
    )
    api_client.force_authenticate(staff)
    listed = api_client.get(LIST).json()
    assert {row["id"] for row in listed["results"]} == {offered.pk, other.pk}
    assert "scorecard" in listed["results"][0]
    assert listed["results"][0]["applicant"]["name"]

    api_client.force_authenticate(applicant)
    listed = api_client.get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [offered.pk]
    own = listed["results"][0]
    assert own["status"] == "offered"
    assert len(own["slots"]) == 2
    assert own["uid"] == offered.uid
    assert {"scorecard", "applicant", "reminder_sent_at"}.isdisjoint(own)
    assert api_client.get(detail(other)).status_code == 404

    api_client.force_authenticate(None)
    assert api_client.get(LIST).status_code in (401, 403)


def test_the_list_takes_a_constant_number_of_queries(as_staff, staff, open_challenge, django_assert_max_num_queries):
    for _ in range(6):
        interview_offer_slots(
            application=ApplicationFactory(challenge=open_challenge, status=ApplicationStatus.SHORTLISTED),
            slots=[NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)],
            interviewer=staff,
            video_link=LINK,
            by=staff,
        )
    with django_assert_max_num_queries(6):
        response = as_staff.get(LIST)
    assert response.json()["count"] == 6


def test_list_filters_by_status(as_staff, offered):
    assert as_staff.get(LIST, {"status": "offered"}).json()["count"] == 1
    assert as_staff.get(LIST, {"status": "scheduled"}).json()["count"] == 0


# --- Staff actions -------------------------------------------------------------------------------------------------


def test_staff_offer_slots(as_staff, staff, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(
            f"{LIST}offer/",
            {
                "application": application.pk,
                "slots": ["2026-03-03T14:00:00Z", "2026-03-04T08:00:00"],  # no offset: UTC
                "interviewer": staff.pk,
                "video_link": LINK,
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "offered"
    assert [slot["starts_at"] for slot in body["slots"]] == ["2026-03-03T14:00:00Z", "2026-03-04T08:00:00Z"]
    assert body["duration_minutes"] == 30
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slots": []}, "slots"),
        ({"slots": ["2026-03-01T10:00:00Z"]}, "slots"),
        ({"slots": ["not a time"]}, "slots"),
        ({"slots": [f"2026-03-1{n}T10:00:00Z" for n in range(6)]}, "slots"),
        ({"video_link": "meet me"}, "video_link"),
        ({"interviewer": "applicant"}, "interviewer"),
        ({"application": 999999}, "application"),
        ({"duration_minutes": 5}, "duration_minutes"),
    ],
)
def test_bad_offers_are_400_with_the_field(as_staff, staff, applicant, application, change, field):
    payload = {
        "application": application.pk,
        "slots": ["2026-03-03T14:00:00Z"],
        "interviewer": staff.pk,
        "video_link": LINK,
        **change,
    }
    if payload["interviewer"] == "applicant":
        payload["interviewer"] = applicant.pk
    response = as_staff.post(f"{LIST}offer/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Interview.objects.exists()


def test_offer_refused_for_an_application_not_shortlisted(as_staff, staff, open_challenge):
    queued = ApplicationFactory(challenge=open_challenge)
    response = as_staff.post(
        f"{LIST}offer/",
        {"application": queued.pk, "slots": ["2026-03-03T14:00:00Z"], "interviewer": staff.pk, "video_link": LINK},
        format="json",
    )
    assert response.status_code == 400
    assert "application" in response.json()


def test_staff_schedule_reschedule_and_cancel(as_staff, staff, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(
            f"{LIST}schedule/",
            {
                "application": application.pk,
                "scheduled_at": "2026-03-03T14:00:00Z",
                "interviewer": staff.pk,
                "video_link": LINK,
                "duration_minutes": 45,
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["scheduled_at"], body["ends_at"]) == (
        "scheduled",
        "2026-03-03T14:00:00Z",
        "2026-03-03T14:45:00Z",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED
    interview = Interview.objects.get()

    response = as_staff.post(detail(interview, "reschedule/"), {"scheduled_at": "2026-03-05T10:00:00Z"}, format="json")
    assert response.status_code == 200
    assert (response.json()["sequence"], response.json()["uid"]) == (1, interview.uid)

    response = as_staff.post(detail(interview, "cancel/"), {"reason": "Ill"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["sequence"]) == ("cancelled", 2)
    # A refused move is a 400 on status, never a 500.
    response = as_staff.post(detail(interview, "reschedule/"), {"scheduled_at": "2026-03-06T10:00:00Z"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_staff_scorecard_with_field_errors_then_saved(as_staff, scheduled, application):
    response = as_staff.post(
        detail(scheduled, "scorecard/"),
        {**SCORES, "technical": 0, "commitment": 6, "recommendation": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"technical", "commitment", "recommendation"}
    assert not Scorecard.objects.exists()

    response = as_staff.post(
        detail(scheduled, "scorecard/"), {**SCORES, "recommendation": "waitlist", "notes": "Good"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["scorecard"]["total"] == 16
    assert body["scorecard"]["recommendation"] == "waitlist"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEWED


def test_no_show_only_after_the_start(as_staff, scheduled, frozen):
    response = as_staff.post(detail(scheduled, "no-show/"))
    assert response.status_code == 400
    assert "status" in response.json()
    frozen.move_to(NOW + dt.timedelta(days=1, minutes=20))
    response = as_staff.post(detail(scheduled, "no-show/"))
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"


def test_collaborators_and_applicants_cannot_run_interviews(api_client, collaborator, applicant, scheduled, staff):
    for person in (collaborator, applicant):
        api_client.force_authenticate(person)
        assert api_client.post(f"{LIST}offer/", {}, format="json").status_code == 403
        assert api_client.post(f"{LIST}schedule/", {}, format="json").status_code == 403
        for action in ("reschedule/", "cancel/", "scorecard/", "no-show/"):
            response = api_client.post(detail(scheduled, action), {**SCORES, "recommendation": "accept"}, format="json")
            assert response.status_code == 403, action
    assert Interview.objects.get().status == InterviewStatus.SCHEDULED
    assert not Scorecard.objects.exists()


# --- The applicant's answers -----------------------------------------------------------------------------------------


def test_applicant_confirms_a_slot(as_applicant, offered, application, django_capture_on_commit_callbacks):
    slot = offered.slots.last()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_applicant.post(detail(offered, "confirm/"), {"slot": slot.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    assert response.json()["scheduled_at"] == "2026-03-04T09:00:00Z"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED
    assert any(m.attachments for m in mail.outbox)

    # Confirming again the same slot changes nothing; another one is refused with a 400.
    assert as_applicant.post(detail(offered, "confirm/"), {"slot": slot.pk}, format="json").status_code == 200
    response = as_applicant.post(detail(offered, "confirm/"), {"slot": offered.slots.first().pk}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("payload", [{}, {"slot": "x"}, {"slot": 999999}])
def test_confirm_with_a_bad_slot_is_400(as_applicant, offered, payload):
    response = as_applicant.post(detail(offered, "confirm/"), payload, format="json")
    assert response.status_code == 400
    assert "slot" in response.json()


def test_only_the_applicant_answers(api_client, staff, offered):
    api_client.force_authenticate(staff)
    response = api_client.post(detail(offered, "confirm/"), {"slot": offered.slots.first().pk}, format="json")
    assert response.status_code == 403
    api_client.force_authenticate(UserFactory())
    assert api_client.post(detail(offered, "confirm/"), {"slot": 1}, format="json").status_code == 404
    assert api_client.post(detail(offered, "request-other-time/"), {"message": "x"}, format="json").status_code == 404
    assert Interview.objects.get().status == InterviewStatus.OFFERED


def test_applicant_asks_for_another_time(as_applicant, offered, django_capture_on_commit_callbacks):
    assert as_applicant.post(detail(offered, "request-other-time/"), {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = as_applicant.post(
            detail(offered, "request-other-time/"), {"message": "Evenings after 18:00 IST"}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "reschedule_requested"
    assert response.json()["applicant_message"] == "Evenings after 18:00 IST"
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]  # the interviewer


# --- The calendar file -----------------------------------------------------------------------------------------------


def test_ics_download_own_interview_only(api_client, applicant, staff, scheduled):
    api_client.force_authenticate(applicant)
    response = api_client.get(detail(scheduled, "ics/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == scheduled.uid
    assert event.decoded("DTSTART") == NOW + dt.timedelta(days=1)

    api_client.force_authenticate(staff)
    assert api_client.get(detail(scheduled, "ics/")).status_code == 200
    api_client.force_authenticate(UserFactory())
    assert api_client.get(detail(scheduled, "ics/")).status_code == 404


def test_ics_of_an_interview_without_a_time_is_404(as_applicant, offered):
    assert as_applicant.get(detail(offered, "ics/")).status_code == 404


def test_the_interviews_api_is_in_the_schema(as_staff):
    schema = as_staff.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/interviews/", "/api/v1/interviews/{id}/ics/", "/api/v1/interviews/{id}/request-other-time/"):
        assert path in text
