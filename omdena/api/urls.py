from django.urls import include, path
from rest_framework.routers import DefaultRouter

from challenges.api import ChallengeViewSet, OrganisationViewSet
from collaborators.api import ApplicationViewSet, MeView
from collaborators.api_interviews import InterviewViewSet
from collaborators.api_memberships import MembershipViewSet
from notifications.api import OutboxMessageViewSet
from referrals.api import ReferralCodeViewSet

router = DefaultRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("applications", ApplicationViewSet, basename="application")
router.register("interviews", InterviewViewSet, basename="interview")
router.register("referral-codes", ReferralCodeViewSet, basename="referral-code")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("outbox", OutboxMessageViewSet, basename="outbox-message")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
