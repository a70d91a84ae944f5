"""Interviews: offer and confirm, set a time, reschedule, cancel, another time, the reminder, scorecards, no-shows,
the calendar invites, times in each viewer's zone, and who may do what on the pages."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from icalendar import Calendar

from collaborators.enums import ApplicationStatus, InterviewStatus, Recommendation
from collaborators.models import Application, Interview, Scorecard
from collaborators.services.interviews import (
    interview_cancel,
    interview_confirm_slot,
    interview_mark_no_show,
    interview_offer_slots,
    interview_record_scorecard,
    interview_request_other_time,
    interview_reschedule,
    interview_schedule,
)
from collaborators.tasks import send_interview_reminders
from notifications.models import OutboxMessage
from omdena.errors import TransitionNotAllowed
from tests.factories import ApplicationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
LINK = "https://meet.example.org/omdena-interview"
SCORES = {"technical": 4, "communication": 5, "collaboration": 4, "commitment": 5}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def applicant(db):
    return UserFactory(email="ada@example.org", display_name="Ada Applicant", time_zone="Asia/Kolkata")


@pytest.fixture
def interviewer(db):
    return StaffFactory(email="ivan@example.org", display_name="Ivan Interviewer", time_zone="Europe/Berlin")


@pytest.fixture
def application(applicant, open_challenge):
    return ApplicationFactory(person=applicant, challenge=open_challenge, status=ApplicationStatus.SHORTLISTED)


def offer(application, interviewer, *slots, **extra) -> Interview:
    return interview_offer_slots(
        application=application,
        slots=slots or [at(3, 14), at(4, 9, 30)],
        interviewer=interviewer,
        video_link=LINK,
        by=interviewer,
        **extra,
    )


def schedule(application, interviewer, when=None) -> Interview:
    return interview_schedule(
        application=application,
        scheduled_at=when or at(3, 14),
        interviewer=interviewer,
        video_link=LINK,
        by=interviewer,
    )


def calendar_of(message) -> tuple[Calendar, object]:
    """The invite.ics attached to an email, parsed, with its MIME part."""
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True)), part
    raise AssertionError(f"no calendar attached to “{message.subject}”")


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


# --- Offer, confirm and the invite ---------------------------------------------------------------------------


def test_offer_then_confirm_schedules_the_application_and_sends_the_invite(
    application, applicant, interviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interview = offer(application, interviewer, at(3, 14), at(4, 9, 30), at(5, 16))

    assert interview.status == InterviewStatus.OFFERED
    assert [slot.starts_at for slot in interview.slots.all()] == [at(3, 14), at(4, 9, 30), at(5, 16)]
    (offer_email,) = mail.outbox
    assert offer_email.to == ["ada@example.org"]
    assert "Pick a time" in offer_email.subject
    # The slots in the applicant's own zone: 14:00 UTC is 19:30 in Kolkata.
    assert "Tuesday 3 March 2026, 19:30" in offer_email.body
    assert "Asia/Kolkata" in offer_email.body
    assert reverse("application_detail", args=[application.pk]) in offer_email.body
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED  # nothing is fixed until a time is picked

    mail.outbox.clear()
    chosen = interview.slots.get(starts_at=at(4, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        interview = interview_confirm_slot(interview=interview, slot=chosen, by=applicant)

    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.scheduled_at == at(4, 9, 30)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED
    [invite] = emails_to("ada@example.org")  # the invite is the only email: no separate status email
    calendar, part = calendar_of(invite)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "invite.ics"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    event = event_of(calendar)
    assert event.decoded("DTSTART") == at(4, 9, 30)
    assert event.decoded("DTEND") == at(4, 10, 0)
    assert b"DTSTART:20260304T093000Z" in part.get_payload(decode=True)  # UTC, written with a Z
    assert str(event["UID"]) == interview.uid
    assert interview.uid.endswith("@omdena-challenges")
    assert int(event["SEQUENCE"]) == 0
    assert LINK in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == LINK
    assert str(event["ORGANIZER"]) == "mailto:ivan@example.org"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ada@example.org"
    assert attendee.params["RSVP"] == "TRUE"
    # The interviewer gets the same event for their calendar, with the time in Berlin.
    (interviewer_invite,) = emails_to("ivan@example.org")
    assert str(event_of(calendar_of(interviewer_invite)[0])["UID"]) == interview.uid
    assert "10:30" in interviewer_invite.body
    assert "Europe/Berlin" in interviewer_invite.body


def test_confirming_twice_or_offering_the_same_times_again_sends_nothing_more(
    application, applicant, interviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interview = offer(application, interviewer)
        again = offer(application, interviewer)
    assert again.pk == interview.pk
    assert len(mail.outbox) == 1
    assert interview.slots.count() == 2

    slot = interview.slots.first()
    with django_capture_on_commit_callbacks(execute=True):
        interview_confirm_slot(interview=interview, slot=slot, by=applicant)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        interview_confirm_slot(interview=interview, slot=slot, by=applicant)
    assert len(mail.outbox) == sent
    assert Interview.objects.count() == 1


def test_offering_new_times_replaces_the_old_ones_on_the_same_interview(application, interviewer):
    interview = offer(application, interviewer, at(3, 14))
    replaced = offer(application, interviewer, at(6, 10), at(6, 11))
    assert replaced.pk == interview.pk
    assert [s.starts_at for s in replaced.slots.all()] == [at(6, 10), at(6, 11)]


def test_offer_needs_a_shortlisted_application_future_times_and_a_staff_interviewer(
    application, interviewer, applicant, open_challenge
):
    queued = ApplicationFactory(challenge=open_challenge)
    with pytest.raises(ValidationError) as refused:
        offer(queued, interviewer)
    assert "application" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        offer(application, interviewer, at(1, 14))
    assert refused.value.message_dict["slots"] == ["Choose a time in the future."]
    with pytest.raises(ValidationError) as refused:
        offer(application, interviewer, *[at(10, hour) for hour in range(8, 14)])
    assert "slots" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        offer(application, applicant)
    assert "interviewer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        interview_offer_slots(
            application=application, slots=[at(3, 14)], interviewer=interviewer, video_link="meet", by=interviewer
        )
    assert "video_link" in refused.value.message_dict
    assert not Interview.objects.exists()


def test_only_the_applicant_confirms_and_only_an_offered_slot(application, interviewer, open_challenge):
    interview = offer(application, interviewer)
    other = offer(ApplicationFactory(challenge=open_challenge, status=ApplicationStatus.SHORTLISTED), interviewer)
    with pytest.raises(PermissionDenied):
        interview_confirm_slot(interview=interview, slot=interview.slots.first(), by=interviewer)
    with pytest.raises(ValidationError) as refused:
        interview_confirm_slot(interview=interview, slot=other.slots.first(), by=application.person)
    assert "slot" in refused.value.message_dict


def test_one_open_interview_per_application_is_a_database_rule(application, interviewer):
    offer(application, interviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interview.objects.create(application=application, interviewer=interviewer, video_link=LINK)
    Interview.objects.update(status=InterviewStatus.CANCELLED)
    Interview.objects.create(application=application, interviewer=interviewer, video_link=LINK)  # a new one is fine


def test_setting_a_time_directly_schedules_and_invites(
    application, applicant, interviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(application, interviewer, at(3, 14))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED
    assert interview.status == InterviewStatus.SCHEDULED
    invite = next(m for m in emails_to("ada@example.org") if m.attachments)
    assert event_of(calendar_of(invite)[0]).decoded("DTSTART") == at(3, 14)
    assert "19:30" in invite.body


# --- Reschedule, cancel, another time --------------------------------------------------------------------------


def test_reschedule_keeps_the_uid_and_raises_the_sequence(application, interviewer, django_capture_on_commit_callbacks):
    interview = schedule(application, interviewer, at(3, 14))
    Interview.objects.filter(pk=interview.pk).update(reminder_sent_at=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = interview_reschedule(interview=interview, scheduled_at=at(5, 8), by=interviewer)

    assert moved.uid == interview.uid
    assert moved.sequence == 1
    assert moved.reminder_sent_at is None  # the new time gets its own reminder
    (invite,) = [m for m in emails_to("ada@example.org") if m.attachments]
    assert invite.subject.startswith("New time for your interview")
    event = event_of(calendar_of(invite)[0])
    assert str(event["UID"]) == interview.uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at(5, 8)

    with django_capture_on_commit_callbacks(execute=True):
        interview_reschedule(interview=interview, scheduled_at=at(6, 8), by=interviewer)
    assert Interview.objects.get(pk=interview.pk).sequence == 2


def test_cancel_sends_method_cancel_and_puts_the_application_back_on_the_shortlist(
    application, interviewer, django_capture_on_commit_callbacks
):
    interview = schedule(application, interviewer, at(3, 14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = interview_cancel(interview=interview, by=interviewer, reason="The interviewer is ill.")

    assert cancelled.status == InterviewStatus.CANCELLED
    assert cancelled.sequence == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED
    (email,) = emails_to("ada@example.org")  # the cancellation only, not a second "you are shortlisted"
    assert "The interviewer is ill." in email.body
    calendar, part = calendar_of(email)
    assert part.get_param("method") == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    event = event_of(calendar)
    assert str(event["UID"]) == interview.uid
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert len(emails_to("ivan@example.org")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(interview=interview, by=interviewer)
    assert len(mail.outbox) == 2  # cancelling again changes and sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        fresh = offer(application, interviewer)  # the shortlisted application can be invited again
    assert fresh.pk != interview.pk


def test_a_withdrawal_closes_the_open_interview(
    application, applicant, interviewer, django_capture_on_commit_callbacks
):
    from collaborators.services.applications import application_withdraw
    from collaborators.services.interviews import interview_cancel_open

    interview = schedule(application, interviewer, at(3, 14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=application, by=applicant)
        assert interview_cancel_open(application=application, by=applicant) is None  # already closed by the withdrawal
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    cancellation = next(m for m in emails_to("ada@example.org") if m.attachments)
    assert str(calendar_of(cancellation)[0]["METHOD"]) == "CANCEL"
    assert "stays open" not in cancellation.body


def test_cancelling_an_offer_without_a_time_sends_no_calendar(
    application, interviewer, django_capture_on_commit_callbacks
):
    interview = offer(application, interviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(interview=interview, by=interviewer)
    (email,) = mail.outbox
    assert "withdrawn" in email.body
    assert not email.attachments


def test_another_time_records_the_message_and_tells_the_interviewer(
    application, applicant, interviewer, django_capture_on_commit_callbacks
):
    interview = offer(application, interviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = interview_request_other_time(
            interview=interview, message="Weekdays after 16:00 my time work best.", by=applicant
        )
    assert asked.status == InterviewStatus.RESCHEDULE_REQUESTED
    assert asked.applicant_message == "Weekdays after 16:00 my time work best."
    (email,) = mail.outbox
    assert email.to == ["ivan@example.org"]
    assert "Ada Applicant" in email.subject
    assert "Weekdays after 16:00 my time work best." in email.body
    assert reverse("staff:application", args=[application.pk]) in email.body

    with django_capture_on_commit_callbacks(execute=True):
        interview_request_other_time(
            interview=interview, message="Weekdays after 16:00 my time work best.", by=applicant
        )
    assert len(mail.outbox) == 1
    with pytest.raises(ValidationError) as refused:
        interview_request_other_time(interview=interview, message="  ", by=applicant)
    assert "message" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        interview_request_other_time(interview=interview, message="I am staff", by=interviewer)

    # Staff answer with new times on the same interview.
    again = offer(application, interviewer, at(9, 16))
    assert again.pk == interview.pk
    assert again.status == InterviewStatus.OFFERED


# --- The reminder ---------------------------------------------------------------------------------------------------


def reminders() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder")]


def test_the_reminder_goes_once_to_interviews_within_24_hours(
    application, interviewer, open_challenge, frozen, django_capture_on_commit_callbacks
):
    soon = schedule(application, interviewer, NOW + dt.timedelta(hours=20))
    later_application = ApplicationFactory(challenge=open_challenge, status=ApplicationStatus.SHORTLISTED)
    later = schedule(later_application, interviewer, NOW + dt.timedelta(hours=30))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_interview_reminders() == 1
        assert send_interview_reminders() == 0  # the second run finds it sent
    (reminder,) = reminders()
    assert reminder.to == ["ada@example.org"]
    assert "Tuesday 3 March 2026, 10:30" in reminder.subject  # 05:00 UTC, in Kolkata
    assert "Asia/Kolkata" in reminder.body
    assert LINK in reminder.body
    assert reverse("interview_ics", args=[soon.pk]) in reminder.body
    assert OutboxMessage.objects.filter(idempotency_key=f"interview-reminder:{soon.pk}:0:email").exists()
    soon.refresh_from_db()
    assert soon.reminder_sent_at == NOW

    frozen.move_to(NOW + dt.timedelta(hours=10))  # now the later one is 20 hours away, the first one 10
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_interview_reminders() == 1
    (reminder,) = reminders()
    assert reminder.to == [later_application.person.email]
    assert Interview.objects.get(pk=later.pk).reminder_sent_at is not None


def test_no_reminder_for_past_interviews_or_ones_that_are_not_scheduled(
    application, interviewer, frozen, django_capture_on_commit_callbacks
):
    interview = schedule(application, interviewer, NOW + dt.timedelta(hours=2))
    frozen.move_to(NOW + dt.timedelta(hours=3))  # it is over and nobody reminded anyone
    with django_capture_on_commit_callbacks(execute=True):
        assert send_interview_reminders() == 0
    offered = offer(ApplicationFactory(status=ApplicationStatus.SHORTLISTED), interviewer, NOW + dt.timedelta(hours=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_interview_reminders() == 0
    assert reminders() == []
    assert Interview.objects.get(pk=interview.pk).reminder_sent_at is None
    assert offered.reminder_sent_at is None


def test_a_rescheduled_interview_gets_a_new_reminder(application, interviewer, django_capture_on_commit_callbacks):
    interview = schedule(application, interviewer, NOW + dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        send_interview_reminders()
        interview_reschedule(interview=interview, scheduled_at=NOW + dt.timedelta(hours=22), by=interviewer)
        send_interview_reminders()
        send_interview_reminders()
    assert len(reminders()) == 2
    keys = set(OutboxMessage.objects.filter(template="interview_reminder").values_list("idempotency_key", flat=True))
    assert keys == {f"interview-reminder:{interview.pk}:0:email", f"interview-reminder:{interview.pk}:1:email"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_sweeps_send_one_reminder():
    person = UserFactory(email="concurrent@example.org")
    application = ApplicationFactory(person=person, status=ApplicationStatus.INTERVIEW_SCHEDULED)
    interview = Interview.objects.create(
        application=application,
        interviewer=StaffFactory(),
        video_link=LINK,
        status=InterviewStatus.SCHEDULED,
        scheduled_at=NOW + dt.timedelta(hours=3),
    )
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(send_interview_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(sent) == [0, 1]
    assert [m.to for m in mail.outbox] == [["concurrent@example.org"]]
    assert OutboxMessage.objects.filter(template="interview_reminder").count() == 1
    interview.refresh_from_db()
    assert interview.reminder_sent_at is not None


# --- Scorecard and no-show -------------------------------------------------------------------------------------


def test_the_scorecard_completes_the_interview_and_moves_the_application_to_interviewed(
    application, interviewer, django_capture_on_commit_callbacks
):
    interview = schedule(application, interviewer, at(3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        scorecard = interview_record_scorecard(
            interview=interview, **SCORES, recommendation=Recommendation.ACCEPT, notes="Strong NLP.", by=interviewer
        )
    assert scorecard.total == 18
    assert scorecard.author == interviewer
    interview.refresh_from_db()
    application.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert application.status == ApplicationStatus.INTERVIEWED
    assert any(m.subject.startswith("Thank you for the interview") for m in mail.outbox)

    # Correcting it updates the same scorecard; the application does not move again.
    updated = interview_record_scorecard(
        interview=interview, **{**SCORES, "technical": 3}, recommendation=Recommendation.WAITLIST, by=interviewer
    )
    assert updated.pk == scorecard.pk
    assert Scorecard.objects.get().technical == 3


@pytest.mark.parametrize("bad", [0, 6, "x", None])
def test_scores_outside_1_to_5_are_field_errors(application, interviewer, bad):
    interview = schedule(application, interviewer, at(3, 14))
    with pytest.raises(ValidationError) as refused:
        interview_record_scorecard(
            interview=interview, **{**SCORES, "technical": bad}, recommendation="maybe", by=interviewer
        )
    assert set(refused.value.message_dict) == {"technical", "recommendation"}
    assert refused.value.message_dict["technical"] == ["A score is a whole number from 1 to 5."]
    assert not Scorecard.objects.exists()


def test_scores_are_checked_by_the_database_too(application, interviewer):
    interview = schedule(application, interviewer, at(3, 14))
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(interview=interview, **{**SCORES, "commitment": 6}, recommendation="accept")


def test_a_no_show_is_recorded_after_the_start_and_staff_may_then_reject(
    application, interviewer, frozen, django_capture_on_commit_callbacks
):
    from collaborators.services.applications import application_reject

    interview = schedule(application, interviewer, at(3, 14))
    with pytest.raises(ValidationError):
        interview_mark_no_show(interview=interview, by=interviewer)
    frozen.move_to(at(3, 14, 20))
    missed = interview_mark_no_show(interview=interview, by=interviewer)
    assert missed.status == InterviewStatus.NO_SHOW
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED
    with pytest.raises(TransitionNotAllowed):
        interview_record_scorecard(interview=interview, **SCORES, recommendation="accept", by=interviewer)
    assert application_reject(application=application, by=interviewer).status == ApplicationStatus.REJECTED


# --- Pages: the staff panel -------------------------------------------------------------------------------------------


def review_page(application) -> str:
    return reverse("staff:application", args=[application.pk])


def test_staff_offer_times_typed_in_their_own_time_zone(
    client, application, interviewer, django_capture_on_commit_callbacks
):
    interviewer.time_zone = "America/New_York"
    interviewer.save(update_fields=["time_zone"])
    client.force_login(interviewer)
    page = client.get(review_page(application))
    assert page.status_code == 200
    assert 'name="offer-slot_1"' in page.text
    assert 'type="datetime-local"' in page.text
    assert "America/New_York" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:interview_offer", args=[application.pk]),
            {
                "offer-slot_1": "2026-03-05T10:00",
                "offer-slot_2": "2026-03-05T11:30",
                "offer-interviewer": interviewer.pk,
                "offer-video_link": LINK,
                "offer-duration_minutes": "30",
            },
            follow=True,
        )
    interview = Interview.objects.get()
    # 10:00 in New York (EST, UTC-5 until 8 March) is 15:00 UTC.
    assert [s.starts_at for s in interview.slots.all()] == [at(5, 15), at(5, 16, 30)]
    assert "2 times offered to Ada Applicant" in response.text
    assert len(mail.outbox) == 1


def test_staff_offer_form_errors_show_on_the_review_page(client, application, interviewer):
    client.force_login(interviewer)
    response = client.post(
        reverse("staff:interview_offer", args=[application.pk]),
        {"offer-slot_1": "2026-03-01T10:00", "offer-interviewer": interviewer.pk, "offer-video_link": ""},
    )
    assert response.status_code == 200
    assert "Choose a time in the future." in response.text
    assert "Give the link of the video call." in response.text
    assert not Interview.objects.exists()
    response = client.post(
        reverse("staff:interview_offer", args=[application.pk]),
        {"offer-interviewer": interviewer.pk, "offer-video_link": LINK, "offer-duration_minutes": "30"},
    )
    assert "Offer at least one time." in response.text


def test_staff_set_a_time_then_see_both_time_zones(
    client, application, interviewer, django_capture_on_commit_callbacks
):
    client.force_login(interviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:interview_schedule", args=[application.pk]),
            {
                "schedule-scheduled_at": "2026-03-03T15:00",  # Berlin, UTC+1: 14:00 UTC
                "schedule-interviewer": interviewer.pk,
                "schedule-video_link": LINK,
                "schedule-duration_minutes": "45",
            },
            follow=True,
        )
    interview = Interview.objects.get()
    assert interview.scheduled_at == at(3, 14)
    assert interview.duration_minutes == 45
    assert "Interview set for Tuesday 3 March 2026, 15:00 (Europe/Berlin)" in response.text
    assert "Tue 3 Mar 2026, 15:00" in response.text  # the staff member's clock
    assert "Tue 3 Mar, 19:30 for the applicant (Asia/Kolkata)" in response.text
    assert 'name="scorecard-technical"' in response.text


def test_the_scorecard_form_shows_field_errors_then_saves_and_shows_the_recommendation(
    client, application, interviewer
):
    interview = schedule(application, interviewer, at(3, 14))
    client.force_login(interviewer)
    url = reverse("staff:interview_scorecard", args=[interview.pk])
    response = client.post(
        url,
        {
            "scorecard-technical": "0",
            "scorecard-communication": "6",
            "scorecard-collaboration": "3",
            "scorecard-commitment": "",
            "scorecard-recommendation": "accept",
        },
    )
    assert response.status_code == 200
    form = response.context["interview_forms"]["scorecard"]
    assert form.errors["technical"] == ["A score is a whole number from 1 to 5."]
    assert form.errors["communication"] == ["A score is a whole number from 1 to 5."]
    assert form.errors["commitment"] == ["Pick a score from 1 to 5."]
    assert "A score is a whole number from 1 to 5." in response.text
    assert not Scorecard.objects.exists()

    response = client.post(
        url,
        {
            **{f"scorecard-{name}": value for name, value in SCORES.items()},
            "scorecard-recommendation": "accept",
            "scorecard-notes": "Clear thinker.",
        },
        follow=True,
    )
    assert "Scorecard saved: 18/20, recommends “Accept”." in response.text
    assert "Recommends: Accept" in response.text
    assert "Clear thinker." in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEWED


def test_staff_reschedule_cancel_and_no_show_from_the_panel(client, application, interviewer, frozen):
    interview = schedule(application, interviewer, at(3, 14))
    client.force_login(interviewer)
    response = client.post(
        reverse("staff:interview_reschedule", args=[interview.pk]),
        {"reschedule-scheduled_at": "2026-03-04T10:00"},
        follow=True,
    )
    assert "New time: Wednesday 4 March 2026, 10:00 (Europe/Berlin)" in response.text
    interview.refresh_from_db()
    assert (interview.scheduled_at, interview.sequence) == (at(4, 9), 1)

    frozen.move_to(at(4, 9, 15))
    page = client.get(review_page(application))
    assert "Record a no-show" in page.text
    response = client.post(reverse("staff:interview_no_show", args=[interview.pk]), follow=True)
    assert "No-show recorded" in response.text
    assert Interview.objects.get().status == InterviewStatus.NO_SHOW
    # After a no-show staff may invite again: the offer form is back.
    assert 'name="offer-slot_1"' in response.text

    again = schedule(application, interviewer, at(6, 9))
    response = client.post(
        reverse("staff:interview_cancel", args=[again.pk]), {"cancel-reason": "Position filled"}, follow=True
    )
    assert "Interview cancelled" in response.text
    assert Interview.objects.get(pk=again.pk).status == InterviewStatus.CANCELLED


# --- Pages: the applicant ----------------------------------------------------------------------------------------


def application_page(application) -> str:
    return reverse("application_detail", args=[application.pk])


def test_applicant_sees_offered_slots_in_their_time_zone_and_picks_one(
    client, application, applicant, interviewer, django_capture_on_commit_callbacks
):
    interview = offer(application, interviewer, at(3, 14), at(4, 9, 30))
    client.force_login(applicant)
    page = client.get(application_page(application))
    assert "Your interview" in page.text
    assert "Tuesday 3 March 2026, 19:30" in page.text  # 14:00 UTC in Kolkata
    assert "Wednesday 4 March 2026, 15:00" in page.text
    assert "Asia/Kolkata" in page.text
    assert "None of these times work?" in page.text

    slot = interview.slots.get(starts_at=at(3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interview_confirm", args=[interview.pk]), {"confirm-slot": slot.pk}, follow=True
        )
    assert response.redirect_chain[-1][0] == application_page(application)
    assert "Your interview is on Tuesday 3 March 2026, 19:30 (Asia/Kolkata)" in response.text
    assert "Add to calendar (.ics)" in response.text
    assert reverse("interview_ics", args=[interview.pk]) in response.text
    assert LINK in response.text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW_SCHEDULED


def test_a_stale_answer_after_a_cancellation_says_what_happened(client, application, applicant, interviewer):
    interview = offer(application, interviewer)
    slot = interview.slots.first()
    interview_cancel(interview=interview, by=interviewer)
    client.force_login(applicant)
    response = client.post(reverse("interview_confirm", args=[interview.pk]), {"confirm-slot": slot.pk}, follow=True)
    assert "This is not possible any more: the interview is “Cancelled” now." in response.text
    assert "The interview times we offered are withdrawn." in response.text
    assert Interview.objects.get().status == InterviewStatus.CANCELLED


def test_applicant_must_pick_a_slot_and_write_a_message(client, application, applicant, interviewer):
    interview = offer(application, interviewer)
    client.force_login(applicant)
    assert "Confirm this time" in client.get(reverse("interview_respond", args=[interview.pk])).text
    response = client.post(reverse("interview_confirm", args=[interview.pk]), {})
    assert response.status_code == 200
    assert "Pick one of the times." in response.text
    response = client.post(reverse("interview_other_time", args=[interview.pk]), {"other-message": ""})
    assert response.status_code == 200
    assert "Tell us which days and times would work for you." in response.text
    assert Interview.objects.get().status == InterviewStatus.OFFERED

    response = client.post(
        reverse("interview_other_time", args=[interview.pk]), {"other-message": "Saturdays, please."}, follow=True
    )
    assert "we will send you other times" in response.text
    assert "You asked for another time" in response.text
    assert "Saturdays, please." in response.text


def test_add_to_calendar_downloads_the_own_interview_only(client, application, applicant, interviewer, staff):
    interview = schedule(application, interviewer, at(3, 14))
    url = reverse("interview_ics", args=[interview.pk])
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="invite.ics"' in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event_of(calendar)["UID"]) == interview.uid
    assert event_of(calendar).decoded("DTSTART") == at(3, 14)

    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


# --- Who may do what on the pages -----------------------------------------------------------------------------


def test_other_applicants_get_404_on_every_applicant_route(client, application, interviewer):
    interview = schedule(application, interviewer, at(3, 14))
    client.force_login(UserFactory())
    for name, method in [
        ("interview_respond", "get"),
        ("interview_confirm", "post"),
        ("interview_other_time", "post"),
        ("interview_ics", "get"),
    ]:
        response = getattr(client, method)(reverse(name, args=[interview.pk]))
        assert response.status_code == 404, name
    assert "Your interview" not in client.get(application_page(application)).text


def test_collaborators_cannot_offer_schedule_or_score(client, collaborator, application, interviewer):
    interview = schedule(application, interviewer, at(3, 14))
    routes = [
        reverse("staff:interview_offer", args=[application.pk]),
        reverse("staff:interview_schedule", args=[application.pk]),
        reverse("staff:interview_reschedule", args=[interview.pk]),
        reverse("staff:interview_cancel", args=[interview.pk]),
        reverse("staff:interview_scorecard", args=[interview.pk]),
        reverse("staff:interview_no_show", args=[interview.pk]),
    ]
    for url in routes:
        assert client.post(url).status_code == 302  # anonymous: to the sign-in page
    for person in (collaborator, application.person):
        client.force_login(person)
        for url in routes:
            assert client.post(url, {"scorecard-technical": "5"}).status_code == 403, url
    assert Interview.objects.get().status == InterviewStatus.SCHEDULED
    assert not Scorecard.objects.exists()


def test_the_applicant_never_sees_the_scorecard(client, application, applicant, interviewer):
    interview = schedule(application, interviewer, at(3, 14))
    interview_record_scorecard(
        interview=interview, **SCORES, recommendation="reject", notes="Secret notes", by=interviewer
    )
    client.force_login(applicant)
    page = client.get(application_page(application))
    assert "Thank you for the interview" in page.text
    assert "Secret notes" not in page.text
    assert "Recommends" not in page.text


def test_the_admin_lists_interviews_and_scorecards(client, application, interviewer):
    interview = schedule(application, interviewer, at(3, 14))
    interview_record_scorecard(interview=interview, **SCORES, recommendation="accept", by=interviewer)
    admin = StaffFactory(is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:collaborators_interview_changelist")).status_code == 200
    page = client.get(reverse("admin:collaborators_interview_change", args=[interview.pk]))
    assert page.status_code == 200
    assert interview.uid in page.text
    assert client.get(reverse("admin:collaborators_scorecard_changelist")).status_code == 200


def test_applications_without_interviews_show_no_panel(client, applicant, open_challenge):
    queued = ApplicationFactory(person=applicant, challenge=open_challenge)
    client.force_login(applicant)
    assert "Your interview" not in client.get(application_page(queued)).text
    assert Application.objects.count() == 1
