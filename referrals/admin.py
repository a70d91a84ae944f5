"""Referral codes in the staff admin: issued from the people list (or the API), deactivated by an action."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ReferralCode
from .services import referral_code_deactivate


class ReferralCodeForm(forms.ModelForm):
    class Meta:
        model = ReferralCode
        fields = ["max_uses"]

    def clean_max_uses(self):
        max_uses = self.cleaned_data["max_uses"]
        if max_uses < self.instance.uses:
            raise forms.ValidationError(
                _("The code has already been used %(uses)d times: the limit cannot be lower."),
                params={"uses": self.instance.uses},
            )
        return max_uses


@admin.register(ReferralCode)
class ReferralCodeAdmin(admin.ModelAdmin):
    form = ReferralCodeForm
    list_display = ["code", "owner", "uses", "max_uses", "is_active", "challenge", "created_at"]
    list_filter = ["is_active", "deactivation_reason"]
    search_fields = ["code", "owner__email", "owner__display_name"]
    list_select_related = ["owner", "challenge"]
    # Only the limit is edited by hand; issuing and deactivating go through the services (audit trail).
    fields = [
        "code",
        "owner",
        "uses",
        "max_uses",
        "is_active",
        "challenge",
        "created_at",
        "created_by",
        "deactivated_at",
        "deactivated_by",
        "deactivation_reason",
    ]
    readonly_fields = [name for name in fields if name != "max_uses"]
    actions = ["deactivate"]

    def has_add_permission(self, request):
        # New codes come from referral_code_issue: the "Issue a referral code" action on people, or the API.
        return False

    @admin.action(description=_("Deactivate selected referral codes"))
    def deactivate(self, request, queryset):
        codes = [referral_code_deactivate(code=code, by=request.user) for code in queryset]
        self.message_user(
            request,
            ngettext("%(count)d referral code deactivated.", "%(count)d referral codes deactivated.", len(codes))
            % {"count": len(codes)},
            messages.SUCCESS,
        )
