"""The staff queue's filters, shared by the queue page, its CSV export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from challenges.models import Challenge

from .enums import ApplicationStatus, ExperienceLevel, QueuePriority
from .models import Application

SORT_CHOICES = [
    ("queue", _("Queue order (referrals first, oldest first)")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
]


class ApplicationFilter(django_filters.FilterSet):
    challenge = django_filters.ModelChoiceFilter(
        queryset=Challenge.objects.order_by("title"),
        to_field_name="slug",
        label=_("Challenge"),
        empty_label=_("All challenges"),
    )
    # A plain column, not a to-many join: no DISTINCT needed (it would wrap every count and page in one).
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("Status"), distinct=False)
    country = django_filters.ChoiceFilter(choices=list(countries), label=_("Country"), empty_label=_("Any country"))
    experience_level = django_filters.ChoiceFilter(
        choices=ExperienceLevel.choices, label=_("Experience level"), empty_label=_("Any level")
    )
    referral = django_filters.BooleanFilter(method="filter_referral", label=_("Referral"))
    q = django_filters.CharFilter(method="search", label=_("Search name, email, GitHub or skills"))

    class Meta:
        model = Application
        fields = ["challenge", "status", "country", "experience_level", "referral", "q"]

    def filter_referral(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(priority=QueuePriority.REFERRAL if value else QueuePriority.STANDARD)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(person__display_name__icontains=value)
            | Q(person__email__icontains=value)
            | Q(github_username__icontains=value)
            | Q(skills__icontains=value)
        )
