"""Certificates in the staff admin: read-only records; revoking asks for a reason and goes through the service."""

from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .certificate_views import CertificateRevokeForm
from .models import Certificate
from .services.certificates import certificate_revoke


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return [("yes", _("Valid")), ("no", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["holder_name", "challenge_title", "role", "issued_at", "is_valid"]
    list_filter = [ValidityFilter, "role", "issued_at"]
    search_fields = ["holder_name", "challenge_title", "membership__person__email", "id"]
    list_select_related = ["membership"]
    readonly_fields = [field.name for field in Certificate._meta.fields]
    date_hierarchy = "issued_at"
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # certificates come from completing a challenge, never by hand

    def has_delete_permission(self, request, obj=None):
        return False  # a shared certificate must keep answering "revoked", not "unknown"

    @admin.display(boolean=True, description=_("valid"))
    def is_valid(self, certificate):
        return certificate.is_valid

    @admin.action(description=_("Revoke selected certificates…"))
    def revoke(self, request, queryset):
        form = CertificateRevokeForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            valid = [certificate for certificate in queryset if certificate.is_valid]
            for certificate in valid:
                certificate_revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(
                request,
                ngettext("%d certificate revoked.", "%d certificates revoked.", len(valid)) % len(valid),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke certificates"),
            "certificates": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/collaborators/certificate/revoke.html", context)
