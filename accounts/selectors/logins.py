"""Sign-ins and failed attempts of a login, as the throttling layer (django-axes) records them: time, IP,
browser. The user reads their own; the administrator a person's; the Act of a compromised login lists them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessFailureLog, AccessLog
from django.db.models import Q

from accounts.models import User
from accounts.services.logins import normalize_login


# One definition of «never signed in», read by the administrator's desk, the class's accounts page and the
# monitoring alike: no sign-in was ever recorded for the login (Django sets ``last_login`` at each one).
def never_signed_in(prefix: str = "") -> Q:
    """Users (``prefix`` "user__" from a related query) who never signed in."""
    return Q(**{f"{prefix}last_login__isnull": True})


def has_signed_in(user: User | None) -> bool:
    """The person signed in at least once (:func:`never_signed_in` for one user already read)."""
    return user is not None and user.last_login is not None


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
    """A sign-in from a browser the login never signed in from before (its very first sign-in is not): the
    newest row is the sign-in just made, the ones before it are compared (one query)."""
    done = AccessLog.objects.filter(username=normalize_login(username)).order_by("-attempt_time")
    agents = list(done.values_list("user_agent", flat=True)[:200])
    return len(agents) > 1 and user_agent not in agents[1:]
