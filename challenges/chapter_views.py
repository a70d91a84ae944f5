"""Chapter pages: the public list, a chapter's page with Join / Leave, and its members for leads and staff.

Who sees what: chapters are public (name, place, Slack channel, description, the leads' names and the member
count); the member list is for the chapter's leads and staff only (`can_see_chapter_members`): visitors are sent
to sign in, other signed-in people get a 403, since the chapter itself is no secret. Closed chapters leave the
list (staff still see them) but keep their page, so their members can still leave.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omdena import permissions
from omdena.forms import error_text

from .chapter_forms import ChapterFilterForm
from .chapter_selectors import (
    chapter_countries,
    chapter_members_for,
    chapters_for_list,
    chapters_of,
    chapters_with_counts,
)
from .chapter_services import chapter_join, chapter_leave
from .enums import ChapterRole
from .models import Chapter

CHAPTERS_PAGE_SIZE = 12
MEMBERS_PAGE_SIZE = 50


def _chapter(slug: str) -> Chapter:
    """A chapter, open or closed (its members may still leave a closed one)."""
    return get_object_or_404(Chapter, slug=slug)


def chapter_list(request):
    staff = permissions.is_staff(request.user)
    form = ChapterFilterForm(request.GET or None, countries=chapter_countries(include_inactive=staff))
    # An unknown country in the address shows its error next to the field and the unfiltered list.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    chapters = chapters_for_list(query=filters.get("q", ""), country=filters.get("country", ""), include_inactive=staff)
    page = Paginator(chapters, CHAPTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # htmx swaps only the results when a filter changes; without JavaScript the form submits normally.
    template = "challenges/chapters/_results.html" if request.htmx else "challenges/chapters/chapter_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "is_filtered": bool(query),
            "my_chapters": chapters_of(person=request.user),
        },
    )


def chapter_detail(request, slug):
    chapter = get_object_or_404(chapters_with_counts(include_inactive=True), slug=slug)  # count and leads shown
    membership = None
    if request.user.is_authenticated:
        membership = chapter.members.filter(person=request.user).first()
    return render(
        request,
        "challenges/chapters/chapter_detail.html",
        {
            "chapter": chapter,
            "membership": membership,
            "is_lead": membership is not None and membership.role == ChapterRole.LEAD,
            "can_see_members": permissions.can_see_chapter_members(request.user, chapter),
        },
    )


@login_required
@require_POST
def chapter_join_view(request, slug):
    chapter = _chapter(slug)
    try:
        chapter_join(chapter=chapter, person=request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Welcome to %(chapter)s: you are now a member. Say hello in %(channel)s.")
            % {"chapter": chapter.name, "channel": chapter.slack_channel or _("the chapter's Slack channel")},
        )
    return redirect(chapter)


@login_required
@require_POST
def chapter_leave_view(request, slug):
    chapter = _chapter(slug)
    try:
        chapter_leave(chapter=chapter, person=request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("You left %(chapter)s.") % {"chapter": chapter.name})
    return redirect(chapter)


@login_required
def chapter_members(request, slug):
    """The chapter's people for its leads and staff, leads first; emails for staff only."""
    chapter = _chapter(slug)
    if not permissions.can_see_chapter_members(request.user, chapter):
        raise PermissionDenied
    page = Paginator(chapter_members_for(chapter=chapter), MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "challenges/chapters/chapter_members.html",
        {"chapter": chapter, "page": page, "show_email": permissions.is_staff(request.user)},
    )
