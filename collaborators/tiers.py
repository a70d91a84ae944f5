"""Community tiers: the one rule that suggests a tier from a person's history, and the reads it needs.

Staff grant tiers (services/tiers.py); the platform only suggests. The rule is the table
`REQUIREMENTS` below: a person's suggestion is the highest tier one of whose rows they meet.
The same table is evaluated in Python (`suggest_tier`) and, for lists, as one SQL CASE
(`suggested_tier_expression`), so the staff page can filter and paginate in the database
without a second copy of the numbers.

History counts completed memberships only: a removed or still-running seat earns nothing yet.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from activity.models import WeeklyScore
from challenges.enums import TaskRole
from challenges.models import TaskMember

from .enums import MembershipRole, MembershipStatus, Tier
from .models import Membership, User

# Weekly points: a pull request earns 10, a review 8, a task call 5, Slack at most 10 a week, and a
# week counts as active from 10 (the default ScoringPolicy). The averages below are in those points.
STEADY_AVERAGE = 15  # an active week and a half, on average, over every scored week
STRONG_AVERAGE = 25  # about a pull request and a review or two every scored week


@dataclass(frozen=True)
class TierHistory:
    """What the rule looks at; every number counts completed memberships only."""

    completed_challenges: int = 0
    led_task_challenges: int = 0  # challenges in which the person led at least one task
    mentor_roles: int = 0
    # Mean points of the scored, unexcused weeks; None when no such week exists.
    average_weekly_score: float | None = None


@dataclass(frozen=True)
class TierRequirement:
    """One way to reach a tier: every minimum must be met (None: the average does not matter)."""

    tier: Tier
    why: str
    completed_challenges: int = 0
    led_task_challenges: int = 0
    mentor_roles: int = 0
    average_weekly_score: int | None = None

    def met_by(self, history: TierHistory) -> bool:
        if history.completed_challenges < self.completed_challenges:
            return False
        if history.led_task_challenges < self.led_task_challenges or history.mentor_roles < self.mentor_roles:
            return False
        if self.average_weekly_score is None:
            return True
        return history.average_weekly_score is not None and history.average_weekly_score >= self.average_weekly_score

    def as_q(self) -> Q:
        """The same test over the annotations of `with_tier_history` (a NULL average fails, as None does)."""
        q = Q(
            tier_completed__gte=self.completed_challenges,
            tier_led__gte=self.led_task_challenges,
            tier_mentored__gte=self.mentor_roles,
        )
        if self.average_weekly_score is not None:
            q &= Q(tier_average_score__gte=self.average_weekly_score)
        return q


T = Tier
# The rule, lowest tier first. Nobody with less than one completed challenge gets a suggestion.
REQUIREMENTS: tuple[TierRequirement, ...] = (
    TierRequirement(T.COLLABORATOR, "finished one challenge: in the community", completed_challenges=1),
    TierRequirement(T.JUNIOR_ML_ENGINEER, "came back and finished a second one", completed_challenges=2),
    TierRequirement(
        T.ML_ENGINEER,
        "three challenges with steady weekly work, not only attendance",
        completed_challenges=3,
        average_weekly_score=STEADY_AVERAGE,
    ),
    TierRequirement(
        T.LEAD_ML_ENGINEER,
        "an ML engineer who has also led a task team once",
        completed_challenges=4,
        led_task_challenges=1,
        average_weekly_score=STEADY_AVERAGE,
    ),
    TierRequirement(
        T.TASK_LEADER,
        "led task teams in two challenges: leading is a habit, not a one-off",
        completed_challenges=2,
        led_task_challenges=2,
    ),
    TierRequirement(T.MENTOR, "has already mentored a challenge to its end", completed_challenges=1, mentor_roles=1),
    TierRequirement(
        T.MENTOR,
        "a veteran who led in three challenges can guide newcomers",
        completed_challenges=5,
        led_task_challenges=3,
    ),
    TierRequirement(
        T.TOP_TALENT,
        "six challenges, leading in three, with strong weekly work",
        completed_challenges=6,
        led_task_challenges=3,
        average_weekly_score=STRONG_AVERAGE,
    ),
)
del T

TIER_RANK: dict[str, int] = {tier.value: rank for rank, tier in enumerate(Tier, start=1)}


def tier_rank(tier: str) -> int:
    """The enum order is the rank; no tier ("") is 0."""
    return TIER_RANK.get(tier, 0)


def suggest_tier(history: TierHistory) -> Tier | None:
    """The highest tier whose requirements the history meets, or None (no completed challenge yet)."""
    met = [requirement.tier for requirement in REQUIREMENTS if requirement.met_by(history)]
    return max(met, key=tier_rank, default=None)


def suggested_tier_expression() -> Case:
    """`suggest_tier` as SQL over `with_tier_history`'s annotations: "" when no tier is suggested."""
    ordered = sorted(REQUIREMENTS, key=lambda requirement: -tier_rank(requirement.tier))
    return Case(
        *(When(requirement.as_q(), then=Value(requirement.tier.value)) for requirement in ordered),
        default=Value(""),
        output_field=CharField(),
    )


# --- Reads -----------------------------------------------------------------------------------------------


def _count(queryset: QuerySet) -> Coalesce:
    """COUNT of a correlated queryset as a scalar subquery (0 when empty)."""
    counted = queryset.order_by().values("person").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_tier_history(queryset: QuerySet[User]) -> QuerySet[User]:
    """People annotated with their tier history and the suggested tier (`suggested_tier`, "" for none).

    Scalar subqueries rather than joins: joining memberships, task members and weekly scores at once
    would multiply rows and skew both the counts and the average.
    """
    completed = Membership.objects.filter(person=OuterRef("pk"), status=MembershipStatus.COMPLETED)
    led = TaskMember.objects.filter(membership=OuterRef("pk"), role=TaskRole.LEADER)
    # Weeks without a row (the first week is never scored) do not count; excused weeks are skipped.
    average = (
        WeeklyScore.objects.filter(
            membership__person=OuterRef("pk"), membership__status=MembershipStatus.COMPLETED, excused=False
        )
        .order_by()
        .values("membership__person")
        .annotate(average=Avg("points"))
        .values("average")
    )
    return queryset.annotate(
        tier_completed=_count(completed),
        tier_led=_count(completed.filter(Exists(led))),
        tier_mentored=_count(completed.filter(role=MembershipRole.MENTOR)),
        tier_average_score=Subquery(average, output_field=FloatField()),
    ).annotate(suggested_tier=suggested_tier_expression())


def history_of(person: User) -> TierHistory:
    """The TierHistory of a person loaded through `with_tier_history`."""
    return TierHistory(
        completed_challenges=person.tier_completed,
        led_task_challenges=person.tier_led,
        mentor_roles=person.tier_mentored,
        average_weekly_score=person.tier_average_score,
    )


def tier_history_for(*, person: User) -> TierHistory:
    """One person's history, in one query."""
    return history_of(with_tier_history(User.objects.filter(pk=person.pk)).get())


def tier_histories_for(*, people: Iterable[User]) -> dict[int, TierHistory]:
    """{person id: history} for a list of people, in one query whatever their number."""
    ids = [person.pk for person in people]
    return {person.pk: history_of(person) for person in with_tier_history(User.objects.filter(pk__in=ids))}


def _rank_of(field: str) -> Case:
    return Case(
        *(When(**{field: tier.value}, then=Value(tier_rank(tier))) for tier in Tier),
        default=Value(0),
        output_field=IntegerField(),
    )


def tier_differences() -> QuerySet[User]:
    """People whose suggested tier differs from the one granted (including granted but no longer suggested).

    Only people with a completed challenge or a granted tier are looked at: everyone else has nothing
    to suggest. Promotions come first, then by name, so staff see first who waits for one.
    """
    candidates = User.objects.filter(
        Q(Exists(Membership.objects.filter(person=OuterRef("pk"), status=MembershipStatus.COMPLETED))) | ~Q(tier="")
    )
    return (
        with_tier_history(candidates)
        .exclude(suggested_tier=F("tier"))
        .alias(suggested_rank=_rank_of("suggested_tier"), granted_rank=_rank_of("tier"))
        .annotate(
            is_promotion=Case(
                When(suggested_rank__gt=F("granted_rank"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-is_promotion", "display_name", "email", "pk")
    )
