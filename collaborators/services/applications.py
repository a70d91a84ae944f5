"""Every write to an application: submit, review moves, withdraw, transfer, scores."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, transition
from challenges.models import Challenge
from omdena.errors import TransitionNotAllowed
from referrals.services import ReferralCodeError, referral_code_check, referral_code_use

from ..enums import (
    ACTIVE_SEAT_STATES,
    APPLICATION_MOVES,
    TRANSFERABLE_STATES,
    ApplicationStatus,
    MembershipStatus,
    QueuePriority,
    RemovalReason,
)
from ..models import Application, Membership, ReviewScore, User
from ..notifications import notify_application
from .memberships import lock_seat

APPLICATION_FIELDS = (
    "motivation",
    "relevant_experience",
    "skills",
    "experience_level",
    "country",
    "time_zone",
    "weekly_hours",
    "commits_to_hours",
    "github_username",
)
DECISIONS = frozenset({ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED})


def application_submit(
    *, person: User, challenge: Challenge, data: Mapping[str, Any], referral_code: str = ""
) -> Application:
    """Apply to an open challenge; a valid referral code puts the application in the first group.

    Raises ValidationError (with the field it belongs to) when the challenge is closed, the person
    already applied, or the referral code cannot be used.
    """
    if not challenge.accepts_applications:
        raise ValidationError({"challenge": _("This challenge is not accepting applications any more.")})
    if not data.get("commits_to_hours"):
        raise ValidationError({"commits_to_hours": _("Challenges need at least 15 hours a week for 8 weeks.")})
    with transaction.atomic():
        code = None
        if referral_code and referral_code.strip():
            try:
                code = referral_code_check(raw_code=referral_code, applicant=person)
                referral_code_use(code=code)
            except ReferralCodeError as error:
                raise ValidationError({"referral_code": error.messages}) from error
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    person=person,
                    challenge=challenge,
                    referral_code=code,
                    priority=QueuePriority.REFERRAL if code else QueuePriority.STANDARD,
                    **{name: data[name] for name in APPLICATION_FIELDS if name in data},
                )
        except IntegrityError as error:
            raise ValidationError({"challenge": _("You have already applied to this challenge.")}) from error
        note = f"referral code {code.code}" if code else ""
        audit_record(
            actor=person, verb="application.submit", subject=application, to_state=application.status, note=note
        )
        notify_application(application=application, kind="submitted")
    return application


def _move(*, application: Application, to_state: str, by, note: str, verb: str) -> Application:
    now = timezone.now()

    def stamps(locked: Application) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if locked.reviewed_at is None and locked.status == ApplicationStatus.SUBMITTED:
            changes["reviewed_at"] = now  # the queue moved: counts towards the review pace
        if to_state in DECISIONS:
            changes["decided_at"] = now
        return changes

    with transaction.atomic():
        moved = transition(
            instance=application,
            to_state=to_state,
            allowed=APPLICATION_MOVES,
            by=by,
            verb=verb,
            note=note,
            changes=stamps,
        )
        if to_state == ApplicationStatus.ACCEPTED:
            from activity.onboarding import onboarding_schedule

            membership, created = Membership.objects.get_or_create(
                person_id=moved.person_id,
                challenge_id=moved.challenge_id,
                defaults={"application": moved, "status": MembershipStatus.ACTIVE},
            )
            if created:
                # Slack and GitHub access are granted by tasks after the commit, never inside it.
                onboarding_schedule(membership=membership)
        if to_state in (
            ApplicationStatus.ACCEPTED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        ):
            # A decision ends any interview still open: it is cancelled and the calendar invite withdrawn.
            from .interviews import interview_cancel_open

            interview_cancel_open(application=moved, by=by, reason=note)
        notify_application(application=moved, kind=to_state)
    return moved


def application_shortlist(*, application: Application, by, note: str = "") -> Application:
    """Take the application out of the queue for an interview."""
    return _move(
        application=application, to_state=ApplicationStatus.SHORTLISTED, by=by, note=note, verb="application.shortlist"
    )


def application_waitlist(*, application: Application, by, note: str = "") -> Application:
    """Keep the applicant for a seat that may free up."""
    return _move(
        application=application, to_state=ApplicationStatus.WAITLISTED, by=by, note=note, verb="application.waitlist"
    )


def application_reject(*, application: Application, by, note: str = "") -> Application:
    return _move(
        application=application, to_state=ApplicationStatus.REJECTED, by=by, note=note, verb="application.reject"
    )


def application_accept(*, application: Application, by, note: str = "") -> Application:
    """Give the applicant a seat: the application is accepted and a membership created, together.

    Raises NoSeatLeft when the challenge is full; the challenge row stays locked until the commit, so
    two staff accepting the last seat at the same moment give it once.
    """
    with transaction.atomic():
        lock_seat(challenge_id=application.challenge_id)
        return _move(
            application=application, to_state=ApplicationStatus.ACCEPTED, by=by, note=note, verb="application.accept"
        )


def application_withdraw(
    *, application: Application, by, note: str = "", verb: str = "application.withdraw"
) -> Application:
    """The applicant leaves, from any open state; from an accepted one this declines the seat, which then
    may go to the next person on the waitlist."""
    from .memberships import membership_remove

    with transaction.atomic():
        withdrawn = _move(application=application, to_state=ApplicationStatus.WITHDRAWN, by=by, note=note, verb=verb)
        membership = Membership.objects.filter(application=withdrawn).first()
        if membership is not None and membership.status in ACTIVE_SEAT_STATES:
            membership_remove(membership=membership, by=by, reason=RemovalReason.LEFT, note=note or "declined the seat")
    return withdrawn


def application_decline(*, application: Application, by, note: str = "") -> Application:
    """The applicant gives back an accepted seat."""
    return application_withdraw(application=application, by=by, note=note, verb="application.decline")


# The staff review actions by name, for pages, bulk actions, the API and the admin alike.
REVIEW_ACTIONS = {
    "shortlist": application_shortlist,
    "waitlist": application_waitlist,
    "reject": application_reject,
    "accept": application_accept,
}
REVIEW_ACTION_TARGETS = {
    "shortlist": ApplicationStatus.SHORTLISTED,
    "waitlist": ApplicationStatus.WAITLISTED,
    "reject": ApplicationStatus.REJECTED,
    "accept": ApplicationStatus.ACCEPTED,
}


def allowed_review_actions(application: Application) -> list[str]:
    """The review buttons for an application; going back to "shortlisted" from a scheduled interview is the
    interview's own cancel action, which also withdraws the calendar invite."""
    moves = APPLICATION_MOVES[application.status]
    names = [name for name, target in REVIEW_ACTION_TARGETS.items() if target in moves]
    if application.status == ApplicationStatus.INTERVIEW_SCHEDULED:
        names.remove("shortlist")
    return names


@dataclass
class BulkResult:
    done: list[Application] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def applications_bulk_review(*, applications, action: str, by, note: str = "") -> BulkResult:
    """Apply one review action to many applications; each move is its own transaction, refusals are reported."""
    service = REVIEW_ACTIONS[action]
    result = BulkResult()
    for application in applications:
        try:
            result.done.append(service(application=application, by=by, note=note))
        except TransitionNotAllowed as error:
            result.refused.append((application, str(error)))
        except ValidationError as error:  # e.g. no seat left: refused, reported, the rest go on
            result.refused.append((application, " ".join(error.messages)))
    return result


def application_transfer(*, application: Application, to_challenge: Challenge, by, note: str = "") -> Application:
    """Move a waiting application to another open challenge; it keeps its submission time and so its place."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("challenge").get(pk=application.pk)
        if locked.status not in TRANSFERABLE_STATES:
            raise ValidationError({"status": _("Only a waiting application can move to another challenge.")})
        if to_challenge.pk == locked.challenge_id:
            raise ValidationError({"challenge": _("The application is already in this challenge.")})
        if not to_challenge.accepts_applications:
            raise ValidationError({"challenge": _("The target challenge is not open for applications.")})
        if Application.objects.filter(person_id=locked.person_id, challenge=to_challenge).exists():
            raise ValidationError({"challenge": _("This person has already applied to the target challenge.")})
        from_challenge = locked.challenge
        locked.challenge = to_challenge
        locked.save(update_fields=["challenge", "updated_at"])
        audit_record(
            actor=by,
            verb="application.transfer",
            subject=locked,
            from_state=locked.status,
            to_state=locked.status,
            note=f"from “{from_challenge.title}” to “{to_challenge.title}”" + (f": {note}" if note else ""),
        )
        notify_application(application=locked, kind="transferred")
    return locked


def review_score_set(*, application: Application, reviewer: User, score: int, note: str = "") -> ReviewScore:
    """Record or update one reviewer's 1-5 score; several reviewers each keep their own."""
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": _("A score is a whole number from 1 to 5.")})
    with transaction.atomic():
        review, _created = ReviewScore.objects.update_or_create(
            application=application, reviewer=reviewer, defaults={"score": score, "note": note}
        )
        audit_record(actor=reviewer, verb="application.score", subject=application, note=f"{score}/5 {note}".strip())
    return review
