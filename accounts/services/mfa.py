"""The second factor (django-otp): a TOTP device set up by scanning its QR code and confirmed by its first
code, ten single-use recovery codes for a lost phone, and signing this session in with either.

A person of the administration whose password someone else issued sets the device up only with an enrolment
code given by someone other than that password's issuer (``journal.rules.needs_enrolment_code``,
:func:`enrolment_code_give`): the issuer alone never enrols a phone on the login."""

from __future__ import annotations

import datetime
import hashlib
import io
import secrets

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EnrolmentCode, User
from accounts.services.users import generate_password

RECOVERY_CODES = 10
# An enrolment code is handed over in person and used soon; an old one is void.
ENROLMENT_CODE_DAYS = 7


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace(" ", "").replace("-", "").strip().encode()).hexdigest()


@transaction.atomic
def enrolment_code_give(*, actor: User, user: User) -> str:
    """A one-time code with which ``user`` sets up their second factor after an issued password; shown to
    ``actor`` once (to hand to the person), stored hashed; any earlier unused code is void."""
    from journal import rules

    if not rules.gives_enrolment_code(actor, user):
        raise PermissionDenied(
            _(
                "The enrolment code is given by someone who did not issue the person's password: the superuser or "
                "another administrator of one of their schools."
            )
        )
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = generate_password(12)
    EnrolmentCode.objects.create(user=user, code_hash=_code_hash(code), issued_by=actor)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _enrolment_code_take(user: User, code: str) -> None:
    """Use up the enrolment code typed by ``user``, or refuse: it must be the last one given, unused, recent,
    and given by someone other than whoever issued the current password."""
    from journal import rules

    given = EnrolmentCode.objects.select_for_update().filter(user=user, used_at__isnull=True).first()
    issue = rules.latest_issue(user)
    valid = (
        given is not None
        and code.strip() != ""
        and secrets.compare_digest(given.code_hash, _code_hash(code))
        and given.issued_at >= timezone.now() - datetime.timedelta(days=ENROLMENT_CODE_DAYS)
        and given.issued_by_id is not None
        and (issue is None or given.issued_by_id != issue.issued_by_id)
    )
    if not valid:
        raise ValidationError(
            _(
                "Your password was issued by someone else: setting up the second step also takes the enrolment "
                "code given to you in person by the superuser or another administrator. This one does not match."
            )
        )
    assert given is not None  # noqa: S101 - checked above
    given.used_at = timezone.now()
    given.save(update_fields=["used_at"])


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """A lost phone and lost recovery codes: the person's devices and codes go, and the next sign-in sets up
    the app again (after a password someone else issued, with an enrolment code). Only whoever may manage
    the login (``journal.rules.may_manage_login``)."""
    from journal import rules

    if not rules.may_manage_login(actor, user):
        raise PermissionDenied(_("Only the superuser or an administrator of each of the person's schools does that."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    from messaging.services.notifications import notify_login_changed

    notify_login_changed(actor=actor, users=[user], change="second_step")


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
def totp_confirm(*, request: HttpRequest, user: User, token: str, enrolment_code: str = "") -> list[str]:
    """The first code from the app confirms the device and signs this session in; any earlier device and
    recovery codes go. Returns the new recovery codes (shown once, stored hashed by nothing else than
    django-otp's table). When the rule asks for it, the enrolment code too (used up)."""
    from journal import rules

    device = pending_totp(user)
    if not device.verify_token(token.replace(" ", "")):
        raise ValidationError(_("The code does not match: type the six digits the app shows now."))
    if rules.needs_enrolment_code(user):
        _enrolment_code_take(user, enrolment_code)
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
