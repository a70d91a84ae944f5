"""The end of a challenge: every seat still held is completed and earns a certificate and a referral code."""

from dataclasses import dataclass

from django.db import transaction

from ..enums import MembershipStatus
from ..models import Membership
from ..notifications import notify_completion
from .certificates import certificate_issue
from .memberships import membership_complete


@dataclass(frozen=True)
class CompletionSummary:
    completed: int  # seats moved to completed by this call
    certificates: int  # certificates issued by this call
    referral_codes: int  # referral codes issued by this call


def memberships_complete_for(*, challenge, by) -> CompletionSummary:
    """Complete active and warned seats (removed ones stay removed), then give every completed seat its
    certificate and referral code and tell its holder. Safe to repeat: a second call issues and sends nothing."""
    from referrals.services import referral_code_issue_for_completion

    completed = certificates = codes = 0
    with transaction.atomic():
        holding = Membership.objects.filter(
            challenge=challenge, status__in=[MembershipStatus.ACTIVE, MembershipStatus.WARNED]
        )
        for membership in holding:
            membership_complete(membership=membership, by=by, note="challenge completed")
            completed += 1
        done = (
            Membership.objects.filter(challenge=challenge, status=MembershipStatus.COMPLETED)
            .select_related("person", "challenge__organisation", "certificate")
            .order_by("pk")
        )
        for membership in done:
            had_certificate = hasattr(membership, "certificate")
            certificate = membership.certificate if had_certificate else certificate_issue(membership=membership, by=by)
            certificates += not had_certificate
            code, code_created = referral_code_issue_for_completion(owner=membership.person, challenge=challenge, by=by)
            codes += code_created
            if had_certificate and not code_created:
                continue  # told when both were issued (the outbox key would refuse a second message anyway)
            notify_completion(membership=membership, certificate=certificate, referral_code=code)
    return CompletionSummary(completed=completed, certificates=certificates, referral_codes=codes)
