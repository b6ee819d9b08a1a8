"""Reading query parameters: a value that is not understood gives the default, never a 500. Free text a view
reads from a body without a form passes :func:`text_param`, which refuses what the database cannot store."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme

# Dates outside these years are not days of any school year: refused like a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The same for a form's date field (a week after 9999-12-31 does not exist).
SCHOOL_DAYS = [
    MinValueValidator(datetime.date(FIRST_YEAR, 1, 1)),
    MaxValueValidator(datetime.date(LAST_YEAR, 12, 31)),
]


def parse_day(raw: str | None) -> datetime.date | None:
    """``YYYY-MM-DD`` as a date; ``None`` when absent, ``ValueError`` when malformed or outside the years of
    any school year (9999-12-31 would overflow the week after it)."""
    if not raw:
        return None
    day = parse_date(raw.strip())
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(raw)
    return day


def parse_moment(raw: str | None) -> datetime.datetime | None:
    """A ``datetime-local`` field's value (``YYYY-MM-DDTHH:MM``) as an aware time in the school's zone;
    ``None`` when absent, ``ValueError`` when malformed or outside the school years."""
    if not raw:
        return None
    moment = parse_datetime(raw.strip())
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(raw)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def date_param(request: HttpRequest, name: str) -> datetime.date | None:
    """``?name=YYYY-MM-DD`` (GET, else POST) as a date; ``None`` when missing, malformed or out of range."""
    try:
        return parse_day(request.GET.get(name) or request.POST.get(name))
    except ValueError:
        return None


def int_param(request: HttpRequest, name: str) -> int | None:
    """``?name=<digits>`` (GET, else POST) as an int; ``None`` when missing or not a number."""
    raw = request.GET.get(name) or request.POST.get(name)
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def text_param(request: HttpRequest, name: str) -> str:
    """The text typed into the body's field ``name``; empty when absent. A NUL character (PostgreSQL stores
    none in text) is refused as every form refuses it: ``ValidationError`` with Django's own message."""
    value = request.POST.get(name, "")
    ProhibitNullCharactersValidator()(value)
    return value


def next_url(request: HttpRequest, default: str) -> str:
    """``next`` (POST, else GET) when it is a page of this site (a path from its root), else ``default``: never a
    redirect elsewhere, nor a word ``redirect()`` would take for a view's name."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
