"""Recording who uses the system, cheaply: one ``UserDay`` row a user a school a day (§4.1, §4.5).

A request of a signed-in user costs at most one query a day (the first one; the process's cache remembers
the rest), a parent's or a student's first diary page of the day one more; a login one get-or-create and
one update. What is recorded is the day, never the page or the time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import User
from journal.models import School, SchoolMembership
from monitoring.models import UserDay

REMEMBERED = 36 * 3600  # seconds: past the day's end, whatever the time zone


def _key(kind: str, user_id: int, school_id: int, day: datetime.date) -> str:
    return f"monitoring:{kind}:{user_id}:{school_id}:{day:%Y%m%d}"


def _remembered(key: str) -> bool:
    try:
        return bool(cache.get(key))
    except Exception:  # noqa: BLE001 - a cache down costs a query, never the request
        return False


def _remember(*keys: str) -> None:
    try:
        cache.set_many(dict.fromkeys(keys, 1), REMEMBERED)
    except Exception:  # noqa: BLE001, S110 - the next request records the day again, at one query
        pass


def record_use(user: User, school: School, *, diary: bool = False) -> None:
    """The user was here today (and opened a diary): the day's row, made or updated in one query."""
    day = timezone.localdate()
    seen, opened = _key("seen", user.pk, school.pk, day), _key("diary", user.pk, school.pk, day)
    if _remembered(opened if diary else seen):
        return
    row = UserDay(user=user, school=school, day=day, opened_diary=diary)
    if diary:
        UserDay.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["user", "school", "day"], update_fields=["opened_diary"]
        )
        _remember(seen, opened)
    else:
        UserDay.objects.bulk_create([row], ignore_conflicts=True)
        _remember(seen)


def count_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """``user_logged_in``: one more login today, in the user's school (the first, for a user of several)."""
    membership = SchoolMembership.objects.filter(user=user).order_by("school__name").values("school_id").first()
    if membership is None:
        return
    day = timezone.localdate()
    row, _created = UserDay.objects.get_or_create(user=user, school_id=membership["school_id"], day=day)
    UserDay.objects.filter(pk=row.pk).update(logins=F("logins") + 1)
    _remember(_key("seen", user.pk, membership["school_id"], day))


class ActivityMiddleware:
    """Records the day's use of every signed-in user of a school; a diary page counts as opening the diary.
    After ``CurrentSchoolMiddleware`` (it needs ``request.school``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        user = getattr(request, "user", None)
        school = getattr(request, "school", None)
        if user is None or school is None or not user.is_authenticated:
            return
        match = request.resolver_match
        record_use(user, school, diary=bool(match and match.namespace == "diary" and "student_id" in view_kwargs))
