"""REST API for certificates: public verification by id, a person's own list, staff revoking."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from challenges.api import IsStaff
from omdena import permissions

from .certificate_links import pdf_url, verification_url
from .models import Certificate
from .services.certificates import certificate_revoke


class CertificateSerializer(serializers.ModelSerializer):
    is_valid = serializers.BooleanField(read_only=True)
    verification_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text="Empty once the certificate is revoked.")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "holder_name",
            "challenge_title",
            "organisation_name",
            "role",
            "started_on",
            "ended_on",
            "issued_at",
            "is_valid",
            "revoked_at",
            "revocation_reason",
            "verification_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_verification_url(self, certificate: Certificate) -> str:
        return verification_url(certificate)

    def get_pdf_url(self, certificate: Certificate) -> str:
        return pdf_url(certificate) if certificate.is_valid else ""


class CertificateRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Shown on the public verification page.")


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Certificates. Anyone may verify one by its id (the id is unguessable); the list is your own, or every
    certificate for staff (filter with `?challenge=<slug>`)."""

    serializer_class = CertificateSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_permissions(self):
        if self.action == "retrieve":
            return [AllowAny()]
        if self.action == "revoke":
            return [IsStaff()]
        return [IsAuthenticated()]

    def get_queryset(self):
        certificates = Certificate.objects.order_by("-issued_at", "pk")
        if self.action in ("retrieve", "revoke") or getattr(self, "swagger_fake_view", False):
            return certificates
        user = self.request.user
        if not permissions.is_staff(user):
            certificates = certificates.filter(membership__person=user)
        challenge = self.request.query_params.get("challenge")
        if challenge:
            certificates = certificates.filter(membership__challenge__slug=challenge)
        return certificates

    @extend_schema(request=CertificateRevokeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a certificate (staff); its verification page and this API then say revoked, and why."""
        certificate = get_object_or_404(self.get_queryset(), pk=pk)
        payload = CertificateRevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            certificate = certificate_revoke(certificate=certificate, by=request.user, **payload.validated_data)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return Response(self.get_serializer(certificate).data)
