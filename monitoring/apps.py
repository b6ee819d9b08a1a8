from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("Monitoring of the journal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from monitoring.activity import count_login

        user_logged_in.connect(count_login, dispatch_uid="monitoring-count-login")
