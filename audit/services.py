"""Writing the audit trail and guarded state transitions shared by every app."""

from collections.abc import Callable, Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from omdena.errors import TransitionNotAllowed

from .models import AuditEntry


def audit_record(
    *, actor, verb: str, subject: models.Model, from_state: str = "", to_state: str = "", note: str = ""
) -> AuditEntry:
    """Record who did what to which object; call it inside the change's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        object_id=str(subject.pk),
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def transition(
    *,
    instance: models.Model,
    to_state: str,
    allowed: Mapping[str, Iterable[str]],
    by,
    verb: str,
    note: str = "",
    field: str = "status",
    changes: Mapping[str, object] | Callable[[models.Model], Mapping[str, object]] | None = None,
) -> models.Model:
    """Lock the row, check the move against the allowed-moves table, write it and its audit entry.

    `changes` are further fields to write with the move; pass a function of the locked row when
    they depend on its current values. Returns the locked, updated instance; raises
    TransitionNotAllowed for a refused move.
    """
    with transaction.atomic():
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        from_state = getattr(locked, field)
        if to_state not in allowed.get(from_state, ()):
            raise TransitionNotAllowed(obj=locked, from_state=from_state, to_state=to_state)
        extra = changes(locked) if callable(changes) else (changes or {})
        setattr(locked, field, to_state)
        update_fields = [field]
        for name, value in extra.items():
            setattr(locked, name, value)
            update_fields.append(name)
        if hasattr(locked, "updated_at"):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        audit_record(actor=by, verb=verb, subject=locked, from_state=from_state, to_state=to_state, note=note)
    return locked
