"""Chapters: local communities of collaborators (a city or a country), each with one or more leads."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..enums import ChapterRole


class Chapter(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    country = CountryField(_("country"), db_index=True)
    slack_channel = models.CharField(
        _("Slack channel"), max_length=80, blank=True, help_text=_("The chapter's channel, e.g. #chapter-lagos.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ChapterMember", related_name="chapters", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chapter_detail", args=[self.slug])


class ChapterMember(models.Model):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chapter_memberships")
    role = models.CharField(_("role"), max_length=8, choices=ChapterRole.choices, default=ChapterRole.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["chapter", "-role", "joined_at"]
        verbose_name = _("chapter member")
        verbose_name_plural = _("chapter members")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "person"], name="chapter_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.chapter}"
