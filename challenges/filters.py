"""The catalogue's filters, shared by the page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import ChallengeStatus
from .models import Challenge, Organisation, Tag


class ChallengeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=ChallengeStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.all(),
        to_field_name="slug",
        label=_("Tag"),
        empty_label=_("Any tag"),
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Organisation"),
        empty_label=_("Any organisation"),
    )

    class Meta:
        model = Challenge
        fields = ["q", "status", "tag", "organisation"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(tags__name__icontains=value)
        ).distinct()
