"""Public collaborator profiles (opt-in): the handle in the address, and what the public page may show.

Only what the person agreed to show when switching the page on: display name, country, tier,
completed challenges, valid certificates and chapters. Never an email address, a Slack id or
anything about applications.
"""

import secrets
import string
from dataclasses import dataclass

from django.http import Http404
from django.utils.text import slugify

from challenges.models import ChapterMember

from .enums import MembershipStatus
from .models import Certificate, Membership, User

HANDLE_MAX_LENGTH = 40
HANDLE_BASE_LENGTH = 32  # room for "-" and a suffix when the name is taken
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 4


def public_handle_new(*, name: str, exclude_pk: int | None = None) -> str:
    """A free handle made from the display name ("ada-lovelace"), with a short random suffix on a clash.

    Never made from the email address: a handle is public. A race for the same handle ends at the
    unique constraint; the person just saves again.
    """
    base = slugify(name)[:HANDLE_BASE_LENGTH].strip("-") or "collaborator"
    taken = User.objects.exclude(pk=exclude_pk).filter(public_handle__startswith=base)
    taken_handles = set(taken.values_list("public_handle", flat=True))
    if base not in taken_handles:
        return base
    while True:
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
        candidate = f"{base}-{suffix}"
        if candidate not in taken_handles:
            return candidate


@dataclass(frozen=True)
class PublicProfile:
    person: User
    completed: list[Membership]
    certificates: list[Certificate]
    chapter_memberships: list[ChapterMember]

    @property
    def name(self) -> str:
        # The display name only: `User.name` falls back to the part of the email before the @.
        return self.person.display_name or self.person.public_handle


def public_profile_for(*, handle: str) -> PublicProfile:
    """The public profile behind a handle, in four queries; Http404 when unknown or not public.

    An opted-out profile and an unknown handle look the same, so a handle reveals nothing.
    """
    from omdena import permissions

    person = User.objects.filter(public_handle=handle.lower()).first()
    if person is None or not permissions.can_view_public_profile(None, person):
        raise Http404
    completed = list(
        person.memberships.filter(status=MembershipStatus.COMPLETED)
        .select_related("challenge__organisation")
        .order_by("-challenge__start_date", "-pk")
    )
    certificates = list(
        Certificate.objects.filter(membership__person=person, revoked_at__isnull=True).order_by("-issued_at")
    )
    chapter_memberships = list(
        person.chapter_memberships.filter(chapter__is_active=True).select_related("chapter").order_by("chapter__name")
    )
    return PublicProfile(
        person=person, completed=completed, certificates=certificates, chapter_memberships=chapter_memberships
    )
