"""Community pages: public collaborator profiles (opt-in) and the staff page of tier suggestions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omdena import permissions
from omdena.decorators import requires
from omdena.forms import error_text

from .enums import Tier
from .forms import TierGrantForm
from .models import User
from .public_profiles import public_profile_for
from .services.tiers import tier_grant
from .tiers import history_of, tier_differences

PAGE_SIZE = 50
staff_tiers_only = requires(permissions.can_grant_tier)


def public_profile(request, handle):
    """A collaborator's public page; 404 unless they switched it on (the same 404 as an unknown handle)."""
    profile = public_profile_for(handle=handle)
    return render(request, "collaborators/community/public_profile.html", {"profile": profile})


@staff_tiers_only
def staff_tiers(request):
    """People whose suggested tier differs from the granted one, promotions first; one grant form per row."""
    page = Paginator(tier_differences(), PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.history = history_of(person)
        person.suggested_label = Tier(person.suggested_tier).label if person.suggested_tier else ""
        form = TierGrantForm(auto_id=f"id_%s_{person.pk}", initial={"tier": person.suggested_tier})
        form.fields["tier"].widget.attrs["aria-label"] = _("Tier for %(name)s") % {"name": person.name}
        form.fields["note"].widget.attrs.update(
            {"aria-label": _("Note on %(name)s's tier (optional)") % {"name": person.name}, "placeholder": _("Note")}
        )
        person.grant_form = form
    return render(request, "collaborators/community/staff_tiers.html", {"page": page})


@require_POST
@staff_tiers_only
def staff_tier_grant(request, pk):
    person = get_object_or_404(User, pk=pk)
    form = TierGrantForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("staff:tiers")
    if not form.is_valid():
        messages.error(request, _("Choose a tier from the list."))
        return redirect(back)
    try:
        person = tier_grant(
            person=person, tier=form.cleaned_data["tier"], by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(back)
    if person.tier:
        message = _("%(name)s is now %(tier)s.") % {"name": person.name, "tier": person.get_tier_display()}
    else:
        message = _("%(name)s has no tier now.") % {"name": person.name}
    messages.success(request, message)
    return redirect(back)
