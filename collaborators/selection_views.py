"""Staff selection per challenge: seats left, the cohort mix, candidates to decide, the waitlist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.models import Challenge
from omdena.errors import TransitionNotAllowed
from omdena.forms import error_text

from .enums import ACTIVE_SEAT_STATES, ApplicationStatus
from .models import Application, Membership
from .services.applications import REVIEW_ACTIONS
from .services.memberships import promotion_window_open
from .staff_views import _mix_panel, staff_only

CANDIDATE_STATES = (ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW_SCHEDULED, ApplicationStatus.INTERVIEWED)
DECISIONS = ("accept", "waitlist", "reject")


@staff_only
def selection(request, slug):
    challenge = get_object_or_404(Challenge, slug=slug)
    mix = _mix_panel(challenge)
    taken = mix.accepted  # the seats held or completed
    applications = (
        Application.objects.filter(challenge=challenge)
        .select_related("person")
        .order_by("priority", "submitted_at", "id")
    )
    candidates = [a for a in applications if a.status in CANDIDATE_STATES]
    waitlist = [a for a in applications if a.status == ApplicationStatus.WAITLISTED]
    members = Membership.objects.filter(challenge=challenge).select_related("person").order_by("status", "joined_at")
    seats_left = max(challenge.capacity - taken, 0)
    suggestion = None
    if seats_left and waitlist and promotion_window_open(challenge=challenge):
        suggestion = waitlist[0]  # in queue order, as next_waitlisted would pick
    return render(
        request,
        "collaborators/staff/selection.html",
        {
            "challenge": challenge,
            "seats_taken": taken,
            "seats_left": seats_left,
            "candidates": candidates,
            "waitlist": waitlist,
            "members": members,
            "suggestion": suggestion,
            "mix": mix,
            "active_statuses": ACTIVE_SEAT_STATES,
        },
    )


@staff_only
@require_POST
def selection_decide(request, slug, pk):
    """Accept, waitlist or reject one candidate, then back to the selection page with what happened."""
    application = get_object_or_404(Application.objects.select_related("person"), pk=pk, challenge__slug=slug)
    decision = request.POST.get("decision")
    if decision not in DECISIONS:
        messages.error(request, _("Choose accept, waitlist or reject."))
        return redirect("staff:selection", slug=slug)
    try:
        moved = REVIEW_ACTIONS[decision](
            application=application, by=request.user, note=request.POST.get("note", "")[:500]
        )
    except (TransitionNotAllowed, ValidationError) as error:
        text = error_text(error)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s. They get an email.")
            % {"name": moved.person.name, "status": moved.get_status_display()},
        )
    return redirect("staff:selection", slug=slug)
