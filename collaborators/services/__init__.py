from .profiles import PROFILE_FIELDS, profile_link_social_account, profile_update

__all__ = ["PROFILE_FIELDS", "profile_link_social_account", "profile_update"]
