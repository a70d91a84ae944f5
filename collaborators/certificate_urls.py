from django.urls import path

from . import certificate_views

urlpatterns = [
    path("<str:pk>/", certificate_views.certificate_verify, name="certificate_verify"),
    path("<str:pk>/certificate.pdf", certificate_views.certificate_download, name="certificate_pdf"),
    path("<str:pk>/revoke/", certificate_views.certificate_revoke_view, name="certificate_revoke"),
]
