"""Messages to applicants about their application, through the outbox (sent after the change commits)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.enums import Channel
from notifications.services import outbox_enqueue
from omdena.site import absolute_url

MESSAGES = {
    "submitted": (
        _("We received your application"),
        _("Your application is in the queue. Your dashboard shows your place and an estimate of the wait."),
    ),
    "shortlisted": (
        _("You are shortlisted"),
        _("Good news: you are shortlisted. We will invite you to a short video interview; watch your email."),
    ),
    "interview_scheduled": (_("Your interview is scheduled"), _("Your interview is scheduled.")),
    "interviewed": (_("Thank you for the interview"), _("Thank you for the interview. We will decide soon.")),
    "accepted": (
        _("You are accepted"),
        _("Welcome aboard! You have a seat in the challenge. Next: join its Slack channel and GitHub repositories."),
    ),
    "waitlisted": (
        _("You are on the waitlist"),
        _("The challenge is full for now. You are on the waitlist and will get a seat if one frees up."),
    ),
    "rejected": (
        _("About your application"),
        _(
            "Thank you for applying. We could not offer you a seat this time; "
            "you are welcome to apply to future challenges."
        ),
    ),
    "withdrawn": (
        _("Your application is withdrawn"),
        _("You withdrew your application. You can apply again to other challenges."),
    ),
    "transferred": (
        _("Your application moved to another challenge"),
        _("Our staff moved your application to a challenge that fits you better. You keep your place in the queue."),
    ),
}


def notify_application(*, application, kind: str) -> None:
    """One email per change of an application (the key names the change, so a re-run sends nothing twice)."""
    subject, message = MESSAGES[kind]
    challenge = application.challenge
    outbox_enqueue(
        recipient=application.person,
        template="application_update",
        subject=f"{subject}: {challenge.title}",
        key=f"application:{application.pk}:{kind}:{application.updated_at.timestamp():.6f}",
        context={
            "message": str(message),
            "challenge_title": challenge.title,
            "status_display": str(application.get_status_display()),
            "url": absolute_url(reverse("application_detail", args=[application.pk])),
        },
        channels=(Channel.EMAIL,),
    )


MEMBERSHIP_MESSAGES = {
    "removed": (
        _("You left the challenge"),
        _(
            "Your seat in the challenge has ended and your access to its Slack channel and GitHub repositories is "
            "being removed. To join a future challenge, apply again."
        ),
    ),
}


def notify_membership(*, membership, kind: str) -> None:
    subject, message = MEMBERSHIP_MESSAGES[kind]
    challenge = membership.challenge
    outbox_enqueue(
        recipient=membership.person,
        template="membership_update",
        subject=f"{subject}: {challenge.title}",
        key=f"membership:{membership.pk}:{kind}",
        context={
            "message": str(message),
            "challenge_title": challenge.title,
            "status_display": str(membership.get_status_display()),
            "url": absolute_url(reverse("my_challenges")),
        },
        channels=(Channel.EMAIL, Channel.SLACK),
    )


def notify_completion(*, membership, certificate, referral_code) -> None:
    """Once per seat: the certificate to download and share, and a referral code to invite a friend."""
    from .certificate_links import linkedin_add_url, pdf_url, verification_url

    challenge = membership.challenge
    outbox_enqueue(
        recipient=membership.person,
        template="challenge_completed",
        subject=_("Your certificate for %(title)s") % {"title": challenge.title},
        key=f"membership:{membership.pk}:completed",
        context={
            "challenge_title": challenge.title,
            "role": str(certificate.get_role_display()),
            "certificate_url": verification_url(certificate),
            "pdf_url": pdf_url(certificate),
            "linkedin_url": linkedin_add_url(certificate),
            "referral_code": referral_code.code,
            "referral_uses": referral_code.max_uses,
            "referral_url": absolute_url(reverse("referral_landing", args=[referral_code.code])),
            "my_challenges_url": absolute_url(reverse("my_challenges")),
        },
        channels=(Channel.EMAIL, Channel.SLACK),
    )


def notify_tier_promotion(*, person) -> None:
    """A promotion on the community ladder (lowering or clearing a tier sends nothing)."""
    public_url = absolute_url(reverse("public_profile", args=[person.public_handle])) if person.profile_public else ""
    outbox_enqueue(
        recipient=person,
        template="tier_granted",
        subject=_("You are now %(tier)s") % {"tier": person.get_tier_display()},
        key=f"tier:{person.pk}:{person.tier}:{person.tier_granted_at.timestamp():.0f}",
        context={
            "tier": str(person.get_tier_display()),
            "profile_url": absolute_url(reverse("profile_edit")),
            "public_url": public_url,
        },
        channels=(Channel.EMAIL,),
    )
