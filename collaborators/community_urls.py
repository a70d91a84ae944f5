"""Community pages outside the staff area: public profiles and a collaborator's referral dashboard."""

from django.urls import path

from referrals import dashboard_views

from . import community_views

urlpatterns = [
    path("people/<slug:handle>/", community_views.public_profile, name="public_profile"),
    path("me/referrals/", dashboard_views.my_referrals, name="my_referrals"),
]
