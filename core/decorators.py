"""View decorators shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

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


def staff_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A write endpoint of the journal whose service checks the writer's permission rows itself.

    A POST reaches the view without asking the user's roles (the journal's saves are its most frequent
    requests); any other method is refused as :func:`staff_required` and ``require_POST`` would: 403 for
    parents and students (§3.12), 405 for the staff.
    """

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            if not rules.is_staff(request.user):
                raise PermissionDenied
            return HttpResponseNotAllowed(["POST"])
        return view(request, *args, **kwargs)

    return wrapper
