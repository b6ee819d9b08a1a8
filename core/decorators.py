"""View decorators shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from journal import rules


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the journal side: parents and students never reach them (§3.12)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.is_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def deny_unless(allowed: bool) -> None:
    """403 unless ``allowed`` (a rule of :mod:`journal.rules` about the requesting user)."""
    if not allowed:
        raise PermissionDenied
