"""How onboarding steps read: plain words for the person, a badge colour per status for everyone."""

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import OnboardingDirection, OnboardingKind, OnboardingStatus, OnboardingStep

register = template.Library()

Kind, Status = OnboardingKind, OnboardingStatus

# Existing badge colours of the site's stylesheet: green done, yellow someone must act, red failed, grey neutral.
BADGE_CLASSES = {
    Status.DONE: "badge-membership-active",
    Status.INVITATION_PENDING: "badge-waitlisted",
    Status.WAITING_FOR_PERSON: "badge-membership-warned",
    Status.RATE_LIMITED: "badge-submitted",
    Status.PENDING: "badge-draft",
    Status.FAILED: "badge-rejected",
    Status.CANCELLED: "badge-withdrawn",
}
IN_PROGRESS = (Status.PENDING, Status.RATE_LIMITED)
# The badge as the person reads it: whose move it is, rather than our internal state.
PERSON_LABELS = {
    Status.DONE: gettext_lazy("Done"),
    Status.INVITATION_PENDING: gettext_lazy("Your turn"),
    Status.WAITING_FOR_PERSON: gettext_lazy("Your turn"),
    Status.PENDING: gettext_lazy("In progress"),
    Status.RATE_LIMITED: gettext_lazy("In progress"),
    Status.FAILED: gettext_lazy("Problem"),
}
# A GitHub step due this far ahead was deferred by the daily invitation limit, not merely queued.
QUEUED_FOR_LATER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class StepLine:
    """One line of the person's onboarding status: what, how it stands, and the link to act on when there is one."""

    subject: str
    text: str
    status: str
    link_url: str = ""
    link_text: str = ""

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES.get(self.status, "badge-draft")

    @property
    def badge_label(self) -> str:
        return str(PERSON_LABELS.get(self.status, ""))


@register.filter
def onboarding_badge(status: str) -> str:
    return BADGE_CLASSES.get(status, "badge-draft")


@register.simple_tag
def onboarding_line(step: OnboardingStep, membership) -> StepLine | None:
    """The step in the person's words; None for steps they need not see (the invite email, cancelled grants)."""
    if step.status == Status.CANCELLED or step.kind == Kind.SLACK_WORKSPACE_INVITE:
        return None
    if step.direction == OnboardingDirection.REVOKE:
        return _revoke_line(step)
    if step.kind == Kind.SLACK_CHANNEL:
        return _slack_channel_line(step, membership)
    if step.kind == Kind.SLACK_WELCOME_DM:
        return _welcome_line(step)
    return _github_line(step)


def _slack_subject(step: OnboardingStep) -> str:
    return _("Slack channel %(channel)s") % {"channel": step.target}


def _slack_channel_url(channel_id: str) -> str:
    return f"https://slack.com/app_redirect?channel={channel_id}"


def _slack_channel_line(step: OnboardingStep, membership) -> StepLine:
    subject = _slack_subject(step)
    if step.status == Status.DONE:
        return StepLine(subject, _("you are in"), step.status, _slack_channel_url(step.target), _("open in Slack"))
    if step.status == Status.WAITING_FOR_PERSON:
        invite_url = membership.challenge.slack_invite_url
        text = _("join the Slack workspace first, with %(email)s; we add you to the channel after that") % {
            "email": membership.person.email
        }
        if invite_url:
            return StepLine(_("Slack"), text, step.status, invite_url, _("join the workspace"))
        return StepLine(_("Slack"), text + " " + _("(our staff will send you the link)"), step.status)
    if step.status in IN_PROGRESS:
        return StepLine(subject, _("adding you…"), step.status)
    return StepLine(subject, _("we could not add you yet; our staff are on it"), step.status)


def _welcome_line(step: OnboardingStep) -> StepLine:
    subject = _("Slack welcome message")
    texts = {
        Status.DONE: _("sent to you in Slack"),
        Status.WAITING_FOR_PERSON: _("follows once you are in the workspace"),
        Status.FAILED: _("could not be sent"),
    }
    return StepLine(subject, texts.get(step.status, _("on its way")), step.status)


def _github_line(step: OnboardingStep) -> StepLine:
    is_team = step.kind == Kind.GITHUB_TEAM
    organisation = step.target.split("/", 1)[0]
    subject = (_("GitHub team %(team)s") if is_team else _("GitHub %(repository)s")) % {
        "team": step.target,
        "repository": step.target,
    }
    if step.status == Status.DONE:
        url = f"https://github.com/orgs/{organisation}/teams/{step.target.split('/', 1)[-1]}" if is_team else ""
        return StepLine(
            subject, _("you have access"), step.status, url or f"https://github.com/{step.target}", _("open on GitHub")
        )
    if step.status == Status.INVITATION_PENDING:
        if is_team:
            url, text = f"https://github.com/orgs/{organisation}/invitation", _("invitation sent — accept it on GitHub")
        else:
            url, text = f"https://github.com/{step.target}/invitations", _("invitation sent — accept it on GitHub")
        return StepLine(subject, text, step.status, url, _("accept the invitation"))
    if step.status == Status.WAITING_FOR_PERSON:
        return StepLine(
            subject,
            _("add your GitHub username to your profile"),
            step.status,
            reverse("profile_edit"),
            _("edit your profile"),
        )
    if step.status in IN_PROGRESS:
        later = step.next_attempt_at and step.next_attempt_at > timezone.now() + QUEUED_FOR_LATER
        text = _("invitation queued: GitHub limits invitations per day") if later else _("inviting you…")
        return StepLine(subject, text, step.status)
    return StepLine(
        subject,
        _("we could not invite you; check the GitHub username on your profile"),
        step.status,
        reverse("profile_edit"),
        _("edit your profile"),
    )


def _revoke_line(step: OnboardingStep) -> StepLine:
    subject = (
        _slack_subject(step) if step.kind == Kind.SLACK_CHANNEL else _("GitHub %(target)s") % {"target": step.target}
    )
    text = _("access removed") if step.status == Status.DONE else _("removing access")
    return StepLine(subject, text, step.status)
