from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import user_has_device

from accounts.middleware import second_factor_required
from accounts.selectors.logins import sign_ins
from accounts.services.compromise import compromise_report
from accounts.services.mfa import pending_totp, second_factor_verify, secret_text, totp_confirm, totp_qr_svg
from accounts.services.users import user_language_set, user_password_changed
from core.params import next_url, parse_moment
from journal import rules


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: Django's (the cookie, back to the page), and for a signed-in user the choice is
    remembered with the account, so it follows them to another browser."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))  # type: ignore[arg-type]
    return response


@login_required
def login_history(request: HttpRequest) -> HttpResponse:
    """The user's own sign-ins and failed attempts (time, IP, browser), and the way to report a stranger's."""
    return render(request, "accounts/login_history.html", {"rows": sign_ins(request.user.username, limit=50)})


@login_required
@require_http_methods(["GET", "POST"])
def compromise_report_view(request: HttpRequest) -> HttpResponse:
    """«Мой вход скомпрометирован» (§3.15): the account is locked at once and the user signed out."""
    now = timezone.localtime()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("confirm") != "1":
                raise ValidationError(_("Tick the box to confirm: the login is locked at once."))
            discovered = _moment(request.POST.get("discovered_at", ""), now)
            user = request.user
            report = compromise_report(user=user, discovered_at=discovered)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            logout(request)
            return render(request, "accounts/compromise_done.html", {"report": report})
    return render(
        request,
        "accounts/compromise_report.html",
        {"now": now, "default": now.strftime("%Y-%m-%dT%H:%M")},
        status=status,
    )


def _moment(raw: str, now: datetime.datetime) -> datetime.datetime:
    """The form's time of noticing; empty: now."""
    try:
        return parse_moment(raw) or now
    except ValueError:
        raise ValidationError(_("«%(value)s» is not a date and time.") % {"value": raw}) from None


def _next(request: HttpRequest) -> str:
    return next_url(request, reverse("home"))


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: its QR code (or key), then its first code; the recovery codes once."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():  # type: ignore[union-attr]
        # Replacing the app takes the second factor first: a password alone must not enrol a new phone.
        return redirect(f"{reverse('mfa_verify')}?next={reverse('mfa_setup')}")
    device = pending_totp(user)  # type: ignore[arg-type]
    status = 200
    if request.method == "POST":
        try:
            codes = totp_confirm(
                request=request,
                user=user,  # type: ignore[arg-type]
                token=request.POST.get("token", ""),
                enrolment_code=request.POST.get("enrolment_code", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next(request)})
    context = {
        "qr": totp_qr_svg(device),
        "secret": secret_text(device),
        "next": _next(request),
        "required": second_factor_required(user),  # type: ignore[arg-type]
        "has_device": user_has_device(user, confirmed=True),
        "needs_code": rules.needs_enrolment_code(user),  # type: ignore[arg-type]
    }
    return render(request, "accounts/mfa_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the app's current code, or a recovery code."""
    status = 200
    if request.method == "POST":
        try:
            second_factor_verify(request=request, user=request.user, token=request.POST.get("token", ""))  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return redirect(_next(request))
    return render(request, "accounts/mfa_verify.html", {"next": _next(request)}, status=status)
