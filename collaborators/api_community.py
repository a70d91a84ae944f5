"""REST API for the community: public profiles, tier suggestions and grants (staff), your referral dashboard.

- `GET /api/v1/people/<handle>/`: a public profile, for anyone; 404 unless the person opted in.
- `GET /api/v1/tiers/` (staff): people whose suggested tier differs from the granted one;
  `GET /api/v1/tiers/<person id>/` one person's history; `POST …/grant/` `{"tier": "", "note": ""}`.
- `GET /api/v1/me/referrals/`: your referral codes and who applied with each (display names only).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from challenges.api import IsStaff
from referrals.models import ReferralCode
from referrals.selectors import referral_codes_with_uses, referral_share_url

from .api import ChallengeSummarySerializer
from .certificate_links import verification_url
from .enums import Tier
from .models import Application, User
from .public_profiles import public_profile_for
from .services.tiers import tier_grant
from .tiers import tier_differences, with_tier_history

# --- Public profiles --------------------------------------------------------------------------------------


class PublicChallengeSerializer(serializers.Serializer):
    """A completed challenge as the public profile shows it (from the membership)."""

    slug = serializers.CharField(source="challenge.slug")
    title = serializers.CharField(source="challenge.title")
    organisation = serializers.CharField(source="challenge.organisation.name")
    started_on = serializers.DateField(source="challenge.start_date", allow_null=True)
    ended_on = serializers.DateField(source="challenge.end_date", allow_null=True)
    role = serializers.CharField()


class PublicCertificateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    challenge_title = serializers.CharField()
    role = serializers.CharField()
    issued_at = serializers.DateTimeField()
    verify_url = serializers.SerializerMethodField()

    def get_verify_url(self, certificate) -> str:
        return verification_url(certificate)  # the address the PDF's QR code carries


class PublicChapterSerializer(serializers.Serializer):
    slug = serializers.CharField(source="chapter.slug")
    name = serializers.CharField(source="chapter.name")
    role = serializers.CharField()


class PublicProfileSerializer(serializers.Serializer):
    """Only what the person agreed to publish: never an email address or a Slack id."""

    handle = serializers.CharField(source="person.public_handle")
    name = serializers.CharField()
    country = serializers.CharField(source="person.country.code", help_text="ISO 3166-1 alpha-2, or empty.")
    tier = serializers.ChoiceField(source="person.tier", choices=Tier.choices, allow_blank=True)
    completed_challenges = PublicChallengeSerializer(source="completed", many=True)
    certificates = PublicCertificateSerializer(many=True, help_text="Valid certificates only.")
    chapters = PublicChapterSerializer(source="chapter_memberships", many=True)


class PublicProfileViewSet(viewsets.GenericViewSet):
    """Public collaborator profiles (opt-in)."""

    permission_classes = [AllowAny]
    serializer_class = PublicProfileSerializer
    lookup_field = "handle"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(parameters=[OpenApiParameter("handle", OpenApiTypes.STR, OpenApiParameter.PATH)])
    def retrieve(self, request, handle=None):
        """A public profile; 404 when the handle is unknown or the person has not switched the page on."""
        return Response(self.get_serializer(public_profile_for(handle=handle)).data)


# --- Tiers (staff) ----------------------------------------------------------------------------------------


class TierRowSerializer(serializers.ModelSerializer):
    """A person with their tier history (from `with_tier_history`) and the suggestion."""

    name = serializers.CharField(read_only=True)
    completed_challenges = serializers.IntegerField(source="tier_completed", read_only=True)
    led_task_challenges = serializers.IntegerField(source="tier_led", read_only=True)
    mentor_roles = serializers.IntegerField(source="tier_mentored", read_only=True)
    average_weekly_score = serializers.FloatField(source="tier_average_score", read_only=True, allow_null=True)
    # A plain string in the schema: the same choices as `tier` (a second enum name would only confuse clients).
    suggested_tier = serializers.CharField(read_only=True, help_text="A tier value like `tier`, or empty for none.")

    class Meta:
        model = User
        fields = [
            "id",
            "name",
            "email",
            "tier",
            "tier_granted_at",
            "suggested_tier",
            "completed_challenges",
            "led_task_challenges",
            "mentor_roles",
            "average_weekly_score",
        ]
        read_only_fields = fields


class TierGrantSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, allow_blank=True, help_text="Empty clears the tier.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tier suggestions and grants (staff): the list holds people whose suggestion differs from their tier."""

    serializer_class = TierRowSerializer
    permission_classes = [IsStaff]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        if self.action == "list":
            return tier_differences()
        return with_tier_history(User.objects.all()).order_by("pk")

    @extend_schema(request=TierGrantSerializer, responses=TierRowSerializer)
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """Grant a tier, lower it or clear it (""); granting the tier the person has changes nothing."""
        person = self.get_object()
        payload = TierGrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tier_grant(
            person=person, tier=payload.validated_data["tier"], by=request.user, note=payload.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)


# --- Your referral dashboard ------------------------------------------------------------------------------


class ReferredApplicationSerializer(serializers.ModelSerializer):
    """Who applied with your code: their display name, the challenge, when, and the outcome in words."""

    name = serializers.CharField(source="person.name")
    challenge = ChallengeSummarySerializer()
    applied_at = serializers.DateTimeField(source="submitted_at")
    outcome = serializers.CharField(source="get_status_display", help_text="The status in plain words.")

    class Meta:
        model = Application
        fields = ["name", "challenge", "applied_at", "status", "outcome"]
        read_only_fields = fields


class MyReferralCodeSerializer(serializers.ModelSerializer):
    challenge = ChallengeSummarySerializer(allow_null=True, help_text="The completed challenge that earned the code.")
    uses_left = serializers.IntegerField()
    share_url = serializers.SerializerMethodField(help_text="The landing page that pre-fills the code.")
    applications = ReferredApplicationSerializer(source="referred_applications", many=True)

    class Meta:
        model = ReferralCode
        fields = [
            "code",
            "is_active",
            "deactivation_reason",
            "uses",
            "max_uses",
            "uses_left",
            "challenge",
            "share_url",
            "created_at",
            "applications",
        ]
        read_only_fields = fields

    def get_share_url(self, code: ReferralCode) -> str:
        return referral_share_url(request=self.context["request"], code=code)


class MyReferralsView(generics.ListAPIView):
    """Your referral codes, each with the applications that used it. Nobody else's codes, ever."""

    serializer_class = MyReferralCodeSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReferralCode.objects.none()
        return referral_codes_with_uses(owner=self.request.user)
