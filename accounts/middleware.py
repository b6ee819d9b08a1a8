from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_otp import user_has_device

from accounts.roles import Role
from accounts.services.users import interface_languages

if TYPE_CHECKING:
    from accounts.models import User

_ALLOWED_WHILE_FORCED = ("password_change", "logout", "set_language", "compromise_report")


def chosen_language(request: HttpRequest) -> str:
    """The interface language of a request: the signed-in user's choice, else the one chosen on this
    browser before signing in (the language cookie), else Russian. The browser's Accept-Language is not
    asked: a school's computers and parents' phones are often set to English."""
    available = interface_languages()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in available:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in available else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activates :func:`chosen_language` for the request (in place of Django's LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class PasswordChangeRequiredMiddleware:
    """A user with an issued (single-use) password must set their own first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in _ALLOWED_WHILE_FORCED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.headers.get("HX-Request"):
                    # A fragment the page asks for (the messages badge): nothing, not the password page
                    # swapped into the navigation.
                    return HttpResponse(status=204)
                return redirect("password_change")
        return self.get_response(request)


_ALLOWED_BEFORE_SECOND_FACTOR = (*_ALLOWED_WHILE_FORCED, "mfa_setup", "mfa_verify")


def second_factor_required(user: User) -> bool:
    """Whoever can reach administration: a superuser (every school's admin, with no school role) or a holder
    of one of ``MFA_REQUIRED_ROLES`` in any school."""
    return user.is_superuser or user.has_role_anywhere(*(Role(name) for name in settings.MFA_REQUIRED_ROLES))


class SecondFactorRequiredMiddleware:
    """Whoever :func:`second_factor_required` names reaches nothing before the second factor of this session:
    no device yet, its set-up; else the code (or a recovery code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and second_factor_required(user)
        ):
            allowed = {reverse(name) for name in _ALLOWED_BEFORE_SECOND_FACTOR}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204)
                target = "mfa_verify" if user_has_device(user, confirmed=True) else "mfa_setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages with children's data must not stay in shared browser caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


# A session's idle time is refreshed at most this often: one session write a minute, not a request.
IDLE_REFRESH_SECONDS = 60


def session_policy(request: HttpRequest, user: object) -> None:
    """Staff sessions end after ``STAFF_IDLE_MINUTES`` without a request; a family's when the browser
    closes or after ``FAMILY_IDLE_MINUTES`` without a request, whichever comes first (a shared home computer
    left on). Set at login and kept by :class:`IdleTimeoutMiddleware`."""
    from journal import rules

    request.session["seen_at"] = int(time.time())
    if rules.is_staff(user):  # type: ignore[arg-type]
        request.session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)
    else:
        # The cookie ends with the browser, so the session's own expiry cannot also be the idle time: the
        # idle limit is kept beside it and checked on each request.
        request.session.set_expiry(0)
        request.session["idle_limit"] = settings.FAMILY_IDLE_MINUTES * 60


class IdleTimeoutMiddleware:
    """Moves a session's idle time on while the user works: a staff session's expiry is its last save plus
    the idle time, so saving it once a minute makes the idle time the limit; a family's session, whose
    cookie ends with the browser, is ended here once its ``idle_limit`` has passed since the last request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        seen = session.get("seen_at") if session is not None else None
        if session is not None and seen is not None:
            idle = time.time() - seen
            limit = session.get("idle_limit")
            if limit is not None and idle >= limit:
                logout(request)  # the session flushed: the page asks to sign in again
            elif idle >= IDLE_REFRESH_SECONDS:
                session["seen_at"] = int(time.time())  # modified: saved with the expiry moved on
        return self.get_response(request)
