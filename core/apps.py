from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared web plumbing of every app: no models."""

    name = "core"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from core.sqlite import unicode_text

        connection_created.connect(unicode_text, dispatch_uid="core.sqlite.unicode_text")
