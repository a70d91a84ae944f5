"""REST API for the outbox: a person sees their own messages; staff see all and retry failed ones."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from challenges.api import IsStaff
from omdena import permissions

from .models import OutboxMessage
from .services import outbox_retry


class OutboxMessageSerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="recipient.name", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "recipient",
            "channel",
            "template",
            "subject",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class OutboxMessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OutboxMessageSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "channel"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return OutboxMessage.objects.none()
        queryset = OutboxMessage.objects.select_related("recipient").order_by("-created_at", "-id")
        if not permissions.is_staff(self.request.user):
            queryset = queryset.filter(recipient=self.request.user)
        return queryset

    @extend_schema(request=None, responses=OutboxMessageSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def retry(self, request, pk=None):
        """Put a failed message back in the queue."""
        message = outbox_retry(message=self.get_object(), by=request.user)
        return Response(OutboxMessageSerializer(message).data)
