"""The second factor (django-otp): a TOTP device set up by scanning its QR code and confirmed by its first
code, ten single-use recovery codes for a lost phone, and signing this session in with either."""

from __future__ import annotations

import io

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

RECOVERY_CODES = 10


def pending_totp(user: User) -> TOTPDevice:
    """The user's TOTP device being set up (made on first call, unconfirmed until its first code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def totp_qr_svg(device: TOTPDevice) -> str:
    """The QR code an authenticator app scans (an inline SVG)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The key to type in by hand, in groups of four (base32)."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def totp_confirm(*, request: HttpRequest, user: User, token: str) -> list[str]:
    """The first code from the app confirms the device and signs this session in; any earlier device and
    recovery codes go. Returns the new recovery codes (shown once, stored hashed by nothing else than
    django-otp's table)."""
    device = pending_totp(user)
    if not device.verify_token(token.replace(" ", "")):
        raise ValidationError(_("The code does not match: type the six digits the app shows now."))
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    otp_login(request, device)
    return codes


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> None:
    """A code of the app or a recovery code (which is then used up) signs this session in."""
    device = match_token(user, token.replace(" ", "").strip())
    if device is None:
        raise ValidationError(_("The code does not match. Try the current one, or a recovery code."))
    otp_login(request, device)
