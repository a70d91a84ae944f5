from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.selectors import history_for
from omdena import permissions
from omdena.errors import TransitionNotAllowed

from .enums import ChallengeStatus
from .filters import ChallengeFilter
from .models import Organisation
from .selectors import challenge_catalogue, challenges_visible_to, platform_counts, seat_counts
from .services import CHALLENGE_ACTIONS, allowed_actions

CATALOGUE_PAGE_SIZE = 12


def home(request):
    catalogue = challenge_catalogue(user=request.user)
    return render(
        request,
        "challenges/home.html",
        {
            "open_challenges": catalogue.filter(status=ChallengeStatus.OPEN)[:6],
            "running_challenges": catalogue.filter(status=ChallengeStatus.RUNNING)[:3],
            "counts": platform_counts(),
        },
    )


def challenge_list(request):
    challenge_filter = ChallengeFilter(request.GET or None, queryset=challenge_catalogue(user=request.user))
    page = Paginator(challenge_filter.qs, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # htmx swaps only the results when a filter changes; without JavaScript the form submits normally.
    template = "challenges/_results.html" if request.htmx else "challenges/challenge_list.html"
    return render(
        request,
        template,
        {"filter": challenge_filter, "page": page, "query": query.urlencode(), "is_filtered": bool(query)},
    )


def challenge_detail(request, slug):
    challenge = get_object_or_404(challenges_visible_to(user=request.user), slug=slug)
    can_manage = permissions.can_manage_challenge(request.user, challenge)
    my_application = None
    if request.user.is_authenticated:
        my_application = challenge.applications.filter(person=request.user).first()
    return render(
        request,
        "challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "my_application": my_application,
            "week": challenge.week(),
            "can_manage": can_manage,
            "can_view_progress": permissions.can_view_client_dashboard(request.user, challenge),
            "actions": allowed_actions(challenge) if can_manage else [],
            "history": history_for(subject=challenge)[:10] if can_manage else [],
            "seats": seat_counts(challenge=challenge) if can_manage else {},
        },
    )


@login_required
@require_POST
def challenge_transition(request, slug, action):
    challenge = get_object_or_404(challenges_visible_to(user=request.user), slug=slug)
    if not permissions.can_manage_challenge(request.user, challenge):
        raise PermissionDenied
    service = CHALLENGE_ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        challenge = service(challenge=challenge, by=request.user, note=request.POST.get("note", "")[:500])
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.") % {"title": challenge.title, "status": challenge.get_status_display()},
        )
    return redirect(challenge)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    challenges = challenge_catalogue(user=request.user).filter(organisation=organisation)
    return render(
        request, "challenges/organisation_detail.html", {"organisation": organisation, "challenges": challenges}
    )
