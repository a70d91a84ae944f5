"""REST API of do-ocracy: weekly scores, leave (excuses) and inactivity warnings.

A member sees their own rows; staff see every row and decide leave and removals. The rules are the services'
(`activity.doocracy`); serializers only check the shape of what is sent.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from collaborators.api import CanReviewApplications, ChallengeSummarySerializer, PersonSummarySerializer
from collaborators.models import Membership
from omdena import permissions

from . import doocracy
from .models import Excuse, InactivityWarning, WeeklyScore
from .score_display import breakdown_sentence

WEEK_FORMAT = r"^\d{4}-W\d{2}$"
CHALLENGE_FILTER = OpenApiParameter("challenge", OpenApiTypes.STR, description="Challenge slug")
WEEK_FILTER = OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W48")


class MembershipSummarySerializer(serializers.ModelSerializer):
    challenge = ChallengeSummarySerializer(read_only=True)
    person = PersonSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "challenge", "person", "status"]
        read_only_fields = fields


class WeeklyScoreSerializer(serializers.ModelSerializer):
    membership = MembershipSummarySerializer(read_only=True)
    explanation = serializers.SerializerMethodField(help_text="The breakdown in words.")

    class Meta:
        model = WeeklyScore
        fields = ["id", "membership", "week", "points", "threshold", "active", "excused", "breakdown", "explanation"]
        read_only_fields = fields

    def get_explanation(self, score: WeeklyScore) -> str:
        return breakdown_sentence(score)


class ExcuseSerializer(serializers.ModelSerializer):
    membership = MembershipSummarySerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Excuse
        fields = ["id", "membership", "first_week", "last_week", "reason", "status", "status_display", "created_at"]
        read_only_fields = fields


class ExcuseDeclareSerializer(serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    first_week = serializers.RegexField(WEEK_FORMAT, max_length=8, help_text="ISO week, e.g. 2026-W48")
    last_week = serializers.RegexField(WEEK_FORMAT, max_length=8, help_text="ISO week, e.g. 2026-W49")
    reason = serializers.CharField(max_length=300)

    def __init__(self, *args, memberships=None, **kwargs):
        super().__init__(*args, **kwargs)
        if memberships is not None:
            self.fields["membership"].queryset = memberships


class ExcuseDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class WarningSerializer(serializers.ModelSerializer):
    membership = MembershipSummarySerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = InactivityWarning
        fields = ["id", "membership", "week", "removal_due_on", "status", "status_display", "note", "created_at"]
        read_only_fields = fields


class WarningCancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _own_or_all(queryset, request, *, person_field: str = "membership__person"):
    """Staff see every row; anyone else only their own."""
    if permissions.can_review_applications(request.user):
        return queryset
    return queryset.filter(**{person_field: request.user})


def _filtered(queryset, request, *, week_fields: tuple[str, ...] = ("week",)):
    challenge = request.query_params.get("challenge")
    if challenge:
        queryset = queryset.filter(membership__challenge__slug=challenge)
    week = request.query_params.get("week")
    if week:
        queryset = queryset.filter(**dict.fromkeys(week_fields, week))
    return queryset


MEMBERSHIP_RELATED = ("membership__challenge", "membership__person")


@extend_schema_view(list=extend_schema(parameters=[CHALLENGE_FILTER, WEEK_FILTER]))
class WeeklyScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Your weekly scores with their breakdown; staff see every member's (filter by challenge and week)."""

    serializer_class = WeeklyScoreSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WeeklyScore.objects.none()
        queryset = WeeklyScore.objects.select_related(*MEMBERSHIP_RELATED).order_by("-week", "membership_id")
        return _filtered(_own_or_all(queryset, self.request), self.request)


@extend_schema_view(list=extend_schema(parameters=[CHALLENGE_FILTER]))
class ExcuseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Your declared leave (declare more with POST); staff see all and approve or decline."""

    serializer_class = ExcuseSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Excuse.objects.none()
        queryset = Excuse.objects.select_related(*MEMBERSHIP_RELATED).order_by("-created_at", "-id")
        return _filtered(_own_or_all(queryset, self.request), self.request, week_fields=())

    @extend_schema(request=ExcuseDeclareSerializer, responses={201: ExcuseSerializer})
    def create(self, request, *args, **kwargs):
        """Declare leave for one of your seats; the service checks the weeks."""
        memberships = _own_or_all(Membership.objects.select_related("challenge"), request, person_field="person")
        payload = ExcuseDeclareSerializer(data=request.data, memberships=memberships)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        excuse = doocracy.excuse_declare(
            membership=data["membership"],
            first_week=data["first_week"],
            last_week=data["last_week"],
            reason=data["reason"],
            by=request.user,
        )
        excuse = self.get_queryset().get(pk=excuse.pk)
        return Response(ExcuseSerializer(excuse).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExcuseDecideSerializer, responses=ExcuseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def decide(self, request, pk=None):
        """Approve or decline a member's leave."""
        excuse = self.get_object()
        payload = ExcuseDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        doocracy.excuse_decide(excuse=excuse, by=request.user, approve=payload.validated_data["approve"])
        return Response(ExcuseSerializer(self.get_queryset().get(pk=excuse.pk)).data)


@extend_schema_view(list=extend_schema(parameters=[CHALLENGE_FILTER, WEEK_FILTER]))
class WarningViewSet(viewsets.ReadOnlyModelViewSet):
    """Your inactivity warnings with their removal date; staff see all and confirm or cancel removals."""

    serializer_class = WarningSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InactivityWarning.objects.none()
        queryset = InactivityWarning.objects.select_related(*MEMBERSHIP_RELATED).order_by("-created_at", "-id")
        return _filtered(_own_or_all(queryset, self.request), self.request)

    @extend_schema(request=None, responses=WarningSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-removal", permission_classes=[CanReviewApplications])
    def confirm_removal(self, request, pk=None):
        """Confirm a proposed removal: the seat ends and Slack and GitHub access is revoked."""
        warning = self.get_object()
        doocracy.removal_confirm(warning=warning, by=request.user)
        return Response(WarningSerializer(self.get_queryset().get(pk=warning.pk)).data)

    @extend_schema(request=WarningCancelSerializer, responses=WarningSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def cancel(self, request, pk=None):
        """Cancel a warning or a proposed removal: the member stays."""
        warning = self.get_object()
        payload = WarningCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        doocracy.removal_cancel(warning=warning, by=request.user, note=payload.validated_data["note"])
        return Response(WarningSerializer(self.get_queryset().get(pk=warning.pk)).data)
