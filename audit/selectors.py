from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import AuditEntry


def history_for(*, subject: Model) -> QuerySet[AuditEntry]:
    """The audit trail of one object, newest first, with the actors loaded."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(subject.pk)).select_related("actor")


def history_line(*, subject: Model, limit: int = 20) -> str:
    """The last changes of one object on one line, for the admin's read-only "History" field."""
    if subject.pk is None:
        return "—"
    entries = history_for(subject=subject)[:limit]
    return "; ".join(f"{e.created_at:%Y-%m-%d %H:%M} {e.actor or 'platform'}: {e}" for e in entries) or "—"
