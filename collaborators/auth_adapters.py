"""django-allauth hooks: connected GitHub/Slack accounts fill the profile.

allauth only offers adapters and signals as extension points, so these thin hooks
call the profile service and hold no rule of their own.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.contrib import messages
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .services import profile_link_social_account

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails (verification, password reset) go straight out, not through the outbox: they carry
        one-time links that should not be stored. When the mail server is down the account is kept, the person
        is told to ask again in a few minutes, and the failure is logged as an error for staff."""
        try:
            super().send_mail(template_prefix, email, context)
        except OSError as error:  # smtplib's refusals and unreachable servers
            logger.error("account email %s to %s not sent: %s", template_prefix, email, error)
            request = allauth_context.request  # the request allauth is serving, if any
            if request is not None:
                messages.error(
                    request,
                    _(
                        "We could not send the email to %(email)s just now. Please ask for it again in a few "
                        "minutes (the link on this page, or “Forgot your password?”)."
                    )
                    % {"email": email},
                )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        account = sociallogin.account
        profile_link_social_account(
            person=user, provider=account.provider, uid=account.uid, extra_data=account.extra_data
        )
        return user


@receiver(social_account_added)
@receiver(social_account_updated)
def _fill_profile_from_connected_account(sender, request, sociallogin, **kwargs):
    account = sociallogin.account
    profile_link_social_account(
        person=sociallogin.user, provider=account.provider, uid=account.uid, extra_data=account.extra_data
    )
