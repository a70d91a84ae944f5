"""REST API for chapters: the public list and pages, joining and leaving, the member list for leads and staff,
and staff's writes (open or edit a chapter, name or step down leads).

Who sees what mirrors the pages: chapters are public (closed ones are listed for staff only); the member list is
for the chapter's leads and staff (`can_see_chapter_members`), 403 for everyone else. Writes go through
`challenges.chapter_services`. People appear by name and country, never by email.
"""

from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from collaborators.models import User
from omdena import permissions

from .chapter_selectors import chapter_members_for, chapters_for_list, chapters_with_counts
from .chapter_services import chapter_create, chapter_join, chapter_leave, chapter_set_lead, chapter_update
from .models import Chapter, ChapterMember

# --- serializers: shapes only --------------------------------------------------------------------------


class ChapterSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True, help_text="ISO 3166-1 alpha-2 code.")
    country_name = serializers.CharField(source="country.name", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    leads = serializers.SerializerMethodField(help_text="The leads' display names, never emails.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Chapter
        fields = [
            "slug",
            "name",
            "city",
            "country",
            "country_name",
            "slack_channel",
            "description",
            "is_active",
            "member_count",
            "leads",
            "url",
            "created_at",
        ]
        read_only_fields = fields

    def get_leads(self, chapter) -> list[str]:
        return [lead.person.name for lead in chapter.leads]

    def get_url(self, chapter) -> str:
        request = self.context.get("request")
        path = chapter.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ChapterInputSerializer(serializers.Serializer):
    """What staff send to open a chapter (all of it) or edit one (PATCH: any of it)."""

    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=120, required=False, help_text="Follows from the name when left out.")
    city = serializers.CharField(max_length=80, required=False, allow_blank=True)
    country = CountryField(help_text="ISO 3166-1 alpha-2 code, e.g. NG.")
    slack_channel = serializers.CharField(max_length=80, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, help_text="False closes the chapter to new members.")


class ChapterListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Name, city or country.")
    country = serializers.CharField(required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. KE.")

    def validate_country(self, value: str) -> str:
        code = value.strip().upper()
        if code and code not in countries:
            raise serializers.ValidationError(_("“%(code)s” is not a country code, e.g. KE.") % {"code": value})
        return code


class ChapterMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    country = serializers.CharField(source="person.country.code", read_only=True, help_text="Blank if not given.")

    class Meta:
        model = ChapterMember
        fields = ["name", "country", "role", "joined_at"]
        read_only_fields = fields


class ChapterLeadSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), help_text="A user's id.")
    is_lead = serializers.BooleanField(help_text="True names a lead (joining them if needed); false steps down.")


# --- viewset -------------------------------------------------------------------------------------------


class ChapterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Local chapters of collaborators: everyone reads; signed-in people join and leave; staff open and edit."""

    serializer_class = ChapterSerializer
    lookup_field = "slug"
    filter_backends: list = []  # `q` and `country` are the selector's; see `list`

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Chapter.objects.none()
        if self.action == "list":
            query = ChapterListQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return chapters_for_list(
                query=query.validated_data.get("q", ""),
                country=query.validated_data.get("country", ""),
                include_inactive=permissions.is_staff(self.request.user),
            )
        return chapters_with_counts(include_inactive=True)

    def _respond(self, chapter: Chapter, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = chapters_with_counts(include_inactive=True).get(pk=chapter.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _staff_only(self) -> None:
        if not permissions.is_staff(self.request.user):
            raise exceptions.PermissionDenied(_("Only staff open and edit chapters."))

    @extend_schema(parameters=[ChapterListQuerySerializer])
    def list(self, request, *args, **kwargs):
        """Chapters by name, searched by name, city or country name, or filtered to one country."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ChapterInputSerializer, responses={201: ChapterSerializer})
    def create(self, request):
        """Open a chapter (staff)."""
        self._staff_only()
        payload = ChapterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        chapter = chapter_create(by=request.user, **payload.validated_data)
        return self._respond(chapter, status.HTTP_201_CREATED)

    @extend_schema(request=ChapterInputSerializer, responses=ChapterSerializer)
    def update(self, request, slug=None):
        """Replace a chapter's details (staff)."""
        return self._edit(request, partial=False)

    @extend_schema(request=ChapterInputSerializer, responses=ChapterSerializer)
    def partial_update(self, request, slug=None):
        """Change some of a chapter's details, e.g. `is_active: false` to close it (staff)."""
        return self._edit(request, partial=True)

    def _edit(self, request, *, partial: bool) -> Response:
        self._staff_only()
        chapter = self.get_object()
        payload = ChapterInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        return self._respond(chapter_update(chapter=chapter, by=request.user, data=payload.validated_data))

    @extend_schema(request=None, responses=ChapterSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def join(self, request, slug=None):
        """Join the chapter as a member; joining twice changes nothing. A closed chapter answers 400."""
        chapter = self.get_object()
        chapter_join(chapter=chapter, person=request.user, by=request.user)
        return self._respond(chapter)

    @extend_schema(request=None, responses=ChapterSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def leave(self, request, slug=None):
        """Leave the chapter; leaving twice changes nothing. The only lead of a chapter with members gets 400."""
        chapter = self.get_object()
        chapter_leave(chapter=chapter, person=request.user, by=request.user)
        return self._respond(chapter)

    @extend_schema(responses=ChapterMemberSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def members(self, request, slug=None):
        """The chapter's members, leads first (its leads and staff only)."""
        chapter = self.get_object()
        if not permissions.can_see_chapter_members(request.user, chapter):
            raise exceptions.PermissionDenied(_("Only the chapter's leads and staff see its members."))
        page = self.paginate_queryset(chapter_members_for(chapter=chapter))
        return self.get_paginated_response(ChapterMemberSerializer(page, many=True).data)

    @extend_schema(request=ChapterLeadSerializer, responses=ChapterSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def leads(self, request, slug=None):
        """Name a lead or step one down (staff); the last lead cannot step down while members remain."""
        chapter = self.get_object()
        if not permissions.is_staff(request.user):
            raise exceptions.PermissionDenied(_("Only staff name or step down chapter leads."))
        payload = ChapterLeadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        chapter_set_lead(
            chapter=chapter,
            person=payload.validated_data["person"],
            by=request.user,
            is_lead=payload.validated_data["is_lead"],
        )
        return self._respond(chapter)
