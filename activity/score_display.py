"""Weekly scores as people read them: the breakdown in words and one cell per member and week.

Shared by the activity pages, the task page's members table and the API; no queries here.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import Challenge
from omdena.weeks import iso_week_label, iso_week_start, iso_weeks_between

from .models import EventKind, WeeklyScore

# One noun per kind of event, in the order the breakdown is read out ("2 PRs, 7 messages, 1 meeting").
KIND_WORDS = {
    EventKind.PR_OPENED: ("%(count)d PR", "%(count)d PRs"),
    EventKind.PR_MERGED: ("%(count)d merged", "%(count)d merged"),
    EventKind.REVIEW: ("%(count)d review", "%(count)d reviews"),
    EventKind.MESSAGE: ("%(count)d message", "%(count)d messages"),
    EventKind.REPLY: ("%(count)d thread reply", "%(count)d thread replies"),
    EventKind.MEETING: ("%(count)d meeting", "%(count)d meetings"),
    EventKind.MANUAL: ("%(count)d manual entry", "%(count)d manual entries"),
}


def breakdown_sentence(score: WeeklyScore) -> str:
    """'2 PRs, 7 messages, 1 meeting = 33 points; 10 needed': a stored score explained in words."""
    parts = []
    for kind, (singular, plural) in KIND_WORDS.items():
        count = (score.breakdown.get(kind) or {}).get("count", 0)
        if count:
            parts.append(ngettext(singular, plural, count) % {"count": count})
    points = ngettext("%(points)d point", "%(points)d points", score.points) % {"points": score.points}
    return _("%(events)s = %(points)s; %(threshold)d needed") % {
        "events": ", ".join(parts) or _("No activity"),
        "points": points,
        "threshold": score.threshold,
    }


def scored_weeks(challenge: Challenge, *, today: dt.date) -> list[str]:
    """The challenge's finished ISO weeks, oldest first (the week in progress is scored after it ends)."""
    if challenge.start_date is None:
        return []
    last_day = min(today - dt.timedelta(days=today.isoweekday()), challenge.end_date)
    return iso_weeks_between(iso_week_label(challenge.start_date), iso_week_label(last_day))


@dataclass(frozen=True)
class WeekCell:
    """One member's week as shown in tables: points with a word for it, never colour alone."""

    week: str
    score: WeeklyScore | None
    first_week: bool

    @property
    def state(self) -> str:
        if self.score is not None and self.score.excused:
            return "excused"
        if self.first_week:
            return "first-week"
        if self.score is None:
            return "unscored"
        return "active" if self.score.active else "inactive"

    @property
    def state_text(self) -> str:
        return {
            "excused": _("excused"),
            "first-week": _("not scored (first week)"),
            "unscored": _("not scored yet"),
            "active": _("active"),
            "inactive": _("below the threshold"),
        }[self.state]

    @property
    def sentence(self) -> str:
        return breakdown_sentence(self.score) if self.score is not None else ""

    @property
    def monday(self) -> dt.date:
        return iso_week_start(self.week)


def first_week_of(challenge: Challenge) -> str | None:
    """The ISO week the challenge starts in: it is not scored."""
    return iso_week_label(challenge.start_date) if challenge.start_date else None


def week_cells(challenge: Challenge, scores: dict[str, WeeklyScore], weeks: list[str]) -> list[WeekCell]:
    """One cell per week, in the order of `weeks`, with the score where there is one."""
    first = first_week_of(challenge)
    return [WeekCell(week=week, score=scores.get(week), first_week=week == first) for week in weeks]
