"""Forms for the task-team pages: they check the shape of the input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from collaborators.models import Membership

from .models import Task, WeeklyReport


class TaskProposeForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "goal", "deliverables"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 3}), "deliverables": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "goal": _("What the task should achieve for the client, in a few sentences."),
            "deliverables": _("What the team hands over: a notebook, a dataset, a model, a report…"),
        }


class WeeklyReportForm(forms.ModelForm):
    class Meta:
        model = WeeklyReport
        fields = ["summary", "progress", "insights", "blockers", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}
        help_texts = {
            "summary": _("Two or three sentences the client reads first."),
            "blockers": _("What slows the team down, and what help it needs."),
        }


class TaskCallForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    link = forms.URLField(label=_("Call link"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Who attended"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        field.queryset = members
        field.label_from_instance = lambda membership: membership.person.name


class LeaderForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=Membership.objects.none())

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = seats
        field.label_from_instance = lambda membership: membership.person.name
