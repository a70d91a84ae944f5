"""Staff review pages: the filtered queue, bulk review, CSV export, and one application's review page.

Every view is staff only (`permissions.can_review_applications`); every write goes through a service.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from statistics import fmean

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_countries import countries

from audit.selectors import history_for
from challenges.models import Challenge
from omdena import permissions
from omdena.decorators import requires
from omdena.errors import TransitionNotAllowed
from omdena.exports import csv_cell

from .enums import (
    OPEN_APPLICATION_STATES,
    QUEUED_STATES,
    TRANSFERABLE_STATES,
    ApplicationStatus,
    ExperienceLevel,
    MembershipStatus,
)
from .filters import SORT_CHOICES, ApplicationFilter
from .forms_staff import (
    BULK_LIMIT,
    REVIEW_ACTION_LABELS,
    BulkReviewForm,
    ReviewActionForm,
    ReviewScoreForm,
    TransferForm,
)
from .models import Application, Membership
from .selectors import (
    QUEUE_ORDER,
    cohort_mix,
    next_in_queue,
    person_history,
    queue_for_staff,
    queue_position,
    queue_positions,
)
from .services.applications import (
    REVIEW_ACTION_TARGETS,
    REVIEW_ACTIONS,
    allowed_review_actions,
    application_transfer,
    applications_bulk_review,
    review_score_set,
)

PAGE_SIZE = 50
SORTS = dict(SORT_CHOICES)
# Short option labels for the filter bar; the queue order is explained next to the select.
SORT_LABELS = {
    "queue": gettext_lazy("Queue order"),
    "newest": gettext_lazy("Newest first"),
    "oldest": gettext_lazy("Oldest first"),
}
DEFAULT_SORT = "queue"
# Reviewers disagree when their scores are this far apart (on the 1-5 scale): worth a discussion.
DISAGREEMENT_SPREAD = 2
# Level shares inside this band count as "about a third" in the cohort mix.
MIX_TARGET_LOW, MIX_TARGET_HIGH = 25, 42

AUDIT_VERBS = {
    "application.submit": gettext_lazy("Submitted"),
    "application.shortlist": gettext_lazy("Shortlisted"),
    "application.waitlist": gettext_lazy("Waitlisted"),
    "application.reject": gettext_lazy("Rejected"),
    "application.accept": gettext_lazy("Accepted"),
    "application.withdraw": gettext_lazy("Withdrawn"),
    "application.decline": gettext_lazy("Declined the seat"),
    "application.interview_scheduled": gettext_lazy("Interview scheduled"),
    "application.interviewed": gettext_lazy("Interviewed"),
    "application.interview_cancelled": gettext_lazy("Interview cancelled"),
    "application.transfer": gettext_lazy("Moved to another challenge"),
    "application.score": gettext_lazy("Scored"),
}


# Anonymous visitors go to the sign-in page; signed-in people who are not reviewers get a 403.
staff_only = requires(permissions.can_review_applications)


# --- The queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChip:
    label: str
    remove_url: str


def _sort(params: QueryDict) -> str:
    sort = params.get("sort", DEFAULT_SORT)
    return sort if sort in SORTS else DEFAULT_SORT


def _queue_filter(params: QueryDict, queryset: QuerySet[Application]) -> ApplicationFilter:
    """The shared ApplicationFilter, with widgets that read well on a page (the API uses it as it is)."""
    application_filter = ApplicationFilter(params or None, queryset=queryset)
    fields = application_filter.form.fields
    fields["status"].widget = forms.CheckboxSelectMultiple(choices=fields["status"].choices)
    fields["referral"].widget = forms.Select(
        choices=[("", _("With or without")), ("true", _("Referral only")), ("false", _("Without referral"))]
    )
    fields["q"].label = _("Search")
    fields["q"].widget = forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email, GitHub, skills")})
    return application_filter


def _cleaned_filters(application_filter: ApplicationFilter) -> dict:
    form = application_filter.form
    if not application_filter.is_bound:
        return {}
    form.is_valid()  # invalid values are dropped (and shown on the field); the valid ones still apply
    return getattr(form, "cleaned_data", {})


def _without(params: QueryDict, key: str, value: str | None = None) -> str:
    """The query string with one filter value (or the whole key) removed, back on the first page."""
    remaining = params.copy()
    for volatile in ("page", "select"):
        remaining.pop(volatile, None)
    if value is None:
        remaining.pop(key, None)
    else:
        remaining.setlist(key, [v for v in remaining.getlist(key) if v != value])
    return "?" + remaining.urlencode() if remaining else "?"


def _filter_chips(params: QueryDict, cleaned: dict) -> list[FilterChip]:
    """The active filters as removable chips, labelled with what they mean rather than their URL value."""
    chips = []
    search = (cleaned.get("q") or "").strip()
    if search:
        chips.append(FilterChip(_("Search: “%(text)s”") % {"text": search}, _without(params, "q")))
    if cleaned.get("challenge"):
        chips.append(FilterChip(cleaned["challenge"].title, _without(params, "challenge")))
    for status in cleaned.get("status") or []:
        chips.append(FilterChip(ApplicationStatus(status).label, _without(params, "status", status)))
    if cleaned.get("country"):
        chips.append(FilterChip(countries.name(cleaned["country"]), _without(params, "country")))
    if cleaned.get("experience_level"):
        chips.append(
            FilterChip(ExperienceLevel(cleaned["experience_level"]).label, _without(params, "experience_level"))
        )
    if cleaned.get("referral") is not None:
        label = _("Referral only") if cleaned["referral"] else _("Without referral")
        chips.append(FilterChip(label, _without(params, "referral")))
    return chips


def _status_summary(statuses: list[str] | None) -> str:
    """What the collapsed status picker says: the chosen states, or that any will do."""
    if not statuses:
        return _("Any status")
    return ", ".join(str(ApplicationStatus(status).label) for status in statuses)


def _queue_url(query: str = "") -> str:
    """The queue page with a query string; the path is fixed, so a posted query cannot redirect elsewhere."""
    params = QueryDict(query)
    return reverse("staff:queue") + ("?" + params.urlencode() if params else "")


def _review_rows(ids: list[int], sort: str) -> list[Application]:
    """The page's applications with positions, scores and flags: annotated only for the rows shown."""
    if not ids:
        return []
    removed_before = Membership.objects.filter(person=OuterRef("person"), status=MembershipStatus.REMOVED)
    rows = list(queue_for_staff(order=sort).filter(pk__in=ids).annotate(removed_before=Exists(removed_before)))
    now = timezone.now()
    for row in rows:
        row.waiting_days = (now - row.submitted_at).days if row.status in OPEN_APPLICATION_STATES else None
        row.scores_disagree = row.score_count > 1 and row.score_max - row.score_min >= DISAGREEMENT_SPREAD
    return rows


@dataclass(frozen=True)
class MixPanel:
    challenge: Challenge
    accepted: int
    shortlisted: int
    capacity: int
    levels: list
    countries: list
    target_percent: int
    level_total: int = 0  # the people the level percentages are of (accepted and shortlisted applications)
    target_low: int = MIX_TARGET_LOW
    target_high: int = MIX_TARGET_HIGH

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.accepted, 0)


def _mix_panel(challenge: Challenge, *, top_countries: int = 8) -> MixPanel:
    mix = cohort_mix(challenge=challenge, top_countries=top_countries)
    return MixPanel(
        challenge=challenge,
        accepted=mix.seats_taken,  # seats held (a removed member's seat is free again)
        shortlisted=mix.total - mix.accepted,
        capacity=mix.capacity,
        levels=mix.levels,
        countries=mix.countries,
        target_percent=mix.target_percent,
        level_total=mix.total,
    )


@staff_only
def queue(request):
    """The review queue: filters in the URL, 50 rows a page, a constant number of queries per page."""
    sort = _sort(request.GET)
    application_filter = _queue_filter(request.GET, Application.objects.all())
    cleaned = _cleaned_filters(application_filter)
    # Count and page over the bare filtered table in the selector's order; only the 50 rows shown get the
    # score aggregates and position subqueries (an aggregate over every match would grow with the queue).
    ordering = queue_for_staff(order=sort).query.order_by
    ids = application_filter.qs.order_by(*ordering).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _review_rows(list(page.object_list), sort)

    challenge = cleaned.get("challenge")
    page_query = request.GET.copy()
    page_query.pop("page", None)
    page_query.pop("select", None)
    here = request.GET.copy()
    here.pop("select", None)
    clear_url = reverse("staff:queue") + (f"?sort={sort}" if sort != DEFAULT_SORT else "")
    return render(
        request,
        "collaborators/staff/queue.html",
        {
            "filter": application_filter,
            "sort": sort,
            "sort_choices": [(value, SORT_LABELS.get(value, label)) for value, label in SORT_CHOICES],
            "page": page,
            "rows": rows,
            "chips": _filter_chips(request.GET, cleaned),
            "clear_url": clear_url,
            "query": page_query.urlencode(),
            "here_query": here.urlencode(),
            "select_all": request.GET.get("select") == "page",
            "bulk_form": BulkReviewForm(initial={"query": here.urlencode()}),
            "bulk_limit": BULK_LIMIT,
            "challenge": challenge,
            "status_summary": _status_summary(cleaned.get("status")),
            "mix": _mix_panel(challenge, top_countries=5) if challenge else None,
            "next_application": next_in_queue(challenge_id=challenge.pk) if challenge else None,
        },
    )


@staff_only
@require_POST
def queue_bulk(request):
    """One review action on the ticked applications; each move is its own transaction, refusals are listed."""
    form = BulkReviewForm(request.POST)
    back = _queue_url(request.POST.get("query", ""))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    if form.cleaned_data["all_matching"]:
        matching = _queue_filter(QueryDict(form.cleaned_data["query"]), Application.objects.all()).qs
        count = matching.count()
        if count != form.cleaned_data["matching_count"]:
            messages.error(
                request,
                _("The applications matching these filters changed (%(count)d now): nothing was moved; look again.")
                % {"count": count},
            )
            return redirect(back)
        if count > BULK_LIMIT:
            messages.error(
                request,
                _("%(count)d applications match: at most %(limit)d at once. Narrow the filters and apply again.")
                % {"count": count, "limit": BULK_LIMIT},
            )
            return redirect(back)
        applications = matching.select_related("person", "challenge").order_by(*QUEUE_ORDER)
    else:
        applications = form.cleaned_data["applications"].order_by(*QUEUE_ORDER)
    result = applications_bulk_review(
        applications=applications, action=action, by=request.user, note=form.cleaned_data["note"]
    )
    status_label = ApplicationStatus(REVIEW_ACTION_TARGETS[action]).label
    if result.done:
        messages.success(
            request,
            ngettext(
                "%(count)d application moved to “%(status)s”; the applicant gets an email.",
                "%(count)d applications moved to “%(status)s”; each applicant gets an email.",
                len(result.done),
            )
            % {"count": len(result.done), "status": status_label},
        )
    if result.refused:
        names = ", ".join(
            _("%(name)s (%(status)s)") % {"name": application.person.name, "status": application.get_status_display()}
            for application, _reason in result.refused
        )
        messages.warning(
            request,
            ngettext(
                "%(count)d could not move to “%(status)s”: %(names)s.",
                "%(count)d could not move to “%(status)s”: %(names)s.",
                len(result.refused),
            )
            % {"count": len(result.refused), "status": status_label, "names": names},
        )
    return redirect(back)


# --- CSV export --------------------------------------------------------------------------------------------

CSV_HEADER = [
    "position",
    "name",
    "email",
    "challenge",
    "status",
    "referral",
    "referral code owner",
    "country",
    "level",
    "weekly hours",
    "submitted at",
    "days waiting",
    "average score",
    "scores count",
]


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(applications: Iterable[Application], positions: dict[int, int]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel read the file as UTF-8 (names in every script).
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    now = timezone.now()
    for application in applications:
        owner = application.referral_code.owner.name if application.referral_code_id else ""
        waiting = (now - application.submitted_at).days if application.status in OPEN_APPLICATION_STATES else ""
        average = f"{application.score_average:.2f}" if application.score_average is not None else ""
        row = [
            positions.get(application.pk, "") if application.status in QUEUED_STATES else "",
            application.person.name,
            application.person.email,
            application.challenge.title,
            application.status,
            "yes" if application.is_referral else "no",
            owner,
            countries.name(application.country) or str(application.country),
            application.experience_level,
            application.weekly_hours,
            application.submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            waiting,
            average,
            application.score_count,
        ]
        yield writer.writerow([csv_cell(value) for value in row])


@staff_only
def queue_export(request):
    """Every application matching the queue's filters (not only one page), streamed as CSV."""
    sort = _sort(request.GET)
    application_filter = _queue_filter(request.GET, queue_for_staff(order=sort, positions=False))
    cleaned = _cleaned_filters(application_filter)
    challenge = cleaned.get("challenge")
    filename = "applications-{}-{}.csv".format(
        challenge.slug if challenge else "all", timezone.now().strftime("%Y%m%d-%H%M")
    )
    response = StreamingHttpResponse(
        _csv_lines(
            application_filter.qs.iterator(chunk_size=1000), queue_positions(applications=application_filter.qs)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- One application ---------------------------------------------------------------------------------------


def _application_for_review(pk: int) -> Application:
    return get_object_or_404(Application.objects.select_related("person", "challenge", "referral_code__owner"), pk=pk)


def _detail_context(request, application: Application, *, score_form: ReviewScoreForm | None = None) -> dict:
    scores = list(application.scores.select_related("reviewer").order_by("created_at"))
    own = next((s for s in scores if s.reviewer_id == request.user.pk), None)
    if score_form is None:
        score_form = ReviewScoreForm(initial={"score": own.score, "note": own.note} if own else None)
    values = [s.score for s in scores]
    audit = list(history_for(subject=application))
    for entry in audit:
        entry.label = AUDIT_VERBS.get(entry.verb, entry.verb)
    position = queue_position(application=application)
    history = person_history(person=application.person, exclude=application)
    return {
        "application": application,
        "person": application.person,
        "position": position,
        "waiting_days": (
            (timezone.now() - application.submitted_at).days if application.status in OPEN_APPLICATION_STATES else None
        ),
        "history": history,
        "removed_ids": {m.pk for m in history.removals},
        "scores": scores,
        "score_average": fmean(values) if values else None,
        "score_spread": (min(values), max(values)) if len(values) > 1 else None,
        "scores_disagree": len(values) > 1 and max(values) - min(values) >= DISAGREEMENT_SPREAD,
        "own_score": own,
        "score_form": score_form,
        "actions": [(name, REVIEW_ACTION_LABELS[name]) for name in allowed_review_actions(application)],
        "transfer_form": (TransferForm(application=application) if application.status in TRANSFERABLE_STATES else None),
        "audit": audit,
        "mix": _mix_panel(application.challenge),
        "next_application": next_in_queue(challenge_id=application.challenge_id, after=application),
        "queue_url": _queue_url(f"challenge={application.challenge.slug}"),
    }


@staff_only
def application_review(request, pk):
    """Everything a reviewer needs about one application, and the forms to score, decide or move it."""
    application = _application_for_review(pk)
    return render(request, "collaborators/staff/application_detail.html", _detail_context(request, application))


@staff_only
@require_POST
def application_review_action(request, pk):
    application = _application_for_review(pk)
    form = ReviewActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered actions."))
        return redirect("staff:application", pk=pk)
    action = form.cleaned_data["action"]
    try:
        moved = REVIEW_ACTIONS[action](application=application, by=request.user, note=form.cleaned_data["note"])
    except TransitionNotAllowed:
        application.refresh_from_db(fields=["status"])
        messages.error(
            request,
            _("%(name)s is “%(status)s” now, so this move is not possible.")
            % {"name": application.person.name, "status": application.get_status_display()},
        )
    else:
        messages.success(
            request,
            _("%(name)s is now “%(status)s”; they get an email.")
            % {"name": moved.person.name, "status": moved.get_status_display()},
        )
    return redirect("staff:application", pk=pk)


@staff_only
@require_POST
def application_score(request, pk):
    application = _application_for_review(pk)
    form = ReviewScoreForm(request.POST)
    if form.is_valid():
        try:
            review_score_set(
                application=application,
                reviewer=request.user,
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your score is saved: %(score)d/5.") % {"score": form.cleaned_data["score"]})
            return redirect("staff:application", pk=pk)
    return render(
        request,
        "collaborators/staff/application_detail.html",
        _detail_context(request, application, score_form=form),
    )


@staff_only
@require_POST
def application_move(request, pk):
    """Move a waiting application to another open challenge; it keeps its submission time and its place."""
    application = _application_for_review(pk)
    form = TransferForm(request.POST, application=application)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("staff:application", pk=pk)
    target = form.cleaned_data["to_challenge"]
    try:
        application_transfer(
            application=application, to_challenge=target, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Moved to “%(title)s”. It keeps its place: submitted %(date)s.")
            % {"title": target.title, "date": timezone.localtime(application.submitted_at).strftime("%d %b %Y")},
        )
    return redirect("staff:application", pk=pk)
