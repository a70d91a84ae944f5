from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaboratorsConfig(AppConfig):
    name = "collaborators"
    verbose_name = _("Collaborators")

    def ready(self) -> None:
        from . import auth_adapters  # noqa: F401  (connects allauth's account-connected signal)
