"""Read queries about people and applications: the queue order, positions, pace, history, mix."""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from challenges.models import Challenge

from .enums import ACTIVE_SEAT_STATES, QUEUED_STATES, SEAT_HOLDING_STATES, ApplicationStatus, ExperienceLevel
from .models import Application, Membership, User

QUEUE_ORDER = ("priority", "submitted_at", "id")
PACE_WINDOW = dt.timedelta(weeks=4)


class _Row(Func):
    """A row value, `(a, b, c)`: PostgreSQL and SQLite compare rows lexicographically, so one range condition
    on the queue index reads only the rows ahead (an OR of three conditions reads the whole range)."""

    template = "(%(expressions)s)"
    output_field = IntegerField()


def _queue_order_q(*, priority, submitted_at, pk, behind: bool = False) -> Q:
    """Rows ahead of (or with `behind`, after) a place in the queue order (priority, submitted_at, id).

    The arguments are values or OuterRefs, so the same rule serves one position and a page of them.
    """

    def value(item, field):
        return item if isinstance(item, OuterRef | F) else Value(item, output_field=field)

    compare = GreaterThan if behind else LessThan
    return Q(
        compare(
            _Row(F("priority"), F("submitted_at"), F("id")),
            _Row(value(priority, IntegerField()), value(submitted_at, DateTimeField()), value(pk, IntegerField())),
        )
    )


def _ahead_q(*, challenge, status, priority, submitted_at, pk) -> Q:
    """Rows ahead in the queue, within one challenge and state."""
    return Q(challenge=challenge, status=status) & _queue_order_q(priority=priority, submitted_at=submitted_at, pk=pk)


def queue_position(*, application: Application) -> int | None:
    """#N in the queue (or on the waitlist): one indexed COUNT of the rows ahead; None when not waiting."""
    if application.status not in QUEUED_STATES:
        return None
    ahead = Application.objects.filter(
        _ahead_q(
            challenge=application.challenge_id,
            status=application.status,
            priority=application.priority,
            submitted_at=application.submitted_at,
            pk=application.pk,
        )
    ).count()
    return ahead + 1


def with_queue_position(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate `queue_position` on each row with a correlated COUNT, evaluated only for the rows returned."""
    ahead = (
        Application.objects.filter(
            _ahead_q(
                challenge=OuterRef("challenge"),
                status=OuterRef("status"),
                priority=OuterRef("priority"),
                submitted_at=OuterRef("submitted_at"),
                pk=OuterRef("pk"),
            )
        )
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return queryset.annotate(
        queue_position=Case(
            When(status__in=QUEUED_STATES, then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1),
            default=Value(None),
            output_field=IntegerField(),
        )
    )


def queue_positions(*, applications: QuerySet[Application]) -> dict[int, int]:
    """{application id: #N} for every waiting application of the challenges `applications` touch, in one query.

    The same rule as `_ahead_q` (within one challenge and state, in QUEUE_ORDER) as a row_number() window, for
    exports of whole queues, where a correlated COUNT per row would read the queue once per row.
    """
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    challenges = applications.order_by().values("challenge_id")
    return dict(
        Application.objects.filter(challenge_id__in=challenges, status__in=QUEUED_STATES)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("challenge_id"), F("status")], order_by=list(QUEUE_ORDER))
        )
        .values_list("id", "position")
    )


def next_in_queue(*, challenge_id: int, after: Application | None = None) -> Application | None:
    """The next application of a challenge still waiting for a first review, in queue order (after `after`)."""
    waiting = (
        Application.objects.filter(challenge_id=challenge_id, status=ApplicationStatus.SUBMITTED)
        .select_related("person")
        .order_by(*QUEUE_ORDER)
    )
    if after is not None and after.status == ApplicationStatus.SUBMITTED:
        waiting = waiting.filter(
            _queue_order_q(priority=after.priority, submitted_at=after.submitted_at, pk=after.pk, behind=True)
        )
    elif after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.first()


def review_pace(*, challenge: Challenge | int, now: dt.datetime | None = None) -> float:
    """Applications reviewed (taken out of the queue) per week, over the last four weeks."""
    since = (now or timezone.now()) - PACE_WINDOW
    reviewed = Application.objects.filter(challenge=challenge, reviewed_at__gte=since).count()
    return reviewed / 4


@dataclass(frozen=True)
class WaitEstimate:
    weeks: int | None  # None: no pace measured yet
    pace_per_week: float

    @property
    def known(self) -> bool:
        return self.weeks is not None


def wait_estimate(*, position: int, pace_per_week: float) -> WaitEstimate:
    """An estimate, never a promise: the weeks until the rows ahead are reviewed at the measured pace."""
    if pace_per_week <= 0:
        return WaitEstimate(weeks=None, pace_per_week=0)
    return WaitEstimate(weeks=max(1, math.ceil(position / pace_per_week)), pace_per_week=pace_per_week)


def applications_for_person(*, person: User) -> QuerySet[Application]:
    """The applicant's own applications, newest first, with their queue positions."""
    queryset = Application.objects.filter(person=person).select_related(
        "challenge", "challenge__organisation", "referral_code"
    )
    return with_queue_position(queryset).order_by("-submitted_at")


def pace_by_challenge(*, challenge_ids, now: dt.datetime | None = None) -> dict[int, float]:
    """Review pace for several challenges in one query."""
    since = (now or timezone.now()) - PACE_WINDOW
    rows = (
        Application.objects.filter(challenge_id__in=list(challenge_ids), reviewed_at__gte=since)
        .values("challenge_id")
        .annotate(n=Count("id"))
    )
    pace = dict.fromkeys(challenge_ids, 0.0)
    pace.update({row["challenge_id"]: row["n"] / 4 for row in rows})
    return pace


def queue_for_staff(*, order: str = "queue", positions: bool = True) -> QuerySet[Application]:
    """Every application with what the review table shows; filters narrow it (collaborators.filters).

    `order` is "queue" (referrals first, then oldest first) or "newest". Without `positions`, the caller
    reads them for all rows at once (`queue_positions`), as the CSV export does.
    """
    queryset = Application.objects.select_related("person", "challenge", "referral_code__owner").annotate(
        score_average=Avg("scores__score"),
        score_count=Count("scores", distinct=True),
        score_min=Min("scores__score"),
        score_max=Max("scores__score"),
    )
    if positions:
        queryset = with_queue_position(queryset)
    if order == "newest":
        return queryset.order_by("-submitted_at", "-id")
    if order == "oldest":
        return queryset.order_by("submitted_at", "id")
    return queryset.order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class MixRow:
    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class CohortMix:
    """Accepted plus shortlisted people of one challenge by level and country, against the one-third aim."""

    total: int
    accepted: int
    capacity: int
    seats_taken: int
    levels: list[MixRow]
    countries: list[MixRow]
    target_percent: int = 33


def active_seat(*, person, challenge) -> Membership | None:
    """The person's active (or warned) seat in the challenge (a Challenge or its id), or None."""
    return Membership.objects.filter(person=person, challenge=challenge, status__in=ACTIVE_SEAT_STATES).first()


def seats_taken(*, challenge: Challenge) -> int:
    """Seats counted against the capacity (held or completed)."""
    return Membership.objects.filter(challenge=challenge, status__in=SEAT_HOLDING_STATES).count()


def cohort_mix(*, challenge: Challenge, top_countries: int = 8) -> CohortMix:
    base = Application.objects.filter(
        challenge=challenge, status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.SHORTLISTED]
    ).order_by()
    by_level = {row["experience_level"]: row["n"] for row in base.values("experience_level").annotate(n=Count("id"))}
    country_rows = list(base.values("country").annotate(n=Count("id")).order_by("-n", "country")[:top_countries])
    total = sum(by_level.values())
    accepted = base.filter(status=ApplicationStatus.ACCEPTED).count()

    def percent(n: int) -> int:
        return round(100 * n / total) if total else 0

    from django_countries import countries

    levels = [
        MixRow(level.value, str(level.label), by_level.get(level.value, 0), percent(by_level.get(level.value, 0)))
        for level in reversed(ExperienceLevel)
    ]
    country_list = [
        MixRow(row["country"], countries.name(row["country"]) or row["country"], row["n"], percent(row["n"]))
        for row in country_rows
    ]
    return CohortMix(
        total=total,
        accepted=accepted,
        capacity=challenge.capacity,
        seats_taken=seats_taken(challenge=challenge),
        levels=levels,
        countries=country_list,
    )


@dataclass(frozen=True)
class PersonHistory:
    applications: list[Application]
    memberships: list[Membership]

    @property
    def removals(self) -> list[Membership]:
        return [m for m in self.memberships if m.left_at and m.removal_reason]


def person_history(*, person: User, exclude: Application | None = None) -> PersonHistory:
    """A person's other applications and every membership (with removals), across challenges."""
    applications = Application.objects.filter(person=person).select_related("challenge").order_by("-submitted_at")
    if exclude is not None:
        applications = applications.exclude(pk=exclude.pk)
    memberships = Membership.objects.filter(person=person).select_related("challenge").order_by("-joined_at")
    return PersonHistory(applications=list(applications), memberships=list(memberships))
