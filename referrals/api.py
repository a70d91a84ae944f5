"""REST API for referral codes: the throttled check, a collaborator's own codes, staff issuing and deactivating."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from challenges.api import IsStaff
from collaborators.api import PersonSummarySerializer
from collaborators.models import User
from omdena import permissions

from .models import DEFAULT_MAX_USES, ReferralCode
from .selectors import referral_share_url
from .services import ReferralCodeError, referral_code_check, referral_code_deactivate, referral_code_issue
from .throttling import ReferralCheckThrottle


class ReferralCodeSerializer(serializers.ModelSerializer):
    owner = PersonSummarySerializer(read_only=True)
    uses_left = serializers.IntegerField(read_only=True)
    share_url = serializers.SerializerMethodField(help_text="The landing page that pre-fills the code.")

    class Meta:
        model = ReferralCode
        fields = [
            "id",
            "code",
            "owner",
            "uses",
            "max_uses",
            "uses_left",
            "is_active",
            "share_url",
            "created_at",
            "deactivated_at",
            "deactivation_reason",
        ]
        read_only_fields = fields

    def get_share_url(self, code: ReferralCode) -> str:
        request = self.context.get("request")
        if request is None:
            return reverse("referral_landing", args=[code.code])
        return referral_share_url(request=request, code=code)


class ReferralCodeIssueSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=254, help_text="The owner's id or email address.")
    max_uses = serializers.IntegerField(min_value=1, max_value=1000, default=DEFAULT_MAX_USES)

    def validate_owner(self, value: str) -> User:
        value = value.strip()
        is_id = value.isdigit() and len(value) < 19  # longer digit strings overflow a bigint
        lookup = Q(pk=int(value)) if is_id else Q(email__iexact=value)
        owner = User.objects.filter(lookup).first()
        if owner is None:
            raise serializers.ValidationError(_("No person with this id or email address."))
        return owner


class ReferralCodeCheckSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Case-insensitive; spaces and dashes are ignored.")


class ReferralCodeCheckResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.CharField(help_text="The code as stored: upper case, without spaces or dashes.")
    owner_name = serializers.CharField(help_text="Who referred you: their display name only.")


class ReferralCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referral codes: your own as a collaborator, every one as staff."""

    serializer_class = ReferralCodeSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [filters.SearchFilter]
    search_fields = ["code", "owner__email", "owner__display_name"]

    def get_queryset(self):
        queryset = ReferralCode.objects.select_related("owner").order_by("-created_at", "-id")
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return queryset.none()
        if permissions.is_staff(self.request.user):
            return queryset
        return queryset.filter(owner=self.request.user)

    def get_permissions(self):
        if self.action in ("create", "deactivate"):
            return [IsStaff()]
        return super().get_permissions()

    @extend_schema(request=ReferralCodeIssueSerializer, responses={201: ReferralCodeSerializer})
    def create(self, request):
        """Issue a new code to a person (staff)."""
        payload = ReferralCodeIssueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        code = referral_code_issue(
            owner=payload.validated_data["owner"], by=request.user, max_uses=payload.validated_data["max_uses"]
        )
        return Response(self.get_serializer(code).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReferralCodeSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Stop the code from working (staff); deactivating twice changes nothing."""
        code = referral_code_deactivate(code=self.get_object(), by=request.user)
        return Response(self.get_serializer(code).data)

    @extend_schema(
        request=ReferralCodeCheckSerializer,
        responses={200: ReferralCodeCheckResultSerializer},
        description="Whether a code can be used. Throttled per IP and per user, with the landing page and the form.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="check",
        permission_classes=[AllowAny],
        throttle_classes=[ReferralCheckThrottle],
    )
    def check_code(self, request):
        payload = ReferralCodeCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        applicant = request.user if request.user.is_authenticated else None
        try:
            code = referral_code_check(raw_code=payload.validated_data["code"], applicant=applicant)
        except ReferralCodeError as error:
            raise exceptions.ValidationError({"code": error.messages}) from error
        result = {"valid": True, "code": code.code, "owner_name": code.owner.name}
        return Response(ReferralCodeCheckResultSerializer(result).data)
