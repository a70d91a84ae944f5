"""REST API for interviews: `/api/v1/interviews/`.

Staff see every interview and run them (offer, schedule, reschedule, cancel, scorecard, no-show); an
applicant sees only their own (anyone else's id is a 404, as on the pages) and answers them (confirm a
slot, ask for another time). Transitions are POST actions that call the same services as the pages.
Times are ISO 8601; a time without an offset is read as UTC.
"""

import datetime as dt

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from omdena import permissions

from .api import CanReviewApplications, ChallengeSummarySerializer
from .enums import Recommendation
from .interview_selectors import interviews_visible_to
from .interview_views import ics_response
from .models import Application, Interview, InterviewSlot, Scorecard, User
from .models.interviews import DEFAULT_DURATION_MINUTES, MAX_SLOTS
from .services.interviews import (
    MAX_DURATION,
    MESSAGE_MAX_LENGTH,
    MIN_DURATION,
    interview_cancel,
    interview_confirm_slot,
    interview_mark_no_show,
    interview_offer_slots,
    interview_record_scorecard,
    interview_request_other_time,
    interview_reschedule,
    interview_schedule,
)

# --- Output ------------------------------------------------------------------------------------------------


class InterviewSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterviewSlot
        fields = ["id", "starts_at"]
        read_only_fields = fields


class InterviewPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    author = InterviewPersonSerializer(read_only=True, allow_null=True)
    total = serializers.IntegerField(read_only=True, help_text="The four scores added up (4-20).")

    class Meta:
        model = Scorecard
        fields = [
            "technical",
            "communication",
            "collaboration",
            "commitment",
            "total",
            "recommendation",
            "notes",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OwnInterviewSerializer(serializers.ModelSerializer):
    """What the applicant sees of their own interview: never the scorecard."""

    challenge = ChallengeSummarySerializer(source="application.challenge", read_only=True)
    interviewer = InterviewPersonSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    slots = InterviewSlotSerializer(many=True, read_only=True, help_text="The times offered to pick from.")

    class Meta:
        model = Interview
        fields = [
            "id",
            "application",
            "challenge",
            "interviewer",
            "status",
            "status_display",
            "scheduled_at",
            "ends_at",
            "duration_minutes",
            "video_link",
            "uid",
            "sequence",
            "applicant_message",
            "slots",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="Interview")
class InterviewSerializer(OwnInterviewSerializer):
    """An interview; `applicant`, `scorecard` and `reminder_sent_at` are present for staff only."""

    # Optional rather than read-only in the schema, because applicants' responses leave them out (output only).
    applicant = InterviewPersonSerializer(source="application.person", required=False, help_text="Staff only.")
    scorecard = ScorecardSerializer(required=False, allow_null=True, help_text="Staff only; null before the interview.")
    reminder_sent_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Staff only.")

    class Meta(OwnInterviewSerializer.Meta):
        fields = [*OwnInterviewSerializer.Meta.fields, "applicant", "scorecard", "reminder_sent_at"]
        read_only_fields = OwnInterviewSerializer.Meta.fields


# --- Input (shapes only: the services decide) ----------------------------------------------------------------

UTC_TIME = {"default_timezone": dt.UTC}


def _staff_users():
    return User.objects.filter(is_staff=True, is_active=True)


class InterviewDetailsInputSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    interviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), help_text="A staff member's user id."
    )
    video_link = serializers.URLField(max_length=500)
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION, max_value=MAX_DURATION, default=DEFAULT_DURATION_MINUTES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = _staff_users()


class InterviewOfferInputSerializer(InterviewDetailsInputSerializer):
    slots = serializers.ListField(
        child=serializers.DateTimeField(**UTC_TIME),
        min_length=1,
        max_length=MAX_SLOTS,
        help_text=f"1 to {MAX_SLOTS} future times for the applicant to pick from.",
    )


class InterviewScheduleInputSerializer(InterviewDetailsInputSerializer):
    scheduled_at = serializers.DateTimeField(**UTC_TIME)


class InterviewRescheduleInputSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(**UTC_TIME)
    video_link = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class InterviewConfirmInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text="The id of one of the interview's `slots`.")


class InterviewMessageInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="Which days and times would work.")


class InterviewCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ScorecardInputSerializer(serializers.Serializer):
    technical = serializers.IntegerField(min_value=1, max_value=5)
    communication = serializers.IntegerField(min_value=1, max_value=5)
    collaboration = serializers.IntegerField(min_value=1, max_value=5)
    commitment = serializers.IntegerField(min_value=1, max_value=5)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    notes = serializers.CharField(max_length=3000, required=False, default="", allow_blank=True)


class CalendarRenderer(JSONRenderer):
    """Lets a client ask for `text/calendar`; the file itself is returned as a plain response, errors as JSON."""

    media_type = "text/calendar"
    format = "ics"


# --- The viewset ---------------------------------------------------------------------------------------------

STAFF_ACTION = {"permission_classes": [CanReviewApplications]}


@extend_schema_view(
    list=extend_schema(responses=InterviewSerializer),
    retrieve=extend_schema(responses=InterviewSerializer),
)
class InterviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Interviews: your own as an applicant, every one as staff."""

    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status", "application"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Interview.objects.none()
        return interviews_visible_to(user=self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if permissions.can_review_applications(self.request.user):
            return InterviewSerializer
        return OwnInterviewSerializer

    def _respond(self, interview: Interview, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=interview.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _own(self) -> Interview:
        """The interview, for its applicant only: staff cannot answer on the applicant's behalf."""
        interview = self.get_object()
        if interview.application.person_id != self.request.user.pk:
            raise exceptions.PermissionDenied(_("Only the applicant can answer an interview invitation."))
        return interview

    @extend_schema(request=InterviewOfferInputSerializer, responses={201: InterviewSerializer})
    @action(detail=False, methods=["post"], **STAFF_ACTION)
    def offer(self, request):
        """Offer the applicant up to five times to pick from (the application must be shortlisted)."""
        payload = InterviewOfferInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_offer_slots(by=request.user, **payload.validated_data)
        return self._respond(interview, status.HTTP_201_CREATED)

    @extend_schema(request=InterviewScheduleInputSerializer, responses={201: InterviewSerializer})
    @action(detail=False, methods=["post"], **STAFF_ACTION)
    def schedule(self, request):
        """Set the time directly; with an interview already open for the application, this gives it a new time."""
        payload = InterviewScheduleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_schedule(by=request.user, **payload.validated_data)
        return self._respond(interview, status.HTTP_201_CREATED)

    @extend_schema(request=InterviewRescheduleInputSerializer, responses=InterviewSerializer)
    @action(detail=True, methods=["post"], **STAFF_ACTION)
    def reschedule(self, request, pk=None):
        """A new time: the same calendar event (UID) with a higher SEQUENCE, a new invite and a new reminder."""
        interview = self.get_object()
        payload = InterviewRescheduleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_reschedule(interview=interview, by=request.user, **payload.validated_data)
        return self._respond(interview)

    @extend_schema(request=InterviewConfirmInputSerializer, responses=InterviewSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The applicant picks one of the offered slots; both sides get the calendar invite."""
        interview = self._own()
        payload = InterviewConfirmInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        slot = interview.slots.filter(pk=payload.validated_data["slot"]).first()
        if slot is None:
            raise exceptions.ValidationError({"slot": [_("This time is not one of the times offered.")]})
        interview = interview_confirm_slot(interview=interview, slot=slot, by=request.user)
        return self._respond(interview)

    @extend_schema(request=InterviewMessageInputSerializer, responses=InterviewSerializer)
    @action(detail=True, methods=["post"], url_path="request-other-time")
    def request_other_time(self, request, pk=None):
        """None of the times work: the applicant's message goes to the interviewer."""
        interview = self._own()
        payload = InterviewMessageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_request_other_time(
            interview=interview, message=payload.validated_data["message"], by=request.user
        )
        return self._respond(interview)

    @extend_schema(request=InterviewCancelInputSerializer, responses=InterviewSerializer)
    @action(detail=True, methods=["post"], **STAFF_ACTION)
    def cancel(self, request, pk=None):
        """Call the interview off: calendars get METHOD:CANCEL, the application goes back to shortlisted."""
        interview = self.get_object()
        payload = InterviewCancelInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview = interview_cancel(interview=interview, by=request.user, reason=payload.validated_data["reason"])
        return self._respond(interview)

    @extend_schema(request=ScorecardInputSerializer, responses=InterviewSerializer)
    @action(detail=True, methods=["post"], **STAFF_ACTION)
    def scorecard(self, request, pk=None):
        """Record (or correct) the scorecard: the interview is completed and the application interviewed."""
        interview = self.get_object()
        payload = ScorecardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        interview_record_scorecard(interview=interview, by=request.user, **payload.validated_data)
        return self._respond(interview)

    @extend_schema(request=None, responses=InterviewSerializer)
    @action(detail=True, methods=["post"], url_path="no-show", **STAFF_ACTION)
    def no_show(self, request, pk=None):
        """The applicant did not come (only once the interview's time has passed)."""
        interview = interview_mark_no_show(interview=self.get_object(), by=request.user)
        return self._respond(interview)

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The interview as an iCalendar file (METHOD:PUBLISH, or CANCEL)."
            ),
            404: OpenApiResponse(description="Not your interview, or it has no time yet."),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CalendarRenderer])
    def ics(self, request, pk=None):
        """Download the interview for your calendar (same UID as the emailed invites)."""
        return ics_response(self.get_object())
