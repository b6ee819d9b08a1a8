"""Reading query parameters: a value that is not understood gives the default, never a 500."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.dateparse import parse_date

# Dates outside these years are not days of any school year: refused like a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def date_param(request: HttpRequest, name: str) -> datetime.date | None:
    """``?name=YYYY-MM-DD`` (GET, else POST) as a date; ``None`` when missing, malformed or out of range."""
    raw = request.GET.get(name) or request.POST.get(name)
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        return None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return day


def int_param(request: HttpRequest, name: str) -> int | None:
    """``?name=<digits>`` (GET, else POST) as an int; ``None`` when missing or not a number."""
    raw = request.GET.get(name) or request.POST.get(name)
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)
