from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import profile_update


@login_required
def profile_edit(request):
    person = request.user
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        profile_update(person=person, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("profile_edit")
    # A failed form must not leave half-applied values on request.user for the rest of the page.
    if form.is_bound and not form.is_valid():
        person.refresh_from_db()
    return render(request, "collaborators/profile_form.html", {"form": form, "person": person})


@login_required
def dashboard(request):
    """The signed-in person's home: what to do next, by role."""
    return render(request, "collaborators/dashboard.html", {"person": request.user})
