from django.db import models
from django.utils.translation import gettext_lazy as _


class ExperienceLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    EXPERIENCED = "experienced", _("Experienced")
