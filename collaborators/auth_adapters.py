"""django-allauth hooks: connected GitHub/Slack accounts fill the profile.

allauth only offers adapters and signals as extension points, so these thin hooks
call the profile service and hold no rule of their own.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver

from .services import profile_link_social_account


class AccountAdapter(DefaultAccountAdapter):
    pass


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
