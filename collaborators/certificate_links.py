"""Where a certificate can be seen: its public verification page, its PDF, and LinkedIn's "add to profile"."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from omdena.site import absolute_url

# LinkedIn's documented "Add to profile" link for certifications (no API call: the person's browser opens it).
# https://addtoprofile.linkedin.com/
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def verification_url(certificate) -> str:
    return absolute_url(reverse("certificate_verify", args=[certificate.pk]))


def pdf_url(certificate) -> str:
    return absolute_url(reverse("certificate_pdf", args=[certificate.pk]))


def linkedin_add_url(certificate) -> str:
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{certificate.challenge_title} ({certificate.get_role_display()})",
        "organizationName": settings.CERTIFICATE_ISSUER,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
        "certUrl": verification_url(certificate),
        "certId": str(certificate.pk),
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(query)}"
