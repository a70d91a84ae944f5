"""Writes about people: profile edits and linking GitHub/Slack identities."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from audit.services import audit_record

from ..models import User
from ..public_profiles import public_handle_new

PROFILE_FIELDS = (
    "display_name",
    "country",
    "time_zone",
    "skills",
    "experience_level",
    "weekly_hours",
    "github_username",
    "slack_user_id",
    "profile_url",
    "profile_public",
    "public_handle",
)


def profile_update(*, person: User, by: User, data: Mapping[str, Any]) -> User:
    """Save validated profile fields; the audit note names the fields that changed.

    Compares with the stored row, not the passed instance: a bound ModelForm has already
    copied its values onto the instance it was given.
    """
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=person.pk)
        if data.get("profile_public", stored.profile_public) and not data.get("public_handle", stored.public_handle):
            # Switching the public profile on without choosing an address: make one from the display name.
            display_name = data.get("display_name", stored.display_name)
            data = {**data, "public_handle": public_handle_new(name=display_name, exclude_pk=stored.pk)}
        changed = [name for name in PROFILE_FIELDS if name in data and getattr(stored, name) != data[name]]
        if not changed:
            return stored
        for name in changed:
            setattr(stored, name, data[name])
        stored.save(update_fields=changed)
        audit_record(actor=by, verb="profile.update", subject=stored, note=", ".join(changed))
        if {"github_username", "slack_user_id"} & set(changed):
            # Onboarding steps that waited for these (or failed on a wrong username) try again now.
            from activity.onboarding import onboarding_person_changed

            onboarding_person_changed(person=stored)
    return stored


def profile_link_social_account(*, person: User, provider: str, uid: str, extra_data: Mapping[str, Any]) -> User:
    """Fill the profile from a connected GitHub or Slack account.

    GitHub gives a numeric user id that survives renames, plus the current login; Slack's
    OpenID Connect gives the user id and the workspace (team) id. Activity is matched by
    these ids first, so they always win over what the person typed.
    """
    changes: dict[str, Any] = {}
    if provider == "github":
        changes["github_user_id"] = int(uid)
        if extra_data.get("login"):
            changes["github_username"] = extra_data["login"]
        if not person.display_name and extra_data.get("name"):
            changes["display_name"] = str(extra_data["name"])[:80]
    elif provider == "slack":
        changes["slack_user_id"] = extra_data.get("https://slack.com/user_id") or uid.split("_")[-1]
        changes["slack_team_id"] = extra_data.get("https://slack.com/team_id", "")
        if not person.display_name and extra_data.get("name"):
            changes["display_name"] = str(extra_data["name"])[:80]
    changes = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changes:
        return person
    with transaction.atomic():
        for name, value in changes.items():
            setattr(person, name, value)
        person.save(update_fields=list(changes))
        audit_record(actor=person, verb=f"profile.link_{provider}", subject=person, note=", ".join(changes))
        from activity.onboarding import onboarding_person_changed

        onboarding_person_changed(person=person)
    return person
