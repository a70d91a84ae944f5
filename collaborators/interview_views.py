"""Interview pages: the staff panel on the review page, the applicant's panel on their application page,
and the calendar download. Every write goes through collaborators.services.interviews.

The two panels are included into pages that other views render, so each panel builds its own context
(`staff_panel`, `applicant_panel`, called by the `interview_tags` template tags). A form with errors is shown
again in its panel: on the staff review page, or on the applicant's interview page.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.selectors import history_for
from omdena.errors import TransitionNotAllowed
from omdena.forms import error_text, service_errors_on_form

from .enums import ApplicationStatus, InterviewStatus
from .forms_interviews import (
    SLOT_NAMES,
    InterviewCancelForm,
    InterviewOfferForm,
    InterviewRescheduleForm,
    InterviewScheduleForm,
    OtherTimeForm,
    ScorecardForm,
    SlotChoiceForm,
)
from .ical import ICS_FILENAME, invite_content_type, invite_ics
from .interview_selectors import interviews_of_application, interviews_visible_to
from .models import Application, Interview
from .services.interviews import (
    INTERVIEWABLE_STATES,
    WHEN_FORMAT,
    interview_cancel,
    interview_confirm_slot,
    interview_mark_no_show,
    interview_offer_slots,
    interview_record_scorecard,
    interview_request_other_time,
    interview_reschedule,
    interview_schedule,
)
from .staff_views import _detail_context, staff_only

INTERVIEW_VERBS = {
    "interview.offer": gettext_lazy("Times offered"),
    "interview.schedule": gettext_lazy("Time set"),
    "interview.confirm": gettext_lazy("Time picked by the applicant"),
    "interview.request_other_time": gettext_lazy("Another time asked for"),
    "interview.reschedule": gettext_lazy("New time"),
    "interview.cancel": gettext_lazy("Cancelled"),
    "interview.scorecard": gettext_lazy("Scorecard"),
    "interview.scorecard_update": gettext_lazy("Scorecard updated"),
    "interview.no_show": gettext_lazy("No-show"),
}
# Form prefixes: several forms share a page, so their fields need distinct names and ids.
OFFER, SCHEDULE, RESCHEDULE, CANCEL, SCORECARD, CONFIRM, OTHER_TIME = (
    "offer",
    "schedule",
    "reschedule",
    "cancel",
    "scorecard",
    "confirm",
    "other",
)


def _when(value) -> str:
    """A time in the viewer's zone (the middleware activated it), for messages."""
    return date_format(timezone.localtime(value), WHEN_FORMAT) + f" ({timezone.get_current_timezone_name()})"


def _refused(request, error: TransitionNotAllowed) -> None:
    """Someone else moved first (or the page was stale): say what the interview or application is now."""
    if isinstance(error.obj, Interview):
        message = _("This is not possible any more: the interview is “%(status)s” now.")
        status = InterviewStatus(error.from_state).label
    else:
        message = _("This is not possible any more: the application is “%(status)s” now.")
        status = ApplicationStatus(error.from_state).label
    messages.error(request, message % {"status": status})


# --- The panels -------------------------------------------------------------------------------------------


@dataclass
class StaffPanel:
    application: Application
    current: Interview | None = None
    earlier: list[Interview] = field(default_factory=list)
    can_start: bool = False
    history: list = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)
    can_mark_no_show: bool = False

    @property
    def is_open(self) -> bool:
        return self.current is not None and self.current.is_open


def staff_panel(*, request, application: Application, bound: dict[str, Form] | None = None) -> StaffPanel:
    """What the staff review page shows about interviews, and the forms that fit the interview's state."""
    interviews = interviews_of_application(application=application)
    current = next((i for i in interviews if i.is_open), interviews[0] if interviews else None)
    panel = StaffPanel(application=application, current=current, earlier=[i for i in interviews if i is not current])
    panel.can_start = application.status in INTERVIEWABLE_STATES and not panel.is_open
    details = {
        "interviewer": (current.interviewer_id if current else None) or request.user.pk,
        "video_link": current.video_link if current else "",
        "duration_minutes": current.duration_minutes if current else None,
    }
    details = {name: value for name, value in details.items() if value}
    forms: dict[str, Form] = {}
    status = current.status if panel.is_open else None
    if panel.can_start or status in (InterviewStatus.OFFERED, InterviewStatus.RESCHEDULE_REQUESTED):
        forms[OFFER] = InterviewOfferForm(prefix=OFFER, initial=details)
        forms[SCHEDULE] = InterviewScheduleForm(prefix=SCHEDULE, initial=details)
    if status == InterviewStatus.SCHEDULED:
        forms[RESCHEDULE] = InterviewRescheduleForm(prefix=RESCHEDULE)
        forms[SCORECARD] = ScorecardForm(prefix=SCORECARD)
        panel.can_mark_no_show = current.scheduled_at <= timezone.now()
    if panel.is_open:
        forms[CANCEL] = InterviewCancelForm(prefix=CANCEL)
    if current is not None and current.status == InterviewStatus.COMPLETED:
        scorecard = getattr(current, "scorecard", None)
        initial = {**scorecard.scores, "notes": scorecard.notes, "recommendation": scorecard.recommendation}
        forms[SCORECARD] = ScorecardForm(prefix=SCORECARD, initial=initial)
    forms.update(bound or {})
    panel.forms = forms
    if current is not None:
        panel.history = list(history_for(subject=current)[:12])
        for entry in panel.history:
            entry.label = INTERVIEW_VERBS.get(entry.verb, entry.verb)
    return panel


@dataclass
class ApplicantPanel:
    interview: Interview
    forms: dict[str, Form]


def applicant_panel(*, application: Application, bound: dict[str, Form] | None = None) -> ApplicantPanel | None:
    """The applicant's view of their interview: the open one, else the latest; nothing before the first offer."""
    interviews = interviews_of_application(application=application)
    if not interviews:
        return None
    interview = next((i for i in interviews if i.is_open), interviews[0])
    forms: dict[str, Form] = {}
    if interview.status == InterviewStatus.OFFERED:
        forms[CONFIRM] = SlotChoiceForm(prefix=CONFIRM, interview=interview)
    if interview.status in (InterviewStatus.OFFERED, InterviewStatus.SCHEDULED):
        forms[OTHER_TIME] = OtherTimeForm(prefix=OTHER_TIME)
    forms.update(bound or {})
    return ApplicantPanel(interview=interview, forms=forms)


# --- Staff actions ------------------------------------------------------------------------------------------


def _review_page(request, application: Application, bound: dict[str, Form]):
    """The staff review page again, with the interview form that has errors."""
    context = _detail_context(request, application)
    context["interview_forms"] = bound
    return render(request, "collaborators/staff/application_detail.html", context)


def _application(pk: int) -> Application:
    return get_object_or_404(Application.objects.select_related("person", "challenge", "referral_code__owner"), pk=pk)


def _staff_interview(request, pk: int) -> Interview:
    return get_object_or_404(interviews_visible_to(user=request.user), pk=pk)


def _staff_form_action(request, *, application_id: int, form: Form, prefix: str, act, aliases=None):
    """What every staff interview form does: a valid form runs `act` (the service; it returns the confirmation);
    a refused move is a message, a service's field error goes back on the form, and success is a message."""
    if form.is_valid():
        try:
            confirmation = act(form.cleaned_data)
        except TransitionNotAllowed as error:
            _refused(request, error)
            return redirect("staff:application", pk=application_id)
        except ValidationError as error:
            service_errors_on_form(form, error, aliases=aliases)
        else:
            messages.success(request, confirmation)
            return redirect("staff:application", pk=application_id)
    return _review_page(request, _application(application_id), {prefix: form})


@staff_only
@require_POST
def interview_offer(request, pk):
    application = _application(pk)
    form = InterviewOfferForm(request.POST, prefix=OFFER)

    def act(data) -> str:
        slots = form.slots()
        interview_offer_slots(
            application=application,
            slots=slots,
            interviewer=data["interviewer"],
            video_link=data["video_link"],
            duration_minutes=data["duration_minutes"],
            by=request.user,
        )
        name = application.person.name
        if len(slots) > 1:
            return _("%(count)d times offered to %(name)s; they get an email to pick one.") % {
                "count": len(slots),
                "name": name,
            }
        return _("One time offered to %(name)s; they get an email to confirm it.") % {"name": name}

    return _staff_form_action(
        request, application_id=pk, form=form, prefix=OFFER, act=act, aliases={"slots": SLOT_NAMES[0]}
    )


@staff_only
@require_POST
def interview_set_time(request, pk):
    application = _application(pk)
    form = InterviewScheduleForm(request.POST, prefix=SCHEDULE)

    def act(data) -> str:
        interview = interview_schedule(
            application=application,
            scheduled_at=data["scheduled_at"],
            interviewer=data["interviewer"],
            video_link=data["video_link"],
            duration_minutes=data["duration_minutes"],
            by=request.user,
        )
        return _("Interview set for %(when)s; %(name)s and the interviewer get a calendar invite.") % {
            "when": _when(interview.scheduled_at),
            "name": application.person.name,
        }

    return _staff_form_action(request, application_id=pk, form=form, prefix=SCHEDULE, act=act)


@staff_only
@require_POST
def interview_reschedule_view(request, pk):
    interview = _staff_interview(request, pk)
    form = InterviewRescheduleForm(request.POST, prefix=RESCHEDULE)

    def act(data) -> str:
        moved = interview_reschedule(
            interview=interview,
            scheduled_at=data["scheduled_at"],
            video_link=data["video_link"],
            note=data["note"],
            by=request.user,
        )
        return _("New time: %(when)s. The calendar invites are updated.") % {"when": _when(moved.scheduled_at)}

    return _staff_form_action(request, application_id=interview.application_id, form=form, prefix=RESCHEDULE, act=act)


@staff_only
@require_POST
def interview_cancel_view(request, pk):
    interview = _staff_interview(request, pk)
    form = InterviewCancelForm(request.POST, prefix=CANCEL)

    def act(data) -> str:
        interview_cancel(interview=interview, by=request.user, reason=data["reason"])
        return _("Interview cancelled; the applicant is told and calendar invites are withdrawn.")

    return _staff_form_action(request, application_id=interview.application_id, form=form, prefix=CANCEL, act=act)


@staff_only
@require_POST
def interview_scorecard(request, pk):
    interview = _staff_interview(request, pk)
    form = ScorecardForm(request.POST, prefix=SCORECARD)

    def act(data) -> str:
        scorecard = interview_record_scorecard(interview=interview, by=request.user, **data)
        return _("Scorecard saved: %(total)d/20, recommends “%(recommendation)s”.") % {
            "total": scorecard.total,
            "recommendation": scorecard.get_recommendation_display(),
        }

    return _staff_form_action(request, application_id=interview.application_id, form=form, prefix=SCORECARD, act=act)


@staff_only
@require_POST
def interview_no_show(request, pk):
    interview = _staff_interview(request, pk)
    try:
        interview_mark_no_show(interview=interview, by=request.user)
    except TransitionNotAllowed as error:
        _refused(request, error)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("No-show recorded. Offer a new interview, or reject the application."))
    return redirect("staff:application", pk=interview.application_id)


# --- The applicant ------------------------------------------------------------------------------------------


def _own_interview(request, pk: int) -> Interview:
    """The applicant's own interview; anyone else's is a 404, so ids reveal nothing."""
    return get_object_or_404(
        Interview.objects.select_related("application__challenge", "application__person"),
        pk=pk,
        application__person=request.user,
    )


def _respond_page(request, interview: Interview, bound: dict[str, Form] | None = None):
    return render(
        request,
        "collaborators/interviews/respond.html",
        {"application": interview.application, "interview_forms": bound or {}},
    )


@login_required
def interview_respond(request, pk):
    """The interview on a page of its own: where a form with errors is shown again."""
    return _respond_page(request, _own_interview(request, pk))


@login_required
@require_POST
def interview_confirm(request, pk):
    interview = _own_interview(request, pk)
    form = SlotChoiceForm(request.POST, prefix=CONFIRM, interview=interview)
    if form.is_valid():
        try:
            interview = interview_confirm_slot(interview=interview, slot=form.cleaned_data["slot"], by=request.user)
        except TransitionNotAllowed as error:
            _refused(request, error)
            return redirect("application_detail", pk=interview.application_id)
        except ValidationError as error:
            service_errors_on_form(form, error)
        else:
            messages.success(
                request,
                _("Your interview is on %(when)s. The calendar invite is in your email.")
                % {"when": _when(interview.scheduled_at)},
            )
            return redirect("application_detail", pk=interview.application_id)
    return _respond_page(request, interview, {CONFIRM: form})


@login_required
@require_POST
def interview_other_time(request, pk):
    interview = _own_interview(request, pk)
    form = OtherTimeForm(request.POST, prefix=OTHER_TIME)
    if form.is_valid():
        try:
            interview_request_other_time(interview=interview, message=form.cleaned_data["message"], by=request.user)
        except TransitionNotAllowed as error:
            _refused(request, error)
            return redirect("application_detail", pk=interview.application_id)
        except ValidationError as error:
            service_errors_on_form(form, error)
        else:
            messages.success(request, _("Thank you: we will send you other times by email."))
            return redirect("application_detail", pk=interview.application_id)
    return _respond_page(request, interview, {OTHER_TIME: form})


@login_required
def interview_ics(request, pk):
    """'Add to calendar': the applicant's own interview (or any, for staff) as an .ics file."""
    interview = get_object_or_404(interviews_visible_to(user=request.user), pk=pk)
    return ics_response(interview)


def ics_response(interview: Interview) -> HttpResponse:
    if interview.scheduled_at is None:
        raise Http404("This interview has no time yet.")
    method = "CANCEL" if interview.status == InterviewStatus.CANCELLED else "PUBLISH"
    response = HttpResponse(invite_ics(interview, method), content_type=invite_content_type(method))
    response["Content-Disposition"] = f'attachment; filename="{ICS_FILENAME}"'
    return response
