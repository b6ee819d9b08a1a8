"""History rows record the IP address of the request that made the change."""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords


def record_ip(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None and hasattr(history_instance, "ip_address"):
        # REMOTE_ADDR is the client behind the trusted proxies (see AXES_IPWARE_* settings).
        history_instance.ip_address = request.META.get("REMOTE_ADDR") or None
