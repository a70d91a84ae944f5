from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from activity.selectors import onboarding_steps_for
from audit.selectors import history_for
from challenges.chapter_selectors import chapters_of
from challenges.selectors import challenges_visible_to
from omdena.errors import TransitionNotAllowed
from referrals.selectors import referral_codes_by_challenge, referral_summary

from .certificate_links import linkedin_add_url
from .enums import OPEN_APPLICATION_STATES, ApplicationStatus
from .forms import ApplicationForm, ProfileForm
from .models import Application
from .selectors import applications_for_person, pace_by_challenge, queue_position, review_pace, wait_estimate
from .services import profile_update
from .services.applications import application_submit, application_withdraw
from .throttling import application_submit_allowed
from .wording import waiting_summary

REFERRAL_SESSION_KEY = "referral_code"


@login_required
def profile_edit(request):
    person = request.user
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        profile_update(person=person, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect(request.GET.get("next") or "profile_edit")
    # A failed form must not leave half-applied values on request.user for the rest of the page.
    if form.is_bound and not form.is_valid():
        person.refresh_from_db()
    return render(request, "collaborators/profile_form.html", {"form": form, "person": person})


@login_required
def dashboard(request):
    """The signed-in person's home: their applications with queue places, and what to do next."""
    applications = list(applications_for_person(person=request.user))
    pace = pace_by_challenge(challenge_ids={a.challenge_id for a in applications if a.queue_position})
    for application in applications:
        if application.queue_position:
            estimate = wait_estimate(position=application.queue_position, pace_per_week=pace[application.challenge_id])
            application.waiting = waiting_summary(application=application, estimate=estimate)
    return render(
        request,
        "collaborators/dashboard.html",
        {
            "person": request.user,
            "applications": applications,
            "memberships": request.user.memberships.select_related("challenge", "certificate"),
            "referrals": referral_summary(owner=request.user),
            "chapters": chapters_of(person=request.user),
        },
    )


@login_required
def apply(request, slug):
    challenge = get_object_or_404(challenges_visible_to(user=request.user), slug=slug)
    existing = Application.objects.filter(person=request.user, challenge=challenge).first()
    if existing is not None:
        messages.info(request, _("You have already applied to this challenge."))
        return redirect("application_detail", pk=existing.pk)
    if not challenge.accepts_applications:
        messages.error(request, _("This challenge is not accepting applications."))
        return redirect(challenge)
    initial = {"referral_code": request.GET.get("code") or request.session.get(REFERRAL_SESSION_KEY, "")}
    form = ApplicationForm(request.POST or None, person=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not application_submit_allowed(request):
            messages.error(request, _("Too many applications in a short time. Please wait an hour and try again."))
            return render(request, "collaborators/apply.html", {"form": form, "challenge": challenge}, status=429)
        data = dict(form.cleaned_data)
        data["country"] = str(data["country"])
        try:
            application = application_submit(
                person=request.user, challenge=challenge, data=data, referral_code=data.pop("referral_code")
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session.pop(REFERRAL_SESSION_KEY, None)
            position = queue_position(application=application)
            messages.success(
                request,
                _("Your application is in. You are #%(position)d in the queue for “%(title)s”.")
                % {"position": position, "title": challenge.title},
            )
            return redirect("application_detail", pk=application.pk)
    return render(request, "collaborators/apply.html", {"form": form, "challenge": challenge})


def _own_application(request, pk) -> Application:
    """The applicant's own application; anyone else's is a 404, so ids reveal nothing."""
    return get_object_or_404(
        Application.objects.select_related("challenge", "referral_code"), pk=pk, person=request.user
    )


@login_required
def application_detail(request, pk):
    application = _own_application(request, pk)
    position = queue_position(application=application)
    waiting = None
    if position:
        application.queue_position = position
        estimate = wait_estimate(position=position, pace_per_week=review_pace(challenge=application.challenge_id))
        waiting = waiting_summary(application=application, estimate=estimate)
    # The applicant sees when their status changed, not which staff member changed it.
    timeline = [entry for entry in history_for(subject=application) if entry.to_state]
    for entry in timeline:
        entry.to_state_label = ApplicationStatus(entry.to_state).label
    return render(
        request,
        "collaborators/application_detail.html",
        {
            "application": application,
            "waiting": waiting,
            "timeline": timeline,
            "can_withdraw": application.status in OPEN_APPLICATION_STATES,
            "can_decline": application.status == ApplicationStatus.ACCEPTED,
        },
    )


@login_required
def application_withdraw_view(request, pk):
    application = _own_application(request, pk)
    if request.method == "POST":
        try:
            application_withdraw(application=application, by=request.user, note=request.POST.get("reason", "")[:500])
        except TransitionNotAllowed:
            messages.error(request, _("This application can no longer be withdrawn."))
        else:
            messages.success(
                request, _("Your application to “%(title)s” is withdrawn.") % {"title": application.challenge.title}
            )
        return redirect("dashboard")
    return render(request, "collaborators/application_withdraw.html", {"application": application})


@login_required
def my_challenges(request):
    """The person's seats: role, status, and where their Slack and GitHub access stands."""
    memberships = list(
        request.user.memberships.select_related(
            "challenge", "challenge__organisation", "application", "certificate"
        ).order_by("-joined_at")
    )
    steps_by_membership = onboarding_steps_for(memberships=memberships)
    codes_by_challenge = referral_codes_by_challenge(owner=request.user)
    for membership in memberships:
        membership.steps = steps_by_membership.get(membership.pk, [])
        certificate = getattr(membership, "certificate", None)
        membership.linkedin_url = linkedin_add_url(certificate) if certificate and certificate.is_valid else ""
        membership.referral_code = codes_by_challenge.get(membership.challenge_id)
    return render(request, "collaborators/my_challenges.html", {"memberships": memberships})
