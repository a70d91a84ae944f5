from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

admin.site.site_header = "Omdena Challenges: staff admin"
admin.site.site_title = "Omdena Challenges admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("omdena.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("notifications.urls")),
    path("staff/onboarding/", include("activity.staff_urls")),
    path("staff/", include("collaborators.staff_urls")),
    path("referrals/", include("referrals.urls")),
    path("certificates/", include("collaborators.certificate_urls")),
    path("", include("activity.urls")),
    path("", include("collaborators.community_urls")),
    path("", include("collaborators.urls")),
    path("", include("challenges.dashboard_urls")),
    path("", include("challenges.task_urls")),
    path("chapters/", include("challenges.chapter_urls")),
    path("", include("challenges.urls")),
]

handler403 = "omdena.views.permission_denied"
handler404 = "omdena.views.page_not_found"
handler500 = "omdena.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
