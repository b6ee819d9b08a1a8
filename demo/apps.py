from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo school and the benchmark commands (no models)."""

    name = "demo"
    verbose_name = _("Demo school")
