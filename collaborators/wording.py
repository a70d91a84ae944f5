"""How a waiting application's place reads to the applicant: an estimate, never a promise."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import ApplicationStatus
from .selectors import WaitEstimate


def waiting_summary(*, application, estimate: WaitEstimate) -> dict[str, str]:
    """The headline ("#3 in the queue") and the estimate sentence for one waiting application."""
    position = application.queue_position
    if application.status == ApplicationStatus.WAITLISTED:
        return {
            "headline": _("#%(position)d on the waitlist") % {"position": position},
            "estimate": _("You get a seat if one frees up before the challenge starts or in its first two weeks."),
        }
    headline = _("#%(position)d in the queue") % {"position": position}
    if not estimate.known:
        sentence = _("No estimate yet: no application to this challenge was reviewed in the last four weeks.")
    else:
        weeks = ngettext(
            "about %(weeks)d week at the current pace",
            "about %(weeks)d weeks at the current pace",
            estimate.weeks,
        ) % {"weeks": estimate.weeks}
        sentence = _("%(weeks)s (%(pace)s reviews a week over the last four weeks). An estimate, not a promise.") % {
            "weeks": weeks.capitalize(),
            "pace": f"{estimate.pace_per_week:g}",
        }
    return {"headline": headline, "estimate": sentence}
