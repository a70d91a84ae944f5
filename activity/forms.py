"""Forms of the activity pages: shapes only; `activity.ingestion` and `activity.doocracy` decide."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from omdena.weeks import iso_week_label, iso_week_start, iso_weeks_between


def week_choices(*, first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """ISO weeks from the one holding `first` to the one holding `last`, labelled with their Monday."""
    return [
        (label, _("%(week)s (from %(monday)s)") % {"week": label, "monday": f"{iso_week_start(label):%d %b %Y}"})
        for label in iso_weeks_between(iso_week_label(first), iso_week_label(last))
    ]


class LeaveForm(forms.Form):
    """Declare leave for a run of the challenge's coming weeks."""

    first_week = forms.ChoiceField(label=_("First week"))
    last_week = forms.ChoiceField(label=_("Last week"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff read it: exams, illness, travel… Excused weeks are never held against you."),
    )

    def __init__(self, *args, weeks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_week"].choices = weeks
        self.fields["last_week"].choices = weeks


class ManualEventForm(forms.Form):
    """Staff credit a member with activity the syncs cannot see (a client call, pair work)."""

    membership = forms.ModelChoiceField(label=_("Member"), queryset=None, empty_label=_("Choose a member"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["membership"].label_from_instance = lambda membership: membership.person.name
