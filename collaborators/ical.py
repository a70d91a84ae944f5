"""iCalendar invites for interviews: the only module that imports `icalendar`.

RFC 5545 (the format) and RFC 5546 (iTIP: METHOD REQUEST / CANCEL / PUBLISH). A calendar keeps one
event per UID and replaces it when a message carries a higher SEQUENCE, so an interview keeps its
UID for life and its sequence goes up with every new time or cancellation.
"""

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from omdena.site import absolute_url

from .models import Interview

PRODID = "-//Omdena Challenges//Interviews//EN"
# REQUEST and CANCEL go by email to the attendee; PUBLISH is the "add to calendar" download, a copy for one's
# own calendar that asks for no reply (same UID, so a later emailed update still replaces it).
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
ICS_FILENAME = "invite.ics"


def invite_content_type(method: str) -> str:
    return f"text/calendar; method={method}; charset=UTF-8"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = value
    return address


def _organizer(interview: Interview) -> vCalAddress:
    interviewer = interview.interviewer
    if interviewer is not None and interviewer.email:
        return _address(interviewer.email, interviewer.name)
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _address(email, name or "Omdena Challenges")


def invite_ics(interview: Interview, method: str = "REQUEST") -> bytes:
    """One VEVENT for the interview, its times in UTC; raises ValueError for an interview without a time."""
    if method not in METHODS:
        raise ValueError(f"Unknown iTIP method {method!r}")
    if interview.scheduled_at is None:
        raise ValueError("An interview without a time has no calendar event.")
    application = interview.application
    applicant = application.person
    challenge = application.challenge
    page = absolute_url(reverse("application_detail", args=[application.pk]))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)

    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", interview.scheduled_at.astimezone(dt.UTC))
    event.add("dtend", interview.ends_at.astimezone(dt.UTC))
    event.add("summary", f"Omdena interview: {challenge.title}")
    event.add(
        "description",
        f"Video interview for the challenge “{challenge.title}”.\n"
        f"Join: {interview.video_link}\n"
        f"Your application: {page}",
    )
    event.add("location", interview.video_link)
    event.add("url", interview.video_link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _organizer(interview))
    event.add(
        "attendee",
        _address(applicant.email, applicant.name, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
    )
    calendar.add_component(event)
    return calendar.to_ical()


def invite_attachment(interview: Interview, method: str = "REQUEST") -> dict[str, str]:
    """The invite as an outbox attachment (see notifications.services): rendered now, sent as it was."""
    return {
        "filename": ICS_FILENAME,
        "content": invite_ics(interview, method).decode(),
        "mimetype": invite_content_type(method),
    }
