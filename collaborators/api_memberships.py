"""REST API for memberships (seats): a person sees their own; staff see all and move them."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from omdena import permissions

from .api import CanReviewApplications, ChallengeSummarySerializer, PersonSummarySerializer
from .enums import RemovalReason
from .models import Membership
from .services.memberships import membership_reactivate, membership_remove, membership_warn


class MembershipSerializer(serializers.ModelSerializer):
    challenge = ChallengeSummarySerializer(read_only=True)
    person = PersonSummarySerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "challenge",
            "person",
            "role",
            "status",
            "status_display",
            "joined_at",
            "left_at",
            "removal_reason",
        ]
        read_only_fields = fields


class MembershipMoveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["warn", "reactivate", "remove"])
    reason = serializers.ChoiceField(choices=RemovalReason.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def validate(self, attrs):
        if attrs["action"] == "remove" and not attrs.get("reason"):
            raise serializers.ValidationError({"reason": "A removal needs a reason."})
        return attrs


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your seats; staff see every seat and can warn, reactivate or remove (with a reason)."""

    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "role"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Membership.objects.none()
        queryset = Membership.objects.select_related("challenge", "person").order_by("-joined_at", "-id")
        if not permissions.can_review_applications(self.request.user):
            queryset = queryset.filter(person=self.request.user)
        challenge = self.request.query_params.get("challenge")
        return queryset.filter(challenge__slug=challenge) if challenge else queryset

    @extend_schema(request=MembershipMoveSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def move(self, request, pk=None):
        """Warn, reactivate or remove a member (removal revokes Slack and GitHub access after commit)."""
        membership = self.get_object()
        payload = MembershipMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["action"] == "warn":
            membership = membership_warn(membership=membership, by=request.user, note=data["note"])
        elif data["action"] == "reactivate":
            membership = membership_reactivate(membership=membership, by=request.user, note=data["note"])
        else:
            membership = membership_remove(
                membership=membership, by=request.user, reason=data["reason"], note=data["note"]
            )
        return Response(MembershipSerializer(membership).data)
