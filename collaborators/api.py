"""REST API for people and applications: `/api/v1/me/` and `/api/v1/applications/`.

An applicant sees only their own applications (anyone else's id is a 404); staff see every
application with the queue's filters and move them through the review with the same services
as the pages and the admin.
"""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from challenges.models import Challenge
from challenges.selectors import challenges_visible_to
from omdena import permissions

from .enums import ApplicationStatus
from .filters import SORT_CHOICES, ApplicationFilter
from .forms import normalise_github_username, normalise_slack_user_id
from .models import MIN_WEEKLY_HOURS, Application, User
from .selectors import (
    applications_for_person,
    queue_for_staff,
    review_pace,
    wait_estimate,
)
from .services import profile_update
from .services.applications import (
    APPLICATION_FIELDS,
    REVIEW_ACTIONS,
    application_submit,
    application_transfer,
    application_withdraw,
    review_score_set,
)
from .throttling import ApplicationSubmitThrottle
from .wording import waiting_summary


class NormalisedCharField(serializers.CharField):
    """Normalise before the model's validators run, as the profile form does."""

    def __init__(self, *, normalise, **kwargs):
        self.normalise = normalise
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return self.normalise(super().to_internal_value(data))


class MeSerializer(serializers.ModelSerializer):
    github_username = NormalisedCharField(
        normalise=normalise_github_username,
        required=False,
        allow_blank=True,
        max_length=39,
        validators=User._meta.get_field("github_username").validators,
    )
    slack_user_id = NormalisedCharField(
        normalise=normalise_slack_user_id,
        required=False,
        allow_blank=True,
        max_length=32,
        validators=User._meta.get_field("slack_user_id").validators,
    )

    class Meta:
        model = User
        fields = [
            "email",
            "display_name",
            "country",
            "time_zone",
            "experience_level",
            "weekly_hours",
            "skills",
            "github_username",
            "github_user_id",
            "slack_user_id",
            "profile_url",
            "is_staff",
        ]
        read_only_fields = ["email", "github_user_id", "is_staff"]


class MeView(generics.RetrieveUpdateAPIView):
    """Read or update your own profile."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        serializer.instance = profile_update(
            person=self.request.user, by=self.request.user, data=serializer.validated_data
        )


class CanReviewApplications(BasePermission):
    """The review queue's predicate, shared with the staff pages."""

    def has_permission(self, request, view):
        return permissions.can_review_applications(request.user)


# Serializers: shapes only. Every rule (deadline, duplicates, referral codes, moves) is the services'.


class ChallengeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Challenge
        fields = ["slug", "title"]


class PersonSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "country"]
        read_only_fields = fields


class OwnApplicationSerializer(serializers.ModelSerializer):
    """What the applicant sees of their own application: never anything about other applicants."""

    challenge = ChallengeSummarySerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_referral = serializers.BooleanField(read_only=True)
    queue_position = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="#N in the queue (or on the waitlist); null when not waiting."
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "challenge",
            "status",
            "status_display",
            "is_referral",
            "submitted_at",
            "queue_position",
            *APPLICATION_FIELDS,
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="Application")
class ApplicationSerializer(OwnApplicationSerializer):
    """An application; `person`, `score_average` and `score_count` are present for staff only."""

    # The staff view, and the schema of both views: the reviewer fields are optional (required=False),
    # not read-only, because applicants' responses leave them out. Only ever used for output.
    person = PersonSummarySerializer(required=False, help_text="Staff only.")
    score_average = serializers.FloatField(required=False, allow_null=True, help_text="Staff only.")
    score_count = serializers.IntegerField(required=False, help_text="Staff only.")

    class Meta(OwnApplicationSerializer.Meta):
        fields = [*OwnApplicationSerializer.Meta.fields, "person", "score_average", "score_count"]
        read_only_fields = OwnApplicationSerializer.Meta.fields


class ApplicationCreateSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", queryset=Challenge.objects.none())
    github_username = NormalisedCharField(
        normalise=normalise_github_username,
        max_length=39,
        validators=Application._meta.get_field("github_username").validators,
    )
    commits_to_hours = serializers.BooleanField(
        help_text=f"Must be true: challenges need at least {MIN_WEEKLY_HOURS} hours a week for 8 weeks."
    )
    referral_code = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default="", help_text="Optional, case-insensitive."
    )

    class Meta:
        model = Application
        fields = ["challenge", *APPLICATION_FIELDS, "referral_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A draft's slug is "not found" for applicants, as on the pages.
            self.fields["challenge"].queryset = challenges_visible_to(user=request.user)

    def validate_commits_to_hours(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Challenges need at least %(hours)d hours a week for 8 weeks.") % {"hours": MIN_WEEKLY_HOURS}
            )
        return value


class ApplicationNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ApplicationTransitionSerializer(ApplicationNoteSerializer):
    action = serializers.ChoiceField(choices=list(REVIEW_ACTIONS))


class ApplicationTransferSerializer(ApplicationNoteSerializer):
    challenge = serializers.SlugRelatedField(
        slug_field="slug", queryset=Challenge.objects.all(), help_text="The open challenge to move it to."
    )


class ReviewScoreInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ApplicationPositionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    queue_position = serializers.IntegerField(allow_null=True, help_text="Null when the application is not waiting.")
    pace_per_week = serializers.FloatField(help_text="Applications reviewed a week, over the last four weeks.")
    estimate_weeks = serializers.IntegerField(
        allow_null=True, help_text="Null when no pace is measured yet, or the application is not in the queue."
    )
    wording = serializers.CharField(help_text="The position and estimate in a sentence: an estimate, never a promise.")


ORDER_PARAMETER = OpenApiParameter(
    "order",
    OpenApiTypes.STR,
    enum=[value for value, _label in SORT_CHOICES],
    description="Staff only: queue (referrals first, then oldest first, the default), newest or oldest.",
)


@extend_schema_view(
    list=extend_schema(parameters=[ORDER_PARAMETER], responses=ApplicationSerializer),
    retrieve=extend_schema(responses=ApplicationSerializer),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications: your own as an applicant, every one as staff (filters, review moves, scores)."""

    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApplicationFilter

    def _order(self) -> str:
        order = self.request.query_params.get("order") or "queue"
        if order not in dict(SORT_CHOICES):
            raise exceptions.ValidationError({"order": [_("Choose one of: queue, newest, oldest.")]})
        return order

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Application.objects.none()
        if permissions.can_review_applications(user):
            return queue_for_staff(order=self._order())
        return applications_for_person(person=user)

    def list(self, request, *args, **kwargs):
        if not permissions.can_review_applications(request.user):
            return super().list(request, *args, **kwargs)
        # Count and page over the bare filtered table; only the rows of the page get scores and positions
        # (aggregating over every match first took seconds at 100,000 applications: bench/README.md).
        ordered = queue_for_staff(order=self._order())
        ids = self.filter_queryset(Application.objects.all()).order_by(*ordered.query.order_by)
        page_ids = list(self.paginate_queryset(ids.values_list("pk", flat=True)))
        rows = ordered.filter(pk__in=page_ids)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_serializer_class(self):
        if permissions.can_review_applications(self.request.user):
            return ApplicationSerializer
        return OwnApplicationSerializer

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(ApplicationSubmitThrottle())  # the same counters as the apply page
        return throttles

    def _respond(self, application: Application, status_code: int = status.HTTP_200_OK) -> Response:
        """The application as the viewer sees it, re-read with its annotations (position, scores)."""
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        """Apply to an open challenge, optionally with a referral code (a bad code is a 400 on `referral_code`)."""
        payload = ApplicationCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        challenge = data.pop("challenge")
        referral_code = data.pop("referral_code", "")
        application = application_submit(
            person=request.user, challenge=challenge, data=data, referral_code=referral_code
        )
        return self._respond(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationNoteSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw your own application from any open state."""
        application = self.get_object()
        # Only the applicant: withdrawing is their decision; staff reject or waitlist instead (audited as such).
        if application.person_id != request.user.pk:
            raise exceptions.PermissionDenied(_("Only the applicant can withdraw an application."))
        payload = ApplicationNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = application_withdraw(
            application=application, by=request.user, note=payload.validated_data["note"]
        )
        return self._respond(application)

    @extend_schema(request=ApplicationTransitionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def transition(self, request, pk=None):
        """Shortlist, waitlist, reject or accept; a move the lifecycle refuses is a 400 on `status`."""
        application = self.get_object()
        payload = ApplicationTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service = REVIEW_ACTIONS[payload.validated_data["action"]]
        application = service(application=application, by=request.user, note=payload.validated_data["note"])
        return self._respond(application)

    @extend_schema(request=ApplicationTransferSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def transfer(self, request, pk=None):
        """Move a waiting application to another open challenge; it keeps its submission time and place."""
        application = self.get_object()
        payload = ApplicationTransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = application_transfer(
            application=application,
            to_challenge=payload.validated_data["challenge"],
            by=request.user,
            note=payload.validated_data["note"],
        )
        return self._respond(application)

    @extend_schema(request=ReviewScoreInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanReviewApplications])
    def scores(self, request, pk=None):
        """Record or update your own 1-5 score of the application; the response shows the new average."""
        application = self.get_object()
        payload = ReviewScoreInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review_score_set(
            application=application,
            reviewer=request.user,
            score=payload.validated_data["score"],
            note=payload.validated_data["note"],
        )
        return self._respond(application)

    @extend_schema(responses=ApplicationPositionSerializer)
    @action(detail=True, methods=["get"])
    def position(self, request, pk=None):
        """The place in the queue and an estimate of the wait from the measured review pace."""
        application = self.get_object()  # annotated with queue_position: one COUNT over the queue index
        position = application.queue_position
        pace = review_pace(challenge=application.challenge_id)
        estimate = wait_estimate(position=position or 0, pace_per_week=pace)
        if position:
            application.queue_position = position
            summary = waiting_summary(application=application, estimate=estimate)
            wording = f"{summary['headline']}. {summary['estimate']}"
        else:
            wording = _("%(status)s: this application is not waiting in the queue.") % {
                "status": application.get_status_display()
            }
        # Only the queue moves at the review pace: a waitlisted person waits for a seat to free up.
        in_queue = application.status == ApplicationStatus.SUBMITTED
        payload = {
            "status": application.status,
            "queue_position": position,
            "pace_per_week": pace,
            "estimate_weeks": estimate.weeks if in_queue else None,
            "wording": wording,
        }
        return Response(ApplicationPositionSerializer(payload).data)
