"""Certificates: the public verification page, the PDF, and staff revoking one."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from omdena import permissions
from omdena.exports import attachment

from .certificate_links import linkedin_add_url, verification_url
from .certificate_pdf import certificate_pdf
from .models import Certificate
from .services.certificates import certificate_revoke


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        help_text=gettext_lazy("Shown on the public verification page."),
    )


def _find(pk: str) -> Certificate | None:
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        return None
    return Certificate.objects.select_related("membership__person").filter(pk=key).first()


def _verification_page(request, certificate: Certificate | None, *, form=None, status: int = 200):
    if certificate is None:
        return render(request, "collaborators/certificates/unknown.html", status=404)
    is_holder = request.user.is_authenticated and certificate.membership.person_id == request.user.pk
    context = {
        "certificate": certificate,
        "verification_url": verification_url(certificate),
        "is_holder": is_holder,
        "linkedin_url": linkedin_add_url(certificate) if is_holder and certificate.is_valid else "",
        "can_revoke": permissions.is_staff(request.user) and certificate.is_valid,
        "form": form or CertificateRevokeForm(),
    }
    return render(request, "collaborators/certificates/verify.html", context, status=status)


def certificate_verify(request, pk):
    """Public: anyone with the link (or the QR code) sees whether the certificate is valid."""
    return _verification_page(request, _find(pk))


def certificate_download(request, pk):
    """The PDF of a valid certificate; a revoked one is not handed out again (its page says why)."""
    certificate = _find(pk)
    if certificate is None or not certificate.is_valid:
        return _verification_page(request, certificate, status=404 if certificate is None else 410)
    filename = (
        f"certificate-{slugify(certificate.holder_name) or 'omdena'}-{slugify(certificate.challenge_title)[:60]}.pdf"
    )
    return attachment(certificate_pdf(certificate), content_type="application/pdf", filename=filename)


@require_POST
def certificate_revoke_view(request, pk):
    if not permissions.is_staff(request.user):
        raise PermissionDenied
    certificate = _find(pk)
    form = CertificateRevokeForm(request.POST)
    if certificate is None or not form.is_valid():
        return _verification_page(request, certificate, form=form, status=404 if certificate is None else 400)
    try:
        certificate_revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_error("reason", error.message_dict.get("reason", error.messages))
        return _verification_page(request, certificate, form=form, status=400)
    messages.success(request, _("The certificate is revoked. Its verification page now says so."))
    return redirect(certificate)
