from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared web plumbing of every app: no models."""

    name = "core"
    verbose_name = _("Common")
