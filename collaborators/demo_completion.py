"""Demo certificates: the completed demo challenges give their members certificates and referral codes,
exactly as completing a challenge does (the same service), dated at each challenge's end."""

import datetime as dt

from django.db import transaction

from challenges.enums import ChallengeStatus
from challenges.models import Challenge

from .demo import DEMO_DOMAIN, _say, emails_kept_in_memory
from .models import Certificate, User
from .services.certificates import certificate_revoke
from .services.completion import completion_rewards_issue


def seed_certificates(*, stdout=None) -> int:
    """Issue what completion issues for every completed demo challenge; safe to repeat. Returns certificates made."""
    staff = User.objects.filter(email=f"staff@{DEMO_DOMAIN}").first()
    issued = 0
    with transaction.atomic(), emails_kept_in_memory():
        for challenge in Challenge.objects.filter(status=ChallengeStatus.COMPLETED).order_by("start_date"):
            issued += completion_rewards_issue(challenge=challenge, by=staff).certificates
            if challenge.end_date:
                ended = dt.datetime.combine(challenge.end_date, dt.time(17, 0), tzinfo=dt.UTC)
                Certificate.objects.filter(membership__challenge=challenge).update(issued_at=ended)
        # One revoked certificate, so the demo shows what a verifier sees then.
        revocable = (
            Certificate.objects.filter(revoked_at__isnull=True, membership__person__email__startswith="applicant-")
            .order_by("issued_at", "holder_name")
            .first()
        )
        if issued and revocable is not None:
            certificate_revoke(
                certificate=revocable, by=staff, reason="Issued by mistake: this person did not take part."
            )
    _say(stdout, f"Demo certificates ready ({issued} new, {Certificate.objects.count()} in all).")
    return issued
