from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import AuditEntry


def history_for(*, subject: Model) -> QuerySet[AuditEntry]:
    """The audit trail of one object, newest first, with the actors loaded."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(subject.pk)).select_related("actor")
