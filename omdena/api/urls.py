from django.urls import include, path
from rest_framework.routers import DefaultRouter

from activity.api import ExcuseViewSet, WarningViewSet, WeeklyScoreViewSet
from challenges.api import ChallengeViewSet, OrganisationViewSet
from challenges.api_chapters import ChapterViewSet
from challenges.api_tasks import MeetingViewSet, ProgressViewSet, TaskViewSet, WeeklyReportViewSet
from collaborators.api import ApplicationViewSet, MeView
from collaborators.api_certificates import CertificateViewSet
from collaborators.api_community import MyReferralsView, PublicProfileViewSet, TierViewSet
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
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("outbox", OutboxMessageViewSet, basename="outbox-message")
router.register("tasks", TaskViewSet, basename="task")
router.register("reports", WeeklyReportViewSet, basename="weekly-report")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("progress", ProgressViewSet, basename="progress")
router.register("weekly-scores", WeeklyScoreViewSet, basename="weekly-score")
router.register("excuses", ExcuseViewSet, basename="excuse")
router.register("warnings", WarningViewSet, basename="warning")
router.register("chapters", ChapterViewSet, basename="chapter")
router.register("people", PublicProfileViewSet, basename="public-profile")
router.register("tiers", TierViewSet, basename="tier")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("me/referrals/", MyReferralsView.as_view(), name="api-my-referrals"),
    path("", include(router.urls)),
]
