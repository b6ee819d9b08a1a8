from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("School journal")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from journal.history import record_ip

        pre_create_historical_record.connect(record_ip, dispatch_uid="journal.history.record_ip")
