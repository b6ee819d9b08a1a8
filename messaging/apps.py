from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages and notifications")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from messaging.services.notifications import notify_new_device

        # After django-axes' own receiver (its app is ready first): the sign-in is in its log by then.
        user_logged_in.connect(notify_new_device, dispatch_uid="messaging_new_device")
