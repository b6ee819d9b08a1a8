"""Concurrent edits of one row (a mark, an attendance entry, homework): detected by version, never lost.

Each such row carries a ``version``. A save names the version it was based on (``None`` for a row the
user saw empty); the row is re-read under a lock and the versions compared, so of two concurrent saves
based on the same version exactly one wins; the other gets :class:`StaleEdit` with the value now stored
and who stored it. Two concurrent creations of the same row are decided by the database's unique
constraint the same way.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User


class StaleEdit(ValidationError):  # noqa: N818 - the name the journal's callers use
    """A save based on a version that is no longer the stored one.

    Carries what is stored now: ``value`` (``None`` when the row was removed), ``author`` and ``at`` (who
    stored or removed it, and when) and ``current_version`` (``None`` when there is no row), so the cell can
    show it and the teacher can decide again. ``state`` is set by the service that knows the whole cell.
    """

    def __init__(
        self,
        *,
        value: str | None,
        author: User | None,
        at: datetime.datetime | None,
        current_version: int | None,
    ) -> None:
        self.value = value
        self.author = author
        self.at = at
        self.current_version = current_version
        self.state: Any = None
        params = {
            "author": author.short_name if author is not None else _("someone"),
            "time": timezone.localtime(at).strftime("%d.%m.%Y %H:%M") if at is not None else "—",
            "value": value or "",
        }
        if value is None:
            message = _("Meanwhile %(author)s cleared this cell (%(time)s). Check it and enter again.") % params
        else:
            message = (
                _("Meanwhile %(author)s saved «%(value)s» in this cell (%(time)s). Check it and enter again.") % params
            )
        super().__init__(message, code="stale")


def stale_from_row(row: Any, value: str) -> StaleEdit:
    """The row as stored now (with its ``author``, ``updated_at`` and ``version``) shown as ``value``."""
    return StaleEdit(value=value, author=row.author, at=row.updated_at, current_version=row.version)


def stale_from_deletion(history: Any) -> StaleEdit:
    """The row is gone: report who removed it, from its history rows, if known."""
    last = history.order_by("-history_date", "-history_id").select_related("history_user").first()
    if last is None or last.history_type != "-":
        return StaleEdit(value=None, author=None, at=None, current_version=None)
    return StaleEdit(value=None, author=last.history_user, at=last.history_date, current_version=None)


def check_version(row: Any, expected_version: int | None, value: str) -> None:
    """Refuse a save based on another version than the stored row's (``None``: the user saw no row)."""
    if expected_version is None or row.version != expected_version:
        raise stale_from_row(row, value)
