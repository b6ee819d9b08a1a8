from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryIP(models.Model):
    """Base of every history row: the IP address the change came from."""

    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True
