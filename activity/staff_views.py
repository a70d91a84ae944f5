"""Staff page of onboarding: the steps that need attention, with the provider's answer, and retries.

Staff only (`permissions.is_staff`); every write goes through `activity.onboarding`.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from challenges.models import Challenge
from omdena import permissions
from omdena.decorators import requires
from omdena.errors import TransitionNotAllowed

from .models import ATTENTION_STATES, OnboardingStatus, OnboardingStep
from .onboarding import onboarding_step_retry, onboarding_steps_retry
from .selectors import challenges_with_onboarding, onboarding_attention_counts, onboarding_steps_for_staff

PAGE_SIZE = 50
staff_only = requires(permissions.is_staff)


class StepFilterForm(forms.Form):
    challenge = forms.ModelChoiceField(
        queryset=Challenge.objects.none(), required=False, to_field_name="slug", empty_label=gettext_lazy("Any")
    )
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = challenges_with_onboarding()
        self.fields["status"].choices = [("", _("Needs attention (all)"))] + [
            (status.value, status.label) for status in ATTENTION_STATES
        ]


def _steps_url(query: str = "") -> str:
    """The steps page with a query string; the path is fixed, so a posted query cannot redirect elsewhere."""
    params = QueryDict(query)
    return reverse("staff_onboarding:steps") + ("?" + params.urlencode() if params else "")


@staff_only
def steps(request):
    """Failed, rate-limited, waiting and invitation-pending steps; a constant number of queries per page."""
    form = StepFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    challenge = cleaned.get("challenge")
    status = cleaned.get("status") or None
    page = Paginator(onboarding_steps_for_staff(challenge=challenge, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = onboarding_attention_counts(challenge=challenge)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return render(
        request,
        "activity/staff_steps.html",
        {
            "form": form,
            "page": page,
            "challenge": challenge,
            "status": status,
            "counts": [(OnboardingStatus(value), count) for value, count in counts.items()],
            "failed_count": counts[OnboardingStatus.FAILED],
            "query": page_query.urlencode(),
            "here": request.GET.urlencode(),
        },
    )


@staff_only
@require_POST
def step_retry(request, pk):
    step = get_object_or_404(OnboardingStep.objects.select_related("membership__person"), pk=pk)
    try:
        onboarding_step_retry(step=step, by=request.user)
    except TransitionNotAllowed:
        step.refresh_from_db(fields=["status"])
        messages.error(
            request,
            _("That step is “%(status)s” now, so there is nothing to retry.") % {"status": step.get_status_display()},
        )
    else:
        messages.success(
            request,
            _("Retrying %(kind)s %(target)s for %(name)s; the result shows here in a moment.")
            % {"kind": step.get_kind_display(), "target": step.target, "name": step.membership.person.name},
        )
    return redirect(_steps_url(request.POST.get("query", "")))


@staff_only
@require_POST
def failed_retry(request):
    """Every failed step of one challenge back in the queue (e.g. after adding the bot to a channel)."""
    challenge = get_object_or_404(Challenge, slug=request.POST.get("challenge", ""))
    retried = onboarding_steps_retry(
        steps=OnboardingStep.objects.filter(membership__challenge=challenge, status=OnboardingStatus.FAILED),
        by=request.user,
    )
    if retried:
        messages.success(
            request,
            ngettext(
                "Retrying %(count)d failed step of “%(title)s”.",
                "Retrying %(count)d failed steps of “%(title)s”.",
                retried,
            )
            % {"count": retried, "title": challenge.title},
        )
    else:
        messages.info(request, _("“%(title)s” has no failed step to retry.") % {"title": challenge.title})
    return redirect(_steps_url(request.POST.get("query", "")))
