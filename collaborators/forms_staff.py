"""Forms of the staff review pages: they validate shape; the services decide."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge

from .models import Application
from .services.applications import REVIEW_ACTIONS

# Button and menu wording of the review actions; an action added to the services without one shows its name.
_LABELS = {"shortlist": _("Shortlist"), "waitlist": _("Waitlist"), "reject": _("Reject"), "accept": _("Accept")}
REVIEW_ACTION_LABELS = {name: _LABELS.get(name, name.capitalize()) for name in REVIEW_ACTIONS}

# The most applications one bulk action may move: a few pages' worth, so a slip cannot email thousands.
BULK_LIMIT = 200
NOTE_MAX_LENGTH = 500


class BulkReviewForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.select_related("person", "challenge"),
        required=False,
    )
    # "Every application matching the filters", not only the ticked ones; the count the reviewer saw is sent
    # with it, so that a set that changed in the meantime is refused instead of acted on.
    all_matching = forms.BooleanField(required=False)
    matching_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Choose an action…")), *REVIEW_ACTION_LABELS.items()],
        error_messages={"required": _("Choose what to do with the ticked applications.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Kept in each application's history; the applicant does not see it."),
    )
    # The queue's filters and page, so the redirect lands where the reviewer was.
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_applications(self):
        applications = self.cleaned_data["applications"]
        if len(applications) > BULK_LIMIT:
            raise forms.ValidationError(
                _("At most %(limit)d applications at once."), params={"limit": BULK_LIMIT}, code="too_many"
            )
        return applications

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("applications") and "applications" not in self.errors:
            self.add_error("applications", _("Tick at least one application first."))
        return cleaned


class ReviewActionForm(forms.Form):
    action = forms.ChoiceField(choices=list(REVIEW_ACTION_LABELS.items()))
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)


class ReviewScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your score"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1: not a fit · 3: could join · 5: strong fit."),
        error_messages={
            "required": _("Pick a score from 1 to 5."),
            "invalid_choice": _("A score is a whole number from 1 to 5."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this score, in a sentence or two. Other reviewers see it."),
    )


def transfer_targets(*, application: Application):
    """Challenges the application can move to: open, before their deadline, not its own."""
    return (
        Challenge.objects.filter(status=ChallengeStatus.OPEN)
        .filter(Q(application_deadline__isnull=True) | Q(application_deadline__gt=timezone.now()))
        .exclude(pk=application.challenge_id)
        .order_by("title")
    )


class TransferForm(forms.Form):
    to_challenge = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Challenge.objects.none(),
        empty_label=_("Choose an open challenge…"),
        error_messages={
            "required": _("Choose the challenge to move the application to."),
            "invalid_choice": _("The target challenge is not open for applications."),
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_challenge"].queryset = transfer_targets(application=application)
