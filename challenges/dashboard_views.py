"""The client progress dashboard of a challenge, its print view and its Markdown and CSV exports.

Staff and users of the challenge's own organisation see it; everybody else gets 404, so that
a client cannot even learn which other organisations' challenges exist.
"""

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from omdena import permissions
from omdena.exports import attachment, csv_cell

from .charts import BarChart, bar_chart
from .dashboard_selectors import ClientProgress, client_progress, with_activity_synced
from .models import Challenge

CSV_HEADER = (
    "Task",
    "Week",
    "Leaders",
    "Summary",
    "Progress",
    "Insights",
    "Blockers",
    "Next steps",
    "Submitted at (UTC)",
)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
def _challenge_for_client(request, slug: str) -> Challenge:
    challenge = get_object_or_404(with_activity_synced(Challenge.objects.select_related("organisation")), slug=slug)
    if not permissions.can_view_client_dashboard(request.user, challenge):
        raise Http404
    return challenge


def activity_charts(progress: ClientProgress) -> list[BarChart]:
    """One bar chart per weekly series; the GitHub and Slack ones are marked as not measured until a sync ran."""
    measured = progress.activity_measured
    labels = [str(row.week) for row in progress.activity]
    week_label = _("Week {}")
    series = [
        ("pull-requests", _("Pull requests"), [row.pull_requests for row in progress.activity], measured),
        ("messages", _("Slack messages"), [row.messages for row in progress.activity], measured),
        (
            "active-collaborators",
            _("Active collaborators"),
            [row.active_collaborators for row in progress.activity],
            measured,
        ),
        ("attendance", _("Meeting attendance"), [row.attendance for row in progress.activity], True),
    ]
    return [
        bar_chart(key=key, title=title, labels=labels, values=values, describe_label=week_label, measured=is_measured)
        for key, title, values, is_measured in series
    ]


@login_required
@require_GET
def progress_dashboard(request, slug):
    challenge = _challenge_for_client(request, slug)
    progress = client_progress(challenge=challenge)
    return render(
        request,
        "challenges/dashboard/progress.html",
        {
            "challenge": challenge,
            "progress": progress,
            "charts": activity_charts(progress),
            "print_view": request.GET.get("print") == "1",
        },
    )


@login_required
@require_GET
def progress_export_markdown(request, slug):
    challenge = _challenge_for_client(request, slug)
    progress = client_progress(challenge=challenge)
    content = render_to_string(
        "challenges/dashboard/export.md",
        {
            "challenge": challenge,
            "progress": progress,
            "exported_at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return attachment(content, content_type="text/markdown; charset=utf-8", filename=f"{challenge.slug}-progress.md")


@login_required
@require_GET
def progress_export_csv(request, slug):
    challenge = _challenge_for_client(request, slug)
    progress = client_progress(challenge=challenge)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for task in progress.tasks:
        leaders = "; ".join(task.leader_names)
        for report in task.reports:
            submitted = report.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            writer.writerow(
                [
                    csv_cell(task.task.title),
                    report.week,
                    csv_cell(leaders),
                    csv_cell(report.summary),
                    csv_cell(report.progress),
                    csv_cell(report.insights),
                    csv_cell(report.blockers),
                    csv_cell(report.next_steps),
                    submitted,
                ]
            )
    return attachment(
        buffer.getvalue(), content_type="text/csv; charset=utf-8", filename=f"{challenge.slug}-progress.csv"
    )
