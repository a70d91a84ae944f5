from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .enums import OutboxStatus
from .models import OutboxMessage
from .services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "channel", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient__email", "subject", "idempotency_key", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry selected failed messages"))
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=OutboxStatus.FAILED))
        for message in failed:
            outbox_retry(message=message, by=request.user)
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": len(failed)}, messages.SUCCESS)
