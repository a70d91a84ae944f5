"""The interview panels as template tags, so the review and application pages each need one include."""

from django import template

from ..enums import InterviewStatus
from ..interview_views import applicant_panel, staff_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_interview_panel(context, application):
    """`interview_forms` in the page's context holds a form with errors, posted back to the panel."""
    return staff_panel(request=context["request"], application=application, bound=context.get("interview_forms"))


@register.simple_tag(takes_context=True)
def applicant_interview_panel(context, application):
    return applicant_panel(application=application, bound=context.get("interview_forms"))


# The stylesheet's badge colours, reused: open interviews share the "interview scheduled" colour.
BADGES = {
    InterviewStatus.OFFERED: "badge-interview_scheduled",
    InterviewStatus.SCHEDULED: "badge-interview_scheduled",
    InterviewStatus.RESCHEDULE_REQUESTED: "badge-waitlisted",
    InterviewStatus.COMPLETED: "badge-interviewed",
    InterviewStatus.NO_SHOW: "badge-rejected",
    InterviewStatus.CANCELLED: "badge-withdrawn",
}


@register.filter
def interview_badge(status: str) -> str:
    return BADGES.get(status, "")
