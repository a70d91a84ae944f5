from django.conf import settings

from omdena import permissions


def platform(request):
    """Values every page needs: social login availability and the viewer's roles."""
    user = request.user
    return {
        "github_login_enabled": bool(settings.GITHUB_OAUTH_CLIENT_ID),
        "slack_login_enabled": bool(settings.SLACK_OAUTH_CLIENT_ID),
        "viewer_is_staff": permissions.is_staff(user),
        "viewer_is_client": permissions.is_client_user(user),
    }
