from __future__ import annotations

from celery import shared_task
from django.db import transaction

from journal.permissions import repair_drift


@shared_task(name="journal.refresh_object_permissions", max_retries=3, acks_late=True)
def refresh_object_permissions() -> int:
    """Daily: assignments that start or end by date gain or lose their access."""
    with transaction.atomic():
        return repair_drift()
