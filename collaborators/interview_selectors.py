"""Read queries for interviews, shared by the pages, the panels and the API."""

from django.db.models import QuerySet

from omdena import permissions

from .models import Application, Interview


def _with_relations(queryset: QuerySet[Interview]) -> QuerySet[Interview]:
    return queryset.select_related(
        "application__person", "application__challenge", "interviewer", "scorecard__author"
    ).prefetch_related("slots")


def interviews_visible_to(*, user) -> QuerySet[Interview]:
    """Staff see every interview; an applicant sees only their own (anyone else's id is then a 404)."""
    interviews = _with_relations(Interview.objects.all())
    if permissions.can_review_applications(user):
        return interviews
    if not (user and user.is_authenticated):
        return interviews.none()
    return interviews.filter(application__person=user)


def interviews_of_application(*, application: Application) -> list[Interview]:
    """An application's interviews, newest first (at most one of them open)."""
    return list(_with_relations(Interview.objects.filter(application=application)).order_by("-created_at", "-id"))
