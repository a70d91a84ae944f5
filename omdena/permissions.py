"""Who may do what: named predicates used by views, the API and templates alike.

Every predicate takes the acting user first and the object second, and answers
False for anonymous users unless the thing is public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from challenges.models import Challenge, Organisation


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_client_user(user) -> bool:
    """A user who belongs to at least one client organisation."""
    if not (user and user.is_authenticated):
        return False
    cached = getattr(user, "_is_client_user", None)
    if cached is None:
        cached = user.organisations.exists()
        user._is_client_user = cached
    return cached


def is_client_of(user, organisation: Organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return organisation.users.filter(pk=user.pk).exists()


def can_view_challenge(user, challenge: Challenge) -> bool:
    """Drafts are visible to staff only; every other state is public."""
    from challenges.enums import ChallengeStatus

    if challenge.status == ChallengeStatus.DRAFT:
        return is_staff(user)
    return True


def can_manage_challenge(user, challenge: Challenge) -> bool:
    """Lifecycle moves (open, start, complete, cancel) are staff work."""
    return is_staff(user)


def can_edit_profile(user, person) -> bool:
    return bool(user and user.is_authenticated and (user.pk == person.pk or is_staff(user)))


def can_review_applications(user, challenge: Challenge | None = None) -> bool:
    """The review queue (scores, shortlisting, decisions, transfers) is staff work, for any challenge."""
    return is_staff(user)


def seat_of(user, challenge):
    """The user's active (or warned) seat in the challenge, or None; looked up once per challenge object and
    user, since a page asks several predicates about the same seat."""
    from collaborators.selectors import active_seat

    if not (user and user.is_authenticated):
        return None
    seats = challenge.__dict__.setdefault("_active_seats", {})
    if user.pk not in seats:
        seats[user.pk] = active_seat(person=user, challenge=challenge)
    return seats[user.pk]


def can_propose_task(user, challenge) -> bool:
    """Any active member of a running challenge (and staff)."""
    from challenges.enums import ChallengeStatus

    if challenge.status != ChallengeStatus.RUNNING:
        return False
    return is_staff(user) or seat_of(user, challenge) is not None


def can_approve_task(user, challenge) -> bool:
    """Staff, or the challenge's project manager."""
    from collaborators.enums import MembershipRole

    if is_staff(user):
        return True
    seat = seat_of(user, challenge)
    return seat is not None and seat.role == MembershipRole.PROJECT_MANAGER


def is_task_leader(user, task) -> bool:
    from challenges.enums import TaskRole

    if not (user and user.is_authenticated):
        return False
    return task.task_members.filter(membership__person=user, role=TaskRole.LEADER).exists()


def can_lead_task(user, task) -> bool:
    """File reports and record attendance: the task's leaders and staff."""
    return is_staff(user) or is_task_leader(user, task)


def can_view_client_dashboard(user, challenge) -> bool:
    """Staff, and users of the challenge's own organisation (clients see nothing of other organisations)."""
    return is_staff(user) or is_client_of(user, challenge.organisation)


def is_chapter_lead(user, chapter) -> bool:
    from challenges.enums import ChapterRole

    if not (user and user.is_authenticated):
        return False
    return chapter.members.filter(person=user, role=ChapterRole.LEAD).exists()


def can_see_chapter_members(user, chapter) -> bool:
    """The member list (names, countries, join dates) is for the chapter's leads and staff; everyone else sees
    the member count and the leads' names."""
    return is_staff(user) or is_chapter_lead(user, chapter)


# --- Community: tiers, public profiles, referral dashboards ----------------------------------------------


def can_grant_tier(user, person=None) -> bool:
    """Tiers are a staff decision (the platform only suggests one)."""
    return is_staff(user)


def can_view_public_profile(user, person) -> bool:
    """Anyone, but only once the person has opted in; until then the page does not exist for anyone."""
    return bool(person.is_active and person.profile_public and person.public_handle)


def can_view_referrals(user, owner) -> bool:
    """A person's referral codes and who used them: the owner only (staff use the admin)."""
    return bool(user and user.is_authenticated and user.pk == owner.pk)
