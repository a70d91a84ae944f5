"""Weekly scores: a weighted, capped sum of each member's events in one ISO week (UTC), computed set-based."""

from collections.abc import Mapping

from django.db.models import Count, F, Q

from challenges.models import Challenge
from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership
from omdena.weeks import iso_week_bounds, iso_week_label

from .models import ActivityEvent, EventKind, Excuse, ExcuseStatus, ScoringPolicy, WeeklyScore

# Messages and thread replies share one weekly cap: chatter is not work.
CAPPED_KINDS = (EventKind.MESSAGE, EventKind.REPLY)


def scoring_policy_for(*, challenge: Challenge) -> ScoringPolicy:
    """The challenge's weights and threshold, created with the defaults the first time they are needed."""
    policy, _ = ScoringPolicy.objects.get_or_create(challenge=challenge)
    return policy


def is_first_week(*, challenge: Challenge, week: str) -> bool:
    """The week containing the start date (and any week before it) is not scored: the team is still forming.

    A challenge without a start date has no scored week either."""
    return challenge.start_date is None or week <= iso_week_label(challenge.start_date)


def score_breakdown(*, counts: Mapping[str, int], policy: ScoringPolicy) -> tuple[int, dict]:
    """Points and their explanation for one member's event counts: {"pr_opened": {"count": n, "points": p}, …}.

    Messages and replies together earn points for at most `message_cap` events; the better-paid kind fills the
    cap first, so the cap never costs a member points. `count` is what happened, `points` what it earned."""
    breakdown: dict[str, dict[str, int]] = {}
    room = policy.message_cap
    for kind in sorted(CAPPED_KINDS, key=lambda kind: -getattr(policy, kind)):
        count = counts.get(kind, 0)
        counted = min(count, room)
        room -= counted
        if count:
            breakdown[kind] = {"count": count, "points": counted * getattr(policy, kind)}
    for kind in EventKind.values:
        count = counts.get(kind, 0)
        if kind not in CAPPED_KINDS and count:
            breakdown[kind] = {"count": count, "points": count * getattr(policy, kind)}
    return sum(part["points"] for part in breakdown.values()), breakdown


def event_counts(*, challenge: Challenge, week: str) -> dict[int, dict[str, int]]:
    """{membership id: {kind: count}} for the week, in one GROUP BY query.

    The join through the person's membership of this challenge keeps only events inside the membership
    window (joined_at <= occurred_at < left_at): the conditions sit in one filter() so they apply to the
    same membership row."""
    start, end = iso_week_bounds(week)
    rows = (
        ActivityEvent.objects.filter(challenge=challenge, occurred_at__gte=start, occurred_at__lt=end)
        .filter(
            Q(person__memberships__left_at__isnull=True) | Q(person__memberships__left_at__gt=F("occurred_at")),
            person__memberships__challenge=F("challenge"),
            person__memberships__joined_at__lte=F("occurred_at"),
        )
        .values_list("person__memberships__id", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for membership_id, kind, count in rows:
        counts.setdefault(membership_id, {})[kind] = count
    return counts


def excused_membership_ids(*, challenge: Challenge, week: str) -> set[int]:
    """Memberships with an approved excuse covering the week ('YYYY-Www' labels sort like the weeks)."""
    return set(
        Excuse.objects.filter(
            membership__challenge=challenge, status=ExcuseStatus.APPROVED, first_week__lte=week, last_week__gte=week
        ).values_list("membership_id", flat=True)
    )


def week_score(*, challenge: Challenge, week: str, policy: ScoringPolicy | None = None) -> int:
    """Compute and store the WeeklyScore of every active or warned member for the ISO week; returns how many.

    A constant number of queries whatever the team size: the policy, the members, one aggregate over the
    events, the excuses and one upsert. Re-running gives the same rows. The first week is not scored (0)."""
    if is_first_week(challenge=challenge, week=week):
        return 0
    policy = policy or scoring_policy_for(challenge=challenge)
    _, end = iso_week_bounds(week)
    # Members who joined after the week ended have nothing to be scored on yet.
    membership_ids = list(
        Membership.objects.filter(challenge=challenge, status__in=ACTIVE_SEAT_STATES, joined_at__lt=end).values_list(
            "id", flat=True
        )
    )
    if not membership_ids:
        return 0
    counts = event_counts(challenge=challenge, week=week)
    excused = excused_membership_ids(challenge=challenge, week=week)
    scores = []
    for membership_id in membership_ids:
        points, breakdown = score_breakdown(counts=counts.get(membership_id, {}), policy=policy)
        scores.append(
            WeeklyScore(
                membership_id=membership_id,
                week=week,
                points=points,
                breakdown=breakdown,
                threshold=policy.active_threshold,
                active=points >= policy.active_threshold,
                excused=membership_id in excused,
            )
        )
    WeeklyScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["membership", "week"],
        update_fields=["points", "breakdown", "threshold", "active", "excused", "computed_at"],
    )
    return len(scores)
