from django.urls import include, path
from rest_framework.routers import DefaultRouter

from challenges.api import ChallengeViewSet, OrganisationViewSet
from collaborators.api import MeView

router = DefaultRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
