"""Sign-ins and failed attempts of a login, as the throttling layer (django-axes) records them: time, IP,
browser. The user reads their own; the administrator a person's; the Act of a compromised login lists them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessFailureLog, AccessLog

from accounts.services.logins import normalize_login


@dataclass(frozen=True)
class SignIn:
    at: datetime.datetime
    ip: str | None
    browser: str
    success: bool


def sign_ins(username: str, *, since: datetime.datetime | None = None, limit: int = 100) -> list[SignIn]:
    """The login's sign-ins and failed attempts, newest first (two queries)."""
    login = normalize_login(username)
    done = AccessLog.objects.filter(username=login)
    failed = AccessFailureLog.objects.filter(username=login)
    if since is not None:
        done, failed = done.filter(attempt_time__gte=since), failed.filter(attempt_time__gte=since)
    rows = [
        SignIn(at, ip, agent, True)
        for at, ip, agent in done.order_by("-attempt_time").values_list("attempt_time", "ip_address", "user_agent")[
            :limit
        ]
    ] + [
        SignIn(at, ip, agent, False)
        for at, ip, agent in failed.order_by("-attempt_time").values_list("attempt_time", "ip_address", "user_agent")[
            :limit
        ]
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def is_new_device(username: str, user_agent: str) -> bool:
    """A sign-in from a browser the login never signed in from before (its very first sign-in is not)."""
    done = AccessLog.objects.filter(username=normalize_login(username))
    earlier = done.order_by("-attempt_time")[1:]  # the sign-in just made is the newest
    if not done.exclude(pk__in=done.order_by("-attempt_time").values("pk")[:1]).exists():
        return False
    return not any(row.user_agent == user_agent for row in earlier.only("user_agent")[:200])
