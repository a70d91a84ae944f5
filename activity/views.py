"""Activity pages: a member's weekly scores, warnings and leave; the staff do-ocracy board per challenge.

Every page reads a fixed number of queries whatever the number of members and weeks; every change goes
through `activity.ingestion` or `activity.doocracy`, which decide and record it.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership
from collaborators.staff_views import staff_only
from omdena.errors import TransitionNotAllowed
from omdena.forms import error_text, service_errors_on_form
from omdena.weeks import iso_week_shift

from . import doocracy, ingestion
from .forms import LeaveForm, ManualEventForm, week_choices
from .models import (
    ActivitySource,
    Excuse,
    ExcuseStatus,
    InactivityWarning,
    ScoringPolicy,
    WarningStatus,
    WeeklyScore,
)
from .score_display import scored_weeks, week_cells
from .scoring import scoring_policy_for
from .tasks import sync_challenge

ATTENTION = (WarningStatus.OPEN, WarningStatus.REMOVAL_PROPOSED)
DEFAULT_THRESHOLD = ScoringPolicy._meta.get_field("active_threshold").default


# --- The member's own activity -----------------------------------------------------------------------------


def _leave_weeks(challenge: Challenge, *, today: dt.date) -> list[tuple[str, str]]:
    """Weeks one can still declare leave for: last week (just finished, not yet judged) to the challenge's last."""
    first = today - dt.timedelta(weeks=1)
    if challenge.start_date:
        first = max(first, challenge.start_date)
    last = challenge.end_date or today + dt.timedelta(weeks=challenge.duration_weeks)
    return week_choices(first=first, last=last) if last >= first else []


@login_required
def my_activity(request):
    """Per running challenge: the weeks scored, what counted, any warning with its date, leave declared."""
    today = timezone.localdate(timezone=dt.UTC)
    memberships = list(
        Membership.objects.filter(
            person=request.user,
            challenge__status=ChallengeStatus.RUNNING,
            status__in=ACTIVE_SEAT_STATES,
        )
        .select_related("challenge")
        .prefetch_related(
            Prefetch("weekly_scores", queryset=WeeklyScore.objects.order_by("week")),
            Prefetch(
                "warnings",
                queryset=InactivityWarning.objects.filter(status__in=ATTENTION).order_by("removal_due_on"),
                to_attr="attention_warnings",
            ),
            Prefetch("excuses", queryset=Excuse.objects.order_by("-first_week")),
        )
        .order_by("challenge__title")
    )
    posted = None
    if request.method == "POST":
        posted = next((m for m in memberships if str(m.pk) == request.POST.get("membership")), None)
        if posted is None:
            raise Http404
    for membership in memberships:
        challenge = membership.challenge
        scores = {score.week: score for score in membership.weekly_scores.all()}
        weeks = sorted(set(scored_weeks(challenge, today=today)) | set(scores), reverse=True)
        membership.week_cells = week_cells(challenge, scores, weeks)
        # The challenge's own weights say what lifts a warning (the same words as the warning email).
        ways = doocracy.ways_to_reach(scoring_policy_for(challenge=challenge)) if membership.attention_warnings else ""
        for warning in membership.attention_warnings:
            warning.ways = ways
            warned_score = scores.get(warning.week)
            warning.threshold = warned_score.threshold if warned_score else DEFAULT_THRESHOLD
            warning.lift_week = iso_week_shift(warning.week, 1)
        bound = membership is posted
        membership.leave_form = LeaveForm(
            request.POST if bound else None,
            weeks=_leave_weeks(challenge, today=today),
            prefix=f"leave-{membership.pk}",
        )
        if bound and membership.leave_form.is_valid():
            data = membership.leave_form.cleaned_data
            try:
                doocracy.excuse_declare(
                    membership=membership,
                    first_week=data["first_week"],
                    last_week=data["last_week"],
                    reason=data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                service_errors_on_form(membership.leave_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Leave %(first)s to %(last)s is declared; staff confirm it. "
                        "Excused weeks never count against you."
                    )
                    % {"first": data["first_week"], "last": data["last_week"]},
                )
                return redirect("my_activity")
    return render(request, "activity/my_activity.html", {"memberships": memberships, "today": today})


# --- The staff do-ocracy board -----------------------------------------------------------------------------


def _board_memberships(challenge: Challenge):
    return (
        Membership.objects.filter(challenge=challenge, status__in=ACTIVE_SEAT_STATES)
        .select_related("person")
        .order_by("person__display_name", "person__email")
    )


@staff_only
def doocracy_index(request):
    """Running challenges with what waits for staff in each."""
    challenges = (
        Challenge.objects.filter(status=ChallengeStatus.RUNNING)
        .annotate(
            warned_count=Count(
                "memberships__warnings",
                filter=Q(memberships__warnings__status=WarningStatus.OPEN),
                distinct=True,
            ),
            proposed_count=Count(
                "memberships__warnings",
                filter=Q(memberships__warnings__status=WarningStatus.REMOVAL_PROPOSED),
                distinct=True,
            ),
            pending_excuses=Count(
                "memberships__excuses",
                filter=Q(memberships__excuses__status=ExcuseStatus.PENDING),
                distinct=True,
            ),
        )
        .order_by("start_date", "title")
    )
    return render(request, "activity/doocracy_index.html", {"challenges": challenges})


@staff_only
def doocracy_board(request, slug):
    """Scores by week, warnings, proposed removals, pending excuses, source syncs and manual entries."""
    challenge = get_object_or_404(Challenge, slug=slug)
    today = timezone.localdate(timezone=dt.UTC)
    memberships = list(_board_memberships(challenge))
    form = ManualEventForm(request.POST or None, memberships=_board_memberships(challenge))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Noon in the viewer's time zone keeps the entry inside the day (and the ISO week) they picked.
        occurred_at = timezone.make_aware(dt.datetime.combine(data["day"], dt.time(12)))
        if data["day"] == timezone.localdate():
            occurred_at = min(occurred_at, timezone.now())  # today before noon: it happened already
        try:
            ingestion.manual_event_add(
                challenge=challenge,
                person=data["membership"].person,
                occurred_at=occurred_at,
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            service_errors_on_form(form, error, aliases={"occurred_at": "day", "person": "membership"})
        else:
            messages.success(
                request,
                _("Manual entry added for %(name)s on %(day)s. It counts when the week is scored.")
                % {"name": data["membership"].person.name, "day": f"{data['day']:%d %b %Y}"},
            )
            return redirect("doocracy_board", slug=slug)

    weeks = scored_weeks(challenge, today=today)[-challenge.duration_weeks :]
    scores: dict[int, dict[str, WeeklyScore]] = {}
    for score in WeeklyScore.objects.filter(membership__challenge=challenge, week__in=weeks):
        scores.setdefault(score.membership_id, {})[score.week] = score
    for membership in memberships:
        membership.week_cells = week_cells(challenge, scores.get(membership.pk, {}), weeks)
    warnings = list(
        InactivityWarning.objects.filter(membership__challenge=challenge, status__in=ATTENTION)
        .select_related("membership__person")
        .order_by("removal_due_on", "membership__person__display_name")
    )
    return render(
        request,
        "activity/doocracy_board.html",
        {
            "challenge": challenge,
            "weeks": week_cells(challenge, {}, weeks),
            "memberships": memberships,
            "warned": [w for w in warnings if w.status == WarningStatus.OPEN],
            "proposed": [w for w in warnings if w.status == WarningStatus.REMOVAL_PROPOSED],
            "excuses": Excuse.objects.filter(membership__challenge=challenge, status=ExcuseStatus.PENDING)
            .select_related("membership__person")
            .order_by("first_week", "created_at"),
            "sources": ActivitySource.objects.filter(challenge=challenge).order_by("kind", "identifier"),
            "form": form,
        },
    )


def _warning_of(slug: str, pk: int) -> InactivityWarning:
    return get_object_or_404(
        InactivityWarning.objects.select_related("membership__person", "membership__challenge"),
        pk=pk,
        membership__challenge__slug=slug,
    )


@staff_only
@require_POST
def removal_confirm_view(request, slug, pk):
    warning = _warning_of(slug, pk)
    try:
        doocracy.removal_confirm(warning=warning, by=request.user)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(name)s is removed. Slack and GitHub access is being revoked; they must apply again to join.")
            % {"name": warning.membership.person.name},
        )
    return redirect("doocracy_board", slug=slug)


@staff_only
@require_POST
def removal_cancel_view(request, slug, pk):
    warning = _warning_of(slug, pk)
    try:
        doocracy.removal_cancel(warning=warning, by=request.user, note=request.POST.get("note", "")[:300])
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The removal of %(name)s is cancelled; they stay in the challenge.")
            % {"name": warning.membership.person.name},
        )
    return redirect("doocracy_board", slug=slug)


@staff_only
@require_POST
def excuse_decide_view(request, slug, pk):
    excuse = get_object_or_404(
        Excuse.objects.select_related("membership__person"), pk=pk, membership__challenge__slug=slug
    )
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose approve or decline."))
        return redirect("doocracy_board", slug=slug)
    try:
        doocracy.excuse_decide(excuse=excuse, by=request.user, approve=decision == "approve")
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        text = _("Leave of %(name)s approved.") if decision == "approve" else _("Leave of %(name)s declined.")
        messages.success(request, text % {"name": excuse.membership.person.name})
    return redirect("doocracy_board", slug=slug)


@staff_only
@require_POST
def sync_now(request, slug):
    """Queue a sync of every source of the challenge; the table shows each source's progress."""
    challenge = get_object_or_404(Challenge, slug=slug)
    ingestion.challenge_sources_ensure(challenge=challenge)
    sync_challenge.delay(challenge.pk)
    messages.success(request, _("Sync started: each source's status below shows its progress."))
    return redirect("doocracy_board", slug=slug)
