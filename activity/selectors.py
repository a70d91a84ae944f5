"""Read queries about onboarding steps: what is due, what needs staff, what a person sees."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone

from challenges.models import Challenge
from collaborators.models import Membership

from .models import ATTENTION_STATES, RUNNABLE_STATES, OnboardingStatus, OnboardingStep


def onboarding_due_step_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Steps whose next attempt (or, for a pending invitation, next look) has come, oldest first (an index on
    status and next attempt)."""
    due_states = [*RUNNABLE_STATES, OnboardingStatus.INVITATION_PENDING]
    return list(
        OnboardingStep.objects.filter(status__in=due_states, next_attempt_at__lte=now or timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def onboarding_steps_for(
    *, memberships: Iterable[Membership] | QuerySet[Membership]
) -> dict[int, list[OnboardingStep]]:
    """Each membership's steps, in one query, for `activity/_onboarding_status.html` (`membership` and `steps`)."""
    grouped: dict[int, list[OnboardingStep]] = defaultdict(list)
    for step in OnboardingStep.objects.filter(membership__in=memberships).order_by("direction", "kind", "target"):
        grouped[step.membership_id].append(step)
    return dict(grouped)


def onboarding_steps_for_staff(*, challenge: Challenge | None = None, status: str | None = None) -> QuerySet:
    """Steps that need attention: failed first, then rate limited, waiting, invitation pending; newest first within."""
    steps = OnboardingStep.objects.filter(status__in=[status] if status else ATTENTION_STATES)
    if challenge is not None:
        steps = steps.filter(membership__challenge=challenge)
    severity = Case(
        *[When(status=value, then=Value(rank)) for rank, value in enumerate(ATTENTION_STATES)],
        output_field=IntegerField(),
    )
    return steps.select_related("membership__person", "membership__challenge").order_by(severity, "-updated_at", "-pk")


def onboarding_attention_counts(*, challenge: Challenge | None = None) -> dict[str, int]:
    """How many steps need attention, per status (one grouped query)."""
    steps = OnboardingStep.objects.filter(status__in=ATTENTION_STATES)
    if challenge is not None:
        steps = steps.filter(membership__challenge=challenge)
    counts = dict(steps.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in ATTENTION_STATES}


def challenges_with_onboarding() -> QuerySet[Challenge]:
    """The challenges to offer in the staff page's filter: those with at least one onboarding step."""
    return Challenge.objects.filter(
        Exists(OnboardingStep.objects.filter(membership__challenge=OuterRef("pk")))
    ).order_by("title")
