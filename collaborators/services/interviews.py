"""Every write to an interview: offer slots, set a time, confirm, ask for another time, reschedule, cancel,
the scorecard, a no-show, and the day-before reminder.

Each change locks the application row first and then the interview (always in that order, so two staff
acting on one application wait for each other instead of deadlocking), checks the move against
INTERVIEW_MOVES, writes an audit entry, and queues its emails in the outbox, sent after the commit.
Calling a service again with the same input changes nothing and sends nothing.
"""

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import audit_record, transition
from notifications.enums import Channel
from notifications.services import outbox_enqueue
from omdena import permissions
from omdena.errors import TransitionNotAllowed
from omdena.site import absolute_url

from ..enums import (
    APPLICATION_MOVES,
    INTERVIEW_MOVES,
    OPEN_APPLICATION_STATES,
    OPEN_INTERVIEW_STATES,
    ApplicationStatus,
    InterviewStatus,
    Recommendation,
)
from ..ical import invite_attachment
from ..models import Application, Interview, InterviewSlot, Scorecard, User
from ..models.interviews import DEFAULT_DURATION_MINUTES, MAX_SLOTS, SCORE_FIELDS, SCORE_RANGE
from ..notifications import notify_application

logger = logging.getLogger(__name__)

# An application may get an interview while shortlisted, or again after a no-show (still interview_scheduled).
INTERVIEWABLE_STATES = frozenset({ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW_SCHEDULED})
REMINDER_WINDOW = dt.timedelta(hours=24)
MIN_DURATION, MAX_DURATION = 10, 240
MESSAGE_MAX_LENGTH = 1000
WHEN_FORMAT = "l j F Y, H:i"  # "Tuesday 3 March 2026, 19:30"


# --- Checks ---------------------------------------------------------------------------------------------------


def _check_time(value: dt.datetime, *, field: str, now: dt.datetime | None = None) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: _("Give the time with its time zone.")})
    if value <= (now or timezone.now()):
        raise ValidationError({field: _("Choose a time in the future.")})
    return value.astimezone(dt.UTC)


def _check_details(*, interviewer: User | None, video_link: str | None, duration_minutes: int | None) -> None:
    errors: dict[str, str] = {}
    if interviewer is not None and not permissions.is_staff(interviewer):
        errors["interviewer"] = _("The interviewer must be an active staff member.")
    if video_link is not None:
        try:
            URLValidator(schemes=["https", "http"])(video_link)
        except ValidationError:
            errors["video_link"] = _("Give the full address of the video call, starting with https://.")
    if duration_minutes is not None and not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = _("An interview lasts from %(min)d to %(max)d minutes.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
    if errors:
        raise ValidationError(errors)


def _check_move(interview: Interview, to_state: str) -> None:
    if to_state not in INTERVIEW_MOVES[interview.status]:
        raise TransitionNotAllowed(obj=interview, from_state=interview.status, to_state=to_state)


def _check_applicant(interview: Interview, by) -> None:
    """Picking a time or asking for another is the applicant's own answer; staff set a time instead."""
    if by is None or by.pk != interview.application.person_id:
        raise PermissionDenied(_("Only the applicant can answer an interview invitation."))


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("person", "challenge").get(pk=application.pk)


def _lock_interview(interview: Interview) -> tuple[Application, Interview]:
    application = _lock(Application(pk=interview.application_id))
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    locked.application = application
    return application, locked


def _open_interview(application: Application) -> Interview | None:
    interview = (
        Interview.objects.select_for_update().filter(application=application, status__in=OPEN_INTERVIEW_STATES).first()
    )
    if interview is not None:
        interview.application = application
    return interview


def _move_application(application: Application, *, to_state: str, by, verb: str, notify: bool) -> Application:
    """The application's side of an interview change, through the shared guarded transition."""
    if application.status == to_state:
        return application
    moved = transition(instance=application, to_state=to_state, allowed=APPLICATION_MOVES, by=by, verb=verb)
    if notify:
        notify_application(application=moved, kind=to_state)
    return moved


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- Emails -----------------------------------------------------------------------------------------------------


def _zone(person: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(person.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_when(value: dt.datetime, person: User) -> str:
    """A time as the person reads it: in their profile's time zone (emails are rendered outside any request)."""
    return date_format(timezone.localtime(value, _zone(person)), WHEN_FORMAT)


def _page(name: str, pk: int) -> str:
    return absolute_url(reverse(name, args=[pk]))


def _context(interview: Interview, recipient: User, **extra: Any) -> dict[str, Any]:
    application = interview.application
    is_applicant = recipient.pk == application.person_id
    context = {
        "challenge_title": application.challenge.title,
        "applicant_name": application.person.name,
        "interviewer_name": interview.interviewer.name if interview.interviewer else "",
        "for_applicant": is_applicant,
        "time_zone": str(_zone(recipient)),
        "duration": interview.duration_minutes,
        "video_link": interview.video_link,
        "url": _page("application_detail", application.pk)
        if is_applicant
        else _page("staff:application", application.pk),
        "when": local_when(interview.scheduled_at, recipient) if interview.scheduled_at else "",
    }
    context.update(extra)
    return context


def _both(interview: Interview) -> list[tuple[User, str]]:
    """The applicant and the interviewer, each with the suffix of their message's idempotency key."""
    recipients = [(interview.application.person, "")]
    if interview.interviewer is not None:
        recipients.append((interview.interviewer, ":interviewer"))
    return recipients


def _send_invite(interview: Interview) -> None:
    """The calendar invite (METHOD:REQUEST) to both sides; one per sequence number, so never twice."""
    invite = invite_attachment(interview)
    for recipient, suffix in _both(interview):
        outbox_enqueue(
            recipient=recipient,
            template="interview_invite",
            key=f"interview-invite:{interview.pk}:{interview.sequence}{suffix}",
            context=_context(interview, recipient, updated=interview.sequence > 0, attachments=[invite]),
            channels=(Channel.EMAIL,),
        )


def _send_cancel(interview: Interview, *, reason: str, had_time: bool) -> None:
    recipients = _both(interview) if had_time else [(interview.application.person, "")]
    cancellation = invite_attachment(interview, "CANCEL") if had_time else None
    for recipient, suffix in recipients:
        extra: dict[str, Any] = {
            "reason": reason,
            "had_time": had_time,
            "application_open": interview.application.status in OPEN_APPLICATION_STATES,
        }
        if had_time:
            extra["attachments"] = [cancellation]
        outbox_enqueue(
            recipient=recipient,
            template="interview_cancelled",
            key=f"interview-cancel:{interview.pk}:{interview.sequence}{suffix}",
            context=_context(interview, recipient, **extra),
            channels=(Channel.EMAIL,),
        )


def _send_slots(interview: Interview, slots: Iterable[InterviewSlot], *, change_id: int) -> None:
    applicant = interview.application.person
    outbox_enqueue(
        recipient=applicant,
        template="interview_slots",
        key=f"interview-slots:{interview.pk}:{change_id}",
        context=_context(interview, applicant, slots=[local_when(slot.starts_at, applicant) for slot in slots]),
        channels=(Channel.EMAIL,),
    )


def _send_other_time_request(interview: Interview, *, change_id: int) -> None:
    interviewer = interview.interviewer
    if interviewer is None:  # the interviewer's account is gone: the request still shows on the staff page
        logger.warning("interview %s: another time requested, but it has no interviewer to tell", interview.pk)
        return
    outbox_enqueue(
        recipient=interviewer,
        template="interview_other_time",
        key=f"interview-other-time:{interview.pk}:{change_id}",
        context=_context(interview, interviewer, message=interview.applicant_message),
        channels=(Channel.EMAIL,),
    )


# --- Offer, schedule, answer --------------------------------------------------------------------------------


def _start(application: Application) -> Interview | None:
    """The open interview of a locked application, after checking the application may be interviewed."""
    if application.status not in INTERVIEWABLE_STATES:
        raise ValidationError(
            {
                "application": _("Only a shortlisted application can get an interview (this one is “%(status)s”).")
                % {"status": application.get_status_display()}
            }
        )
    return _open_interview(application)


def interview_offer_slots(
    *,
    application: Application,
    slots: Iterable[dt.datetime],
    interviewer: User,
    video_link: str,
    by,
    duration_minutes: int = DEFAULT_DURATION_MINUTES,
) -> Interview:
    """Offer up to five times; the applicant gets an email listing them in their own time zone, to pick one."""
    times = sorted({_check_time(value, field="slots") for value in slots})
    if not times:
        raise ValidationError({"slots": _("Offer at least one time.")})
    if len(times) > MAX_SLOTS:
        raise ValidationError({"slots": _("Offer at most %(count)d times.") % {"count": MAX_SLOTS}})
    _check_details(interviewer=interviewer, video_link=video_link, duration_minutes=duration_minutes)
    with transaction.atomic():
        application = _lock(application)
        interview = _start(application)
        from_state = ""
        if interview is None:
            interview = Interview.objects.create(
                application=application,
                interviewer=interviewer,
                video_link=video_link,
                duration_minutes=duration_minutes,
                status=InterviewStatus.OFFERED,
            )
            interview.application = application
        else:
            if interview.status == InterviewStatus.SCHEDULED:
                raise ValidationError(
                    {"slots": _("The interview is already scheduled: give it a new time, or cancel it first.")}
                )
            unchanged = (
                interview.status == InterviewStatus.OFFERED
                and [slot.starts_at for slot in interview.slots.all()] == times
                and (interview.interviewer_id, interview.video_link, interview.duration_minutes)
                == (interviewer.pk, video_link, duration_minutes)
            )
            if unchanged:
                return interview
            _check_move(interview, InterviewStatus.OFFERED)
            from_state = interview.status
            interview.status = InterviewStatus.OFFERED
            interview.interviewer = interviewer
            interview.video_link = video_link
            interview.duration_minutes = duration_minutes
            interview.save(update_fields=["status", "interviewer", "video_link", "duration_minutes", "updated_at"])
            interview.slots.all().delete()
        offered = InterviewSlot.objects.bulk_create(InterviewSlot(interview=interview, starts_at=t) for t in times)
        entry = audit_record(
            actor=by,
            verb="interview.offer",
            subject=interview,
            from_state=from_state,
            to_state=interview.status,
            note=", ".join(_utc(t) for t in times),
        )
        _send_slots(interview, offered, change_id=entry.pk)
    return interview


def _set_time(
    application: Application,
    interview: Interview,
    *,
    scheduled_at: dt.datetime,
    by,
    verb: str,
    note: str = "",
    interviewer: User | None = None,
    video_link: str = "",
    duration_minutes: int | None = None,
    created: bool = False,
) -> Interview:
    """Give a locked interview its (new) time: invite both sides; a new time keeps the UID, raises SEQUENCE."""
    details = {
        "interviewer": interviewer or interview.interviewer,
        "video_link": video_link or interview.video_link,
        "duration_minutes": duration_minutes or interview.duration_minutes,
    }
    unchanged = (
        interview.status == InterviewStatus.SCHEDULED
        and interview.scheduled_at == scheduled_at
        and all(getattr(interview, name) == value for name, value in details.items())
    )
    if unchanged:
        return interview
    _check_move(interview, InterviewStatus.SCHEDULED)
    from_state = "" if created else interview.status
    if interview.scheduled_at is not None:  # an invite went out before: this one replaces it
        interview.sequence += 1
    for name, value in details.items():
        setattr(interview, name, value)
    interview.scheduled_at = scheduled_at
    interview.status = InterviewStatus.SCHEDULED
    interview.reminder_sent_at = None  # a new time deserves its own reminder
    interview.save(
        update_fields=[
            "interviewer",
            "video_link",
            "duration_minutes",
            "scheduled_at",
            "status",
            "sequence",
            "reminder_sent_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=by,
        verb=verb,
        subject=interview,
        from_state=from_state,
        to_state=interview.status,
        note=" ".join(filter(None, [_utc(scheduled_at), note])),
    )
    interview.application = _move_application(
        application,
        to_state=ApplicationStatus.INTERVIEW_SCHEDULED,
        by=by,
        verb="application.interview_scheduled",
        notify=False,  # the calendar invite below is the applicant's message: one email, not two
    )
    _send_invite(interview)
    return interview


def interview_schedule(
    *,
    application: Application,
    scheduled_at: dt.datetime,
    interviewer: User,
    video_link: str,
    by,
    duration_minutes: int = DEFAULT_DURATION_MINUTES,
) -> Interview:
    """Set the time directly (no choice of slots): the application moves to interview_scheduled, both get the invite.

    With an interview already open for the application, this gives it the new time (a reschedule).
    """
    scheduled_at = _check_time(scheduled_at, field="scheduled_at")
    _check_details(interviewer=interviewer, video_link=video_link, duration_minutes=duration_minutes)
    with transaction.atomic():
        application = _lock(application)
        interview = _start(application)
        created = interview is None
        if interview is None:
            interview = Interview.objects.create(
                application=application,
                interviewer=interviewer,
                video_link=video_link,
                duration_minutes=duration_minutes,
                status=InterviewStatus.OFFERED,  # for the length of this transaction: _set_time makes it scheduled
            )
            interview.application = application
        return _set_time(
            application,
            interview,
            created=created,
            scheduled_at=scheduled_at,
            by=by,
            verb="interview.schedule",
            interviewer=interviewer,
            video_link=video_link,
            duration_minutes=duration_minutes,
        )


def interview_confirm_slot(*, interview: Interview, slot: InterviewSlot, by) -> Interview:
    """The applicant picks one of the offered times; the interview is scheduled and both get the invite."""
    with transaction.atomic():
        application, interview = _lock_interview(interview)
        _check_applicant(interview, by)
        if slot.interview_id != interview.pk:
            raise ValidationError({"slot": _("This time is not one of the times offered for this interview.")})
        if interview.status == InterviewStatus.SCHEDULED and interview.scheduled_at == slot.starts_at:
            return interview  # confirmed already (a double click)
        if interview.status != InterviewStatus.OFFERED:
            raise TransitionNotAllowed(obj=interview, from_state=interview.status, to_state=InterviewStatus.SCHEDULED)
        if slot.starts_at <= timezone.now():
            raise ValidationError({"slot": _("This time has passed: pick another one, or ask for another time.")})
        return _set_time(application, interview, scheduled_at=slot.starts_at, by=by, verb="interview.confirm")


def interview_request_other_time(*, interview: Interview, message: str, by) -> Interview:
    """None of the times work for the applicant: their message goes to the interviewer, who offers others."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Tell us which days and times would work for you.")})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"message": _("Keep the message under %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH}}
        )
    with transaction.atomic():
        _application, interview = _lock_interview(interview)
        _check_applicant(interview, by)
        if interview.status == InterviewStatus.RESCHEDULE_REQUESTED and interview.applicant_message == message:
            return interview
        _check_move(interview, InterviewStatus.RESCHEDULE_REQUESTED)
        from_state = interview.status
        interview.status = InterviewStatus.RESCHEDULE_REQUESTED
        interview.applicant_message = message
        interview.save(update_fields=["status", "applicant_message", "updated_at"])
        entry = audit_record(
            actor=by,
            verb="interview.request_other_time",
            subject=interview,
            from_state=from_state,
            to_state=interview.status,
            note=message,
        )
        _send_other_time_request(interview, change_id=entry.pk)
    return interview


def interview_reschedule(
    *,
    interview: Interview,
    scheduled_at: dt.datetime,
    by,
    video_link: str = "",
    interviewer: User | None = None,
    duration_minutes: int | None = None,
    note: str = "",
) -> Interview:
    """A new time for an open interview (same calendar UID, SEQUENCE + 1): a new invite and, later, a new reminder."""
    scheduled_at = _check_time(scheduled_at, field="scheduled_at")
    _check_details(interviewer=interviewer, video_link=video_link or None, duration_minutes=duration_minutes)
    with transaction.atomic():
        application, interview = _lock_interview(interview)
        if application.status not in INTERVIEWABLE_STATES:
            raise ValidationError({"application": _("This application is no longer waiting for an interview.")})
        return _set_time(
            application,
            interview,
            scheduled_at=scheduled_at,
            by=by,
            verb="interview.reschedule",
            note=note,
            interviewer=interviewer,
            video_link=video_link,
            duration_minutes=duration_minutes,
        )


def interview_cancel(*, interview: Interview, by, reason: str = "") -> Interview:
    """Call the interview off: calendars get METHOD:CANCEL; the application goes back to shortlisted."""
    with transaction.atomic():
        application, interview = _lock_interview(interview)
        if interview.status == InterviewStatus.CANCELLED:
            return interview
        _check_move(interview, InterviewStatus.CANCELLED)
        from_state = interview.status
        had_time = interview.scheduled_at is not None
        interview.status = InterviewStatus.CANCELLED
        interview.sequence += 1
        interview.save(update_fields=["status", "sequence", "updated_at"])
        audit_record(
            actor=by,
            verb="interview.cancel",
            subject=interview,
            from_state=from_state,
            to_state=interview.status,
            note=reason,
        )
        if application.status == ApplicationStatus.INTERVIEW_SCHEDULED:
            # The cancellation email says what happened; a "you are shortlisted" email on top would confuse.
            interview.application = _move_application(
                application,
                to_state=ApplicationStatus.SHORTLISTED,
                by=by,
                verb="application.interview_cancelled",
                notify=False,
            )
        _send_cancel(interview, reason=reason, had_time=had_time)
    return interview


def interview_cancel_open(*, application: Application, by, reason: str = "") -> Interview | None:
    """Cancel the application's open interview, if any (for a withdrawal or a decision taken without it)."""
    interview = Interview.objects.filter(application=application, status__in=OPEN_INTERVIEW_STATES).first()
    if interview is None:
        return None
    return interview_cancel(interview=interview, by=by, reason=reason)


# --- After the interview -------------------------------------------------------------------------------------


def _check_scores(scores: dict[str, Any], recommendation: str) -> dict[str, int]:
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        try:
            number = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = 0
        if number not in SCORE_RANGE or str(value).strip() != str(number):
            errors[name] = _("A score is a whole number from 1 to 5.")
        clean[name] = number
    if recommendation not in Recommendation.values:
        errors["recommendation"] = _("Recommend accept, waitlist or reject.")
    if errors:
        raise ValidationError(errors)
    return clean


def interview_record_scorecard(
    *,
    interview: Interview,
    technical: int,
    communication: int,
    collaboration: int,
    commitment: int,
    recommendation: str,
    by,
    notes: str = "",
) -> Scorecard:
    """The interviewer's scores (1-5 each) and recommendation: the interview is completed and the application
    interviewed. Recording it again updates the scorecard (the application does not move twice)."""
    scores = _check_scores(
        {
            "technical": technical,
            "communication": communication,
            "collaboration": collaboration,
            "commitment": commitment,
        },
        recommendation,
    )
    values = {**scores, "notes": notes.strip(), "recommendation": recommendation}
    with transaction.atomic():
        application, interview = _lock_interview(interview)
        existing = Scorecard.objects.filter(interview=interview).first()
        if interview.status == InterviewStatus.COMPLETED and existing is not None:
            if all(getattr(existing, name) == value for name, value in values.items()):
                return existing
            for name, value in values.items():
                setattr(existing, name, value)
            existing.author = by
            existing.save(update_fields=[*values, "author", "updated_at"])
            audit_record(actor=by, verb="interview.scorecard_update", subject=interview, note=_summary(existing))
            return existing
        _check_move(interview, InterviewStatus.COMPLETED)
        scorecard = Scorecard.objects.create(interview=interview, author=by, **values)
        from_state = interview.status
        interview.status = InterviewStatus.COMPLETED
        interview.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            verb="interview.scorecard",
            subject=interview,
            from_state=from_state,
            to_state=interview.status,
            note=_summary(scorecard),
        )
        if application.status == ApplicationStatus.INTERVIEW_SCHEDULED:
            _move_application(
                application, to_state=ApplicationStatus.INTERVIEWED, by=by, verb="application.interviewed", notify=True
            )
    return scorecard


def _summary(scorecard: Scorecard) -> str:
    scores = " ".join(f"{name} {value}" for name, value in scorecard.scores.items())
    return f"{scores}; recommends {scorecard.recommendation}"


def interview_mark_no_show(*, interview: Interview, by, note: str = "") -> Interview:
    """The applicant did not come. The application stays for staff to decide: a new interview, or reject."""
    with transaction.atomic():
        _application, interview = _lock_interview(interview)
        if interview.status == InterviewStatus.NO_SHOW:
            return interview
        _check_move(interview, InterviewStatus.NO_SHOW)
        if interview.scheduled_at > timezone.now():
            raise ValidationError({"status": _("The interview has not started yet.")})
        interview.status = InterviewStatus.NO_SHOW
        interview.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            verb="interview.no_show",
            subject=interview,
            from_state=InterviewStatus.SCHEDULED,
            to_state=interview.status,
            note=note,
        )
    return interview


# --- The day-before reminder ------------------------------------------------------------------------------------


def interview_reminders_due(*, now: dt.datetime) -> list[int]:
    """Scheduled interviews starting within the next 24 hours that have had no reminder yet."""
    return list(
        Interview.objects.filter(
            status=InterviewStatus.SCHEDULED,
            reminder_sent_at__isnull=True,
            scheduled_at__gt=now,
            scheduled_at__lte=now + REMINDER_WINDOW,
            application__status=ApplicationStatus.INTERVIEW_SCHEDULED,
        )
        .order_by("scheduled_at")
        .values_list("pk", flat=True)
    )


def interview_send_reminder(*, interview_id: int, now: dt.datetime) -> bool:
    """Send one interview's reminder unless it went already; True when this call sent it.

    The conditional UPDATE claims the reminder: of two sweeps running at once, the second waits for the
    first one's row lock, then finds reminder_sent_at set and updates nothing. The outbox key (per calendar
    sequence) is the second guard.
    """
    with transaction.atomic():
        claimed = Interview.objects.filter(
            pk=interview_id, status=InterviewStatus.SCHEDULED, reminder_sent_at__isnull=True, scheduled_at__gt=now
        ).update(reminder_sent_at=now)
        if not claimed:
            return False
        interview = Interview.objects.select_related(
            "application__person", "application__challenge", "interviewer"
        ).get(pk=interview_id)
        applicant = interview.application.person
        outbox_enqueue(
            recipient=applicant,
            template="interview_reminder",
            key=f"interview-reminder:{interview.pk}:{interview.sequence}",
            context=_context(interview, applicant, ics_url=_page("interview_ics", interview.pk)),
            channels=(Channel.EMAIL,),
        )
    return True


def interview_send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """The reminder sweep (Celery beat, every 15 minutes); returns how many reminders this run sent."""
    now = now or timezone.now()
    return sum(interview_send_reminder(interview_id=pk, now=now) for pk in interview_reminders_due(now=now))
