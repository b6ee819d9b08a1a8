"""How the sign-in lock (django-axes, ``AXES_USERNAME_CALLABLE``) names the login it counts failures against."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.services.logins import normalize_login


def lockout_login(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The login in its one written form, as sign-in looks it up: ``TEACHER``, ``Teacher`` and ``teacher``
    share one count of five failures, not five each."""
    form = credentials or getattr(request, "POST", None) or {}
    raw = form.get("username")
    return normalize_login(raw if isinstance(raw, str) else "")
