"""SQLite, the zero-setup default, compares text as PostgreSQL does.

Django turns the case-insensitive lookups (``iexact``, ``icontains``, ``istartswith``…) into ``LIKE`` on
SQLite, and SQLite's own ``LIKE``, ``UPPER`` and ``LOWER`` fold the case of ASCII letters only: «сочинение»
would not match «Сочинение», and a second work type or a namesake would pass as new. On each SQLite
connection these three are replaced by Unicode-aware ones (PostgreSQL needs nothing).
"""

from __future__ import annotations

import functools
import re
from typing import Any


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _like(pattern: Any, value: Any, escape: Any = None) -> bool | None:
    """``value LIKE pattern [ESCAPE escape]`` (SQLite passes the pattern first), any letter's case alike."""
    if pattern is None or value is None:
        return None
    return _pattern(str(pattern), escape).fullmatch(str(value)) is not None


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def unicode_text(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: on SQLite, LIKE, UPPER and LOWER that know every alphabet."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("LIKE", 2, _like, deterministic=True)
    raw.create_function("LIKE", 3, _like, deterministic=True)
    raw.create_function("UPPER", 1, _upper, deterministic=True)
    raw.create_function("LOWER", 1, _lower, deterministic=True)
