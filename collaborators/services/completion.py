"""The end of a challenge: every seat still held is completed and earns a certificate and a referral code.

Two steps, so that a challenge of any size completes within the staff's request: `memberships_complete_for`
moves the seats in the caller's transaction, and after it commits a task runs `completion_rewards_issue`,
which gives each completed seat its certificate and code and tells its holder, one seat per transaction
(a failure keeps what was done, and the task's retry, or completing again, finishes the rest).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from ..enums import ACTIVE_SEAT_STATES, MembershipStatus
from ..models import Membership
from ..notifications import notify_completion
from .certificates import certificate_issue
from .memberships import membership_complete


@dataclass(frozen=True)
class CompletionSummary:
    certificates: int  # certificates issued by this call
    referral_codes: int  # referral codes issued by this call


def memberships_complete_for(*, challenge, by) -> int:
    """Complete the active and warned seats (removed ones stay removed), then, once the caller's transaction
    commits, issue what completion earns. Returns how many seats this call completed; safe to repeat."""
    from ..tasks import issue_completion_rewards

    completed = 0
    with transaction.atomic():
        holding = Membership.objects.filter(challenge=challenge, status__in=ACTIVE_SEAT_STATES)
        for membership in holding:
            membership_complete(membership=membership, by=by, note="challenge completed")
            completed += 1
        by_id = by.pk if by is not None and by.is_authenticated else None
        transaction.on_commit(lambda: issue_completion_rewards.delay(challenge.pk, by_id))
    return completed


def seats_awaiting_rewards(*, challenge):
    """Completed seats of the challenge still missing their certificate or their referral code."""
    from referrals.models import ReferralCode

    code = ReferralCode.objects.filter(owner=OuterRef("person"), challenge=challenge)
    return Membership.objects.filter(challenge=challenge, status=MembershipStatus.COMPLETED).filter(
        Q(certificate__isnull=True) | ~Exists(code)
    )


def completion_rewards_issue(*, challenge, by) -> CompletionSummary:
    """Give every completed seat its certificate and its referral code (5 uses) and tell the person once.
    One transaction per seat; a repeat finds nothing missing and issues and sends nothing."""
    from referrals.services import referral_code_issue_for_completion

    certificates = codes = 0
    for membership_id in seats_awaiting_rewards(challenge=challenge).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            membership = (
                Membership.objects.select_for_update(of=("self",))
                .select_related("person", "challenge__organisation", "certificate")
                .get(pk=membership_id)
            )
            had_certificate = hasattr(membership, "certificate")
            certificate = membership.certificate if had_certificate else certificate_issue(membership=membership, by=by)
            certificates += not had_certificate
            code, code_created = referral_code_issue_for_completion(owner=membership.person, challenge=challenge, by=by)
            codes += code_created
            notify_completion(membership=membership, certificate=certificate, referral_code=code)
    return CompletionSummary(certificates=certificates, referral_codes=codes)
