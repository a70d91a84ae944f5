from django.db import models
from django.utils.translation import gettext_lazy as _


class ExperienceLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    EXPERIENCED = "experienced", _("Experienced")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("In the queue")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
    INTERVIEWED = "interviewed", _("Interviewed")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an application still waits for a decision; the applicant may withdraw from any.
OPEN_APPLICATION_STATES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW_SCHEDULED,
        ApplicationStatus.INTERVIEWED,
        ApplicationStatus.WAITLISTED,
    }
)
# States whose applications have a place in a queue ("#N in the queue" / "#N on the waitlist").
QUEUED_STATES = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED})
# Waiting applications that staff may move to another open challenge, keeping their place.
TRANSFERABLE_STATES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.WAITLISTED}
)

S = ApplicationStatus
# submitted -> shortlisted -> interview_scheduled -> interviewed -> accepted | waitlisted | rejected;
# withdrawn from any open state; waitlisted -> accepted when a seat frees. Staff may decide early
# (waitlist or reject from the queue, accept a shortlisted person without an interview, e.g. a returning
# collaborator) because interviews are optional until the interviews issue lands.
APPLICATION_MOVES: dict[str, set[str]] = {
    S.SUBMITTED: {S.SHORTLISTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.INTERVIEW_SCHEDULED, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    # interviews: -> shortlisted when the interview is cancelled, -> rejected after a no-show
    S.INTERVIEW_SCHEDULED: {S.INTERVIEWED, S.SHORTLISTED, S.REJECTED, S.WITHDRAWN},
    S.INTERVIEWED: {S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.WAITLISTED: {S.ACCEPTED, S.REJECTED, S.WITHDRAWN},
    S.ACCEPTED: {S.WITHDRAWN},  # the applicant declines the seat they were given
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
del S


class QueuePriority(models.IntegerChoices):
    """Referral applications are seen first; within a priority, the oldest first."""

    REFERRAL = 0, _("Referral")
    STANDARD = 1, _("Standard")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WARNED = "warned", _("Warned")
    REMOVED = "removed", _("Removed")
    COMPLETED = "completed", _("Completed")


# A seat in use: its holder works in the challenge now (has access, is scored, may lead a task team).
ACTIVE_SEAT_STATES = (MembershipStatus.ACTIVE, MembershipStatus.WARNED)
# Seats counted against the capacity: a completed seat was one; a removed member's seat is free again.
SEAT_HOLDING_STATES = (MembershipStatus.ACTIVE, MembershipStatus.WARNED, MembershipStatus.COMPLETED)


class MembershipRole(models.TextChoices):
    COLLABORATOR = "collaborator", _("Collaborator")
    TASK_LEADER = "task_leader", _("Task leader")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    MENTOR = "mentor", _("Mentor")


class RemovalReason(models.TextChoices):
    INACTIVITY = "inactivity", _("Inactive without a reason")
    CONDUCT = "conduct", _("Code of conduct")
    LEFT = "left", _("Left on their own")


# --- Interviews (see services/interviews.py) ------------------------------------------------------------


class InterviewStatus(models.TextChoices):
    OFFERED = "offered", _("Times offered")
    SCHEDULED = "scheduled", _("Scheduled")
    RESCHEDULE_REQUESTED = "reschedule_requested", _("Another time requested")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# An application has at most one open interview (a database constraint on these states).
OPEN_INTERVIEW_STATES = frozenset(
    {InterviewStatus.OFFERED, InterviewStatus.SCHEDULED, InterviewStatus.RESCHEDULE_REQUESTED}
)

IS = InterviewStatus
# offered -> scheduled (the applicant picks a slot) or reschedule_requested ("none of these work");
# staff answer a request with new slots or a time; a scheduled interview ends completed (scorecard) or
# no_show; any open interview may be cancelled. A new time for a scheduled one keeps it scheduled.
INTERVIEW_MOVES: dict[str, set[str]] = {
    IS.OFFERED: {IS.OFFERED, IS.SCHEDULED, IS.RESCHEDULE_REQUESTED, IS.CANCELLED},
    IS.RESCHEDULE_REQUESTED: {IS.OFFERED, IS.SCHEDULED, IS.RESCHEDULE_REQUESTED, IS.CANCELLED},
    IS.SCHEDULED: {IS.SCHEDULED, IS.RESCHEDULE_REQUESTED, IS.COMPLETED, IS.NO_SHOW, IS.CANCELLED},
    IS.COMPLETED: set(),
    IS.NO_SHOW: set(),
    IS.CANCELLED: set(),
}
del IS


class Recommendation(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    WAITLIST = "waitlist", _("Waitlist")
    REJECT = "reject", _("Reject")


class Tier(models.TextChoices):
    """The community ladder, lowest first; the order is the rank (see collaborators/tiers.py)."""

    COLLABORATOR = "collaborator", _("Collaborator")
    JUNIOR_ML_ENGINEER = "junior_ml_engineer", _("Junior ML engineer")
    ML_ENGINEER = "ml_engineer", _("ML engineer")
    LEAD_ML_ENGINEER = "lead_ml_engineer", _("Lead ML engineer")
    TASK_LEADER = "task_leader", _("Task leader")
    MENTOR = "mentor", _("Mentor")
    TOP_TALENT = "top_talent", _("Top talent")


# A certificate names the role of the seat (a collaborator who led a task team is printed as task leader):
# the same choices, one enum, so the API schema has one name for them.
CertificateRole = MembershipRole
