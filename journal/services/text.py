"""Checks of the short texts people type into a change: reasons and remarks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REASON_MAX_LENGTH = 255


def clean_reason(reason: str | None, *, missing: str | None) -> str:
    """The reason without surrounding spaces, at most 255 characters.

    ``missing`` is the message for an empty reason where one is required (``None``: it may be empty).
    """
    reason = (reason or "").strip()
    if not reason and missing is not None:
        raise ValidationError({"reason": missing})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason is too long: at most %(max)s characters.") % {"max": REASON_MAX_LENGTH}}
        )
    return reason
