"""Demo community data for `seed_demo`: suggested tiers granted and a few public profiles.

Runs after the completed challenge is seeded, through the same services as the pages, so the
tiers have their audit entries and the handles are made as the profile form makes them.
Safe to run twice: granting the same tier and switching on a public profile again change nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .models import User
from .services import profile_update
from .services.tiers import tiers_grant_suggested
from .tiers import with_tier_history

PUBLIC_PROFILES = 4


@dataclass(frozen=True)
class CommunitySeed:
    granted: int
    public_handles: list[str]


def seed_community(*, people: Iterable[User], by: User, public_profiles: int = PUBLIC_PROFILES) -> CommunitySeed:
    """Grant each person the tier their history suggests (by the staff user `by`), and switch on a
    public profile for the first few with a completed challenge, highest suggested tier first."""
    ids = [person.pk for person in people]
    annotated = list(with_tier_history(User.objects.filter(pk__in=ids)).order_by("-tier_completed", "pk"))
    granted = tiers_grant_suggested(people=annotated, by=by, note="demo data").granted
    handles = []
    for person in [p for p in annotated if p.tier_completed][:public_profiles]:
        updated = profile_update(person=person, by=person, data={"profile_public": True})
        handles.append(updated.public_handle)
    return CommunitySeed(granted=granted, public_handles=handles)
