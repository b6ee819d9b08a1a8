"""The worker's own heartbeat (read by ``/health/``)."""

from __future__ import annotations

from celery import shared_task

from core.health import worker_heartbeat


@shared_task(name="core.worker_heartbeat", max_retries=0, ignore_result=True)
def heartbeat() -> None:
    """Every minute (beat): the worker is alive and takes tasks."""
    worker_heartbeat()
