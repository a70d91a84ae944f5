from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "content_type", "object_id", "from_state", "to_state"]
    list_filter = ["verb", "content_type"]
    search_fields = ["object_id", "note", "actor__email"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created_at"

    # The trail is append-only: nobody edits or deletes history.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
