"""Read queries about challenges, filtered by who is looking."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from omdena import permissions

from .enums import ChallengeStatus
from .models import Challenge, Organisation

# Open challenges first (people come to apply), then running, then the rest.
STATUS_ORDER = Case(
    When(status=ChallengeStatus.OPEN, then=Value(0)),
    When(status=ChallengeStatus.RUNNING, then=Value(1)),
    When(status=ChallengeStatus.COMPLETED, then=Value(2)),
    When(status=ChallengeStatus.DRAFT, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def challenges_visible_to(*, user) -> QuerySet[Challenge]:
    """Every challenge the user may see: drafts only for staff."""
    queryset = Challenge.objects.select_related("organisation").prefetch_related("tags")
    if not permissions.is_staff(user):
        queryset = queryset.exclude(status=ChallengeStatus.DRAFT)
    return queryset


def challenge_catalogue(*, user) -> QuerySet[Challenge]:
    """The catalogue order: open first (nearest deadline first), then running, completed, the rest."""
    return (
        challenges_visible_to(user=user)
        .annotate(status_rank=STATUS_ORDER)
        .order_by("status_rank", "application_deadline", "-start_date", "-id")
    )


def platform_counts() -> dict[str, int]:
    """The home page's figures, in one query."""
    return Challenge.objects.aggregate(
        open=Count("id", filter=Q(status=ChallengeStatus.OPEN)),
        running=Count("id", filter=Q(status=ChallengeStatus.RUNNING)),
        completed=Count("id", filter=Q(status=ChallengeStatus.COMPLETED)),
        organisations=Count("organisation", distinct=True, filter=~Q(status=ChallengeStatus.DRAFT)),
    )


def organisations_with_public_counts() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(
        public_challenges=Count("challenges", filter=~Q(challenges__status=ChallengeStatus.DRAFT))
    ).order_by("name")


def seat_counts(*, challenge: Challenge) -> dict[str, int]:
    """What completing would do, and what it did: seats by state and certificates issued (two queries)."""
    from collaborators.enums import MembershipStatus
    from collaborators.models import Certificate, Membership

    by_status = dict(
        Membership.objects.filter(challenge=challenge)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "held": by_status.get(MembershipStatus.ACTIVE, 0) + by_status.get(MembershipStatus.WARNED, 0),
        "completed": by_status.get(MembershipStatus.COMPLETED, 0),
        "removed": by_status.get(MembershipStatus.REMOVED, 0),
        "certificates": Certificate.objects.filter(membership__challenge=challenge).count(),
    }


def challenges_with_tasks_visible_to(*, user) -> QuerySet[Challenge]:
    """Challenges whose task teams the user may see (pages and API alike): staff all; members (active or
    warned) and the client's users; nobody else."""
    if permissions.is_staff(user):
        return Challenge.objects.all()
    if not (user and user.is_authenticated):
        return Challenge.objects.none()
    from collaborators.enums import ACTIVE_SEAT_STATES
    from collaborators.models import Membership

    seats = Membership.objects.filter(person=user, status__in=ACTIVE_SEAT_STATES).values("challenge_id")
    return Challenge.objects.filter(Q(pk__in=seats) | Q(organisation__users=user)).distinct()


def challenges_with_progress_visible_to(*, user) -> QuerySet[Challenge]:
    """The client dashboard's predicate as a queryset: staff, and users of the challenge's organisation."""
    if permissions.is_staff(user):
        return Challenge.objects.all()
    if not (user and user.is_authenticated):
        return Challenge.objects.none()
    return Challenge.objects.filter(organisation__users=user).distinct()
