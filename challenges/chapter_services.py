"""Every write about chapters: create and edit them, join and leave, name and step down leads.

Pages, API, admin and the demo seed call these. Who may act is mostly the callers' (omdena.permissions); naming
leads is staff work and is refused here too, because a lead sees the chapter's member list.
The chapter row is locked for joins, leaves and lead changes so that two leads leaving at once cannot leave
members without a lead.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record
from omdena import permissions

from .enums import ChapterRole
from .models import Chapter, ChapterMember

CHAPTER_FIELDS = ("name", "slug", "city", "country", "slack_channel", "description", "is_active")


def _locked(chapter: Chapter) -> Chapter:
    return Chapter.objects.select_for_update().get(pk=chapter.pk)


def _save_refusing_duplicates(chapter: Chapter, **save_kwargs) -> None:
    """Name and slug are unique: a clash is the caller's field error, not a 500."""
    try:
        with transaction.atomic():
            chapter.save(**save_kwargs)
    except IntegrityError as error:
        field = "slug" if Chapter.objects.filter(slug=chapter.slug).exclude(pk=chapter.pk).exists() else "name"
        raise ValidationError({field: _("Another chapter already has this %(field)s.") % {"field": field}}) from error


def chapter_create(
    *,
    by,
    name: str,
    country: str,
    slug: str = "",
    city: str = "",
    slack_channel: str = "",
    description: str = "",
    is_active: bool = True,
) -> Chapter:
    """Staff open a chapter; its slug follows from the name unless given."""
    name = name.strip()
    slug = slug or slugify(name)
    if not slug:
        raise ValidationError({"slug": _("Give the chapter a name or slug made of letters or digits.")})
    chapter = Chapter(
        name=name,
        slug=slug,
        city=city.strip(),
        country=country,
        slack_channel=slack_channel.strip(),
        description=description,
        is_active=is_active,
    )
    chapter.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        _save_refusing_duplicates(chapter)
        audit_record(actor=by, verb="chapter.create", subject=chapter, note=chapter.name)
    return chapter


def chapter_update(*, chapter: Chapter, by, data: Mapping[str, Any]) -> Chapter:
    """Staff edit a chapter's details; closing it (is_active false) stops new joins, members stay."""
    unknown = set(data) - set(CHAPTER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown chapter fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _locked(chapter)
        changed = [name for name, value in data.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, data[name])
        locked.full_clean(validate_unique=False, validate_constraints=False)
        _save_refusing_duplicates(locked, update_fields=changed)
        verb = "chapter.update"
        if "is_active" in changed:
            verb = "chapter.reopen" if locked.is_active else "chapter.close"
        audit_record(actor=by, verb=verb, subject=locked, note=", ".join(changed))
    return locked


def chapter_join(*, chapter: Chapter, person, by) -> ChapterMember:
    """The person joins as a member; joining twice changes nothing. A closed chapter takes nobody new."""
    with transaction.atomic():
        locked = _locked(chapter)
        member = ChapterMember.objects.filter(chapter=locked, person=person).first()
        if member is not None:
            return member
        if not locked.is_active:
            raise ValidationError(_("This chapter is closed and does not take new members."))
        member = ChapterMember.objects.create(chapter=locked, person=person, role=ChapterRole.MEMBER)
        audit_record(actor=by, verb="chapter.join", subject=locked, to_state=ChapterRole.MEMBER, note=person.name)
    return member


def chapter_leave(*, chapter: Chapter, person, by) -> None:
    """The person leaves; leaving twice changes nothing.

    The last lead cannot leave while other members remain: somebody must still be able to see and run the
    chapter, and naming leads is staff work.
    """
    with transaction.atomic():
        locked = _locked(chapter)
        member = ChapterMember.objects.filter(chapter=locked, person=person).first()
        if member is None:
            return
        if member.role == ChapterRole.LEAD:
            others = ChapterMember.objects.filter(chapter=locked).exclude(pk=member.pk)
            if others.exists() and not others.filter(role=ChapterRole.LEAD).exists():
                raise ValidationError(
                    _(
                        "You are the only lead of %(chapter)s and it still has members. "
                        "Ask staff to name another lead, then leave."
                    )
                    % {"chapter": locked.name}
                )
        member.delete()
        audit_record(actor=by, verb="chapter.leave", subject=locked, from_state=member.role, note=person.name)


def chapter_set_lead(*, chapter: Chapter, person, by, is_lead: bool) -> ChapterMember:
    """Staff name a lead (the person joins if they were not a member) or step one down to member.

    Stepping down the last lead is refused while other members remain, for the same reason as leaving.
    """
    if not permissions.is_staff(by):
        raise PermissionDenied(_("Only staff name or step down chapter leads."))
    role = ChapterRole.LEAD if is_lead else ChapterRole.MEMBER
    with transaction.atomic():
        locked = _locked(chapter)
        member = ChapterMember.objects.filter(chapter=locked, person=person).first()
        if member is None:
            if not is_lead:
                raise ValidationError({"person": _("%(name)s is not in this chapter.") % {"name": person.name}})
            member = ChapterMember.objects.create(chapter=locked, person=person, role=ChapterRole.LEAD)
            audit_record(actor=by, verb="chapter.join", subject=locked, to_state=ChapterRole.LEAD, note=person.name)
            audit_record(actor=by, verb="chapter.lead", subject=locked, to_state=ChapterRole.LEAD, note=person.name)
            return member
        if member.role == role:
            return member
        if not is_lead:
            other_leads = ChapterMember.objects.filter(chapter=locked, role=ChapterRole.LEAD).exclude(pk=member.pk)
            if not other_leads.exists() and ChapterMember.objects.filter(chapter=locked).count() > 1:
                raise ValidationError(
                    {"person": _("%(name)s is the only lead: name another lead first.") % {"name": person.name}}
                )
        previous = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            actor=by,
            verb="chapter.lead" if is_lead else "chapter.lead_stepped_down",
            subject=locked,
            from_state=previous,
            to_state=role,
            note=person.name,
        )
    return member
