"""REST API for organisations and challenges (read for everyone, lifecycle moves for staff)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from omdena import permissions

from .filters import ChallengeFilter
from .models import Challenge, Organisation
from .selectors import challenge_catalogue, organisations_with_public_counts
from .services import CHALLENGE_ACTIONS


class OrganisationSerializer(serializers.ModelSerializer):
    public_challenges = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "website", "description", "public_challenges"]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]


class ChallengeWeekSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="0 before the start; total + 1 after the end.")
    total = serializers.IntegerField()


class ChallengeSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    end_date = serializers.DateField(read_only=True)
    week = serializers.SerializerMethodField()
    accepts_applications = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "title",
            "organisation",
            "summary",
            "problem_statement",
            "goals",
            "tags",
            "status",
            "application_deadline",
            "start_date",
            "end_date",
            "duration_weeks",
            "capacity",
            "week",
            "accepts_applications",
            "url",
        ]

    @extend_schema(responses=ChallengeWeekSerializer(allow_null=True))
    def get_week(self, challenge) -> dict | None:
        week = challenge.week()
        return None if week is None else {"number": week.number, "total": week.total}

    def get_url(self, challenge) -> str:
        request = self.context.get("request")
        path = challenge.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ChallengeTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(CHALLENGE_ACTIONS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class IsStaff(drf_permissions.BasePermission):
    def has_permission(self, request, view):
        return permissions.is_staff(request.user)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    search_fields = ["name"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return organisations_with_public_counts()


class ChallengeViewSet(viewsets.ReadOnlyModelViewSet):
    """The challenge catalogue: drafts are visible to staff only."""

    serializer_class = ChallengeSerializer
    lookup_field = "slug"
    filterset_class = ChallengeFilter
    search_fields: list[str] = []  # `q` in ChallengeFilter does the search
    ordering_fields = ["application_deadline", "start_date", "title"]

    def get_queryset(self):
        return challenge_catalogue(user=self.request.user)

    @extend_schema(request=ChallengeTransitionSerializer, responses=ChallengeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def transition(self, request, slug=None):
        """Move the challenge through its lifecycle: open, start, complete or cancel."""
        challenge = get_object_or_404(self.get_queryset(), slug=slug)
        payload = ChallengeTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service = CHALLENGE_ACTIONS[payload.validated_data["action"]]
        challenge = service(challenge=challenge, by=request.user, note=payload.validated_data["note"])
        challenge = self.get_queryset().get(pk=challenge.pk)
        return Response(self.get_serializer(challenge).data)
