"""Read queries about chapters, shaped for the list, the chapter page and the members page.

Each runs a fixed number of queries whatever the number of chapters or members.
"""

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django_countries import countries

from .enums import ChapterRole
from .models import Chapter, ChapterMember

# Leads head every list of people in a chapter, then the oldest members.
LEADS_FIRST = Case(When(role=ChapterRole.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField())


def _leads() -> Prefetch:
    leads = ChapterMember.objects.filter(role=ChapterRole.LEAD).select_related("person").order_by("joined_at", "pk")
    return Prefetch("members", queryset=leads, to_attr="leads")


def chapters_with_counts(*, include_inactive: bool = False) -> QuerySet[Chapter]:
    """Chapters with `member_count` and their `leads` (ChapterMember rows with the person), by name."""
    queryset = Chapter.objects.annotate(member_count=Count("members")).prefetch_related(_leads()).order_by("name")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset


def chapters_for_list(*, query: str = "", country: str = "", include_inactive: bool = False) -> QuerySet[Chapter]:
    """The public list: active chapters (staff may include closed ones), searched by name, city or country name."""
    queryset = chapters_with_counts(include_inactive=include_inactive)
    query = (query or "").strip()
    if query:
        # People type "Kenya", not "KE": match country names too, without a join.
        named = [code for code, name in countries if query.casefold() in str(name).casefold()]
        queryset = queryset.filter(Q(name__icontains=query) | Q(city__icontains=query) | Q(country__in=named))
    if country:
        queryset = queryset.filter(country=country.upper())
    return queryset


def chapter_countries(*, include_inactive: bool = False) -> list[tuple[str, str]]:
    """(code, name) of the countries that have a chapter, by name, for the list's country filter."""
    chapters = Chapter.objects.all() if include_inactive else Chapter.objects.filter(is_active=True)
    codes = chapters.order_by().values_list("country", flat=True).distinct()
    return sorted(((code, str(countries.name(code))) for code in codes), key=lambda pair: pair[1])


def chapter_members_for(*, chapter: Chapter) -> QuerySet[ChapterMember]:
    """Everyone in the chapter with their person, leads first, then by the date they joined."""
    return (
        ChapterMember.objects.filter(chapter=chapter)
        .select_related("person")
        .annotate(lead_rank=LEADS_FIRST)
        .order_by("lead_rank", "joined_at", "pk")
    )


def chapters_of(*, person) -> QuerySet[Chapter]:
    """The chapters the person is in, by name, each with the person's `member_role` and `member_since`."""
    if not (person and person.is_authenticated):
        return Chapter.objects.none()
    # The annotations reuse the filter's join, so they describe this person's row, not any member's.
    return (
        Chapter.objects.filter(members__person=person)
        .annotate(member_role=F("members__role"), member_since=F("members__joined_at"))
        .order_by("name")
    )
