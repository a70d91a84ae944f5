"""Forms of the interview panels (staff and applicant): they validate shape; the interview services decide.

Times typed into a datetime-local input carry no zone: Django reads them in the active time zone, which
the middleware sets to the viewer's profile zone, so staff type times as their own clock shows them.
"""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .enums import Recommendation
from .models import InterviewSlot, User
from .models.interviews import DEFAULT_DURATION_MINUTES, MAX_SLOTS, SCORE_FIELDS
from .services.interviews import MESSAGE_MAX_LENGTH, WHEN_FORMAT

DURATION_CHOICES = [(20, _("20 minutes")), (30, _("30 minutes")), (45, _("45 minutes")), (60, _("60 minutes"))]
SCORE_CHOICES = [
    (1, _("1 · weak")),
    (2, _("2 · fair")),
    (3, _("3 · good")),
    (4, _("4 · strong")),
    (5, _("5 · excellent")),
]
SCORE_LABELS = {
    "technical": (_("Technical"), _("Python, data and machine-learning basics; how they approach a problem.")),
    "communication": (_("Communication"), _("Explains clearly in English; listens and asks good questions.")),
    "collaboration": (_("Collaboration"), _("Ready for a self-organising team of 50 across time zones.")),
    "commitment": (_("Commitment"), _("Can give 15 hours a week for the 8 weeks.")),
}
SCORE_ERRORS = {
    "required": _("Pick a score from 1 to 5."),
    "invalid_choice": _("A score is a whole number from 1 to 5."),
}
SLOT_NAMES = [f"slot_{n}" for n in range(1, MAX_SLOTS + 1)]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _future(value):
    if value is not None and value <= timezone.now():
        raise forms.ValidationError(_("Choose a time in the future."), code="past")
    return value


def _time_field(*, label, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocalInput,
        error_messages={"invalid": _("Enter a date and time, e.g. 2026-03-03 14:00.")},
    )


class InterviewDetailsForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by("display_name", "email"),
        error_messages={"required": _("Choose who interviews."), "invalid_choice": _("Choose a staff member.")},
    )
    video_link = forms.URLField(
        label=_("Video link"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://meet.example.org/…"}),
        error_messages={"required": _("Give the link of the video call.")},
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"), choices=DURATION_CHOICES, coerce=int, initial=DEFAULT_DURATION_MINUTES
    )


class InterviewOfferForm(InterviewDetailsForm):
    """Up to five times for the applicant to pick from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, name in enumerate(SLOT_NAMES, start=1):
            self.fields[name] = _time_field(label=_("Time %(number)d") % {"number": number}, required=False)
        # The times first, then who and where.
        self.order_fields([*SLOT_NAMES, "interviewer", "video_link", "duration_minutes"])

    def clean(self):
        cleaned = super().clean()
        for name in SLOT_NAMES:
            try:
                _future(cleaned.get(name))
            except forms.ValidationError as error:
                self.add_error(name, error)
        if not self.slots() and not any(name in self.errors for name in SLOT_NAMES):
            self.add_error(SLOT_NAMES[0], _("Offer at least one time."))
        return cleaned

    def slots(self):
        return [self.cleaned_data[name] for name in SLOT_NAMES if self.cleaned_data.get(name)]


class InterviewScheduleForm(InterviewDetailsForm):
    scheduled_at = _time_field(label=_("Time"))

    field_order = ["scheduled_at", "interviewer", "video_link", "duration_minutes"]

    def clean_scheduled_at(self):
        return _future(self.cleaned_data["scheduled_at"])


class InterviewRescheduleForm(forms.Form):
    scheduled_at = _time_field(label=_("New time"))
    video_link = forms.URLField(
        label=_("Video link"), required=False, max_length=500, assume_scheme="https", help_text=_("Empty: keep it.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_scheduled_at(self):
        return _future(self.cleaned_data["scheduled_at"])


class InterviewCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, help_text=_("Optional; the applicant reads it.")
    )


class ScorecardForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What stood out; other reviewers read it before the decision."),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Recommend accept, waitlist or reject."),
            "invalid_choice": _("Recommend accept, waitlist or reject."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SCORE_FIELDS:
            label, help_text = SCORE_LABELS[name]
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                help_text=help_text,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages=SCORE_ERRORS,
            )
        self.order_fields([*SCORE_FIELDS, "recommendation", "notes"])

    def score_fields(self):
        return [self[name] for name in SCORE_FIELDS]


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: InterviewSlot) -> str:
        return date_format(timezone.localtime(obj.starts_at), WHEN_FORMAT)  # the viewer's zone, at render time


class SlotChoiceForm(forms.Form):
    slot = SlotChoiceField(
        label=_("Pick a time"),
        queryset=InterviewSlot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Pick one of the times."),
            "invalid_choice": _("That time is no longer offered: pick one of these."),
        },
    )

    def __init__(self, *args, interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = interview.slots.filter(starts_at__gt=timezone.now())


class OtherTimeForm(forms.Form):
    message = forms.CharField(
        label=_("Which days and times would work for you?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: weekdays after 16:00 my time, or Saturday morning."),
        error_messages={"required": _("Tell us which days and times would work for you.")},
    )
