"""REST API for the signed-in person's own profile (`/api/v1/me/`)."""

from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from .forms import normalise_github_username, normalise_slack_user_id
from .models import User
from .services import profile_update


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
