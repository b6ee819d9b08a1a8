"""Logins: how one is written (one rule, everywhere a login is typed, stored or printed), how one is made
from a person's name, and issuing them with single-use passwords (§3.2, §3.3, Appendix 2).

A password is never stored in clear and never recorded: it lives in the issued slip only. What is recorded
is who issued a login to whom and when (``LoginIssue``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import LoginIssue, User
from accounts.roles import Role
from accounts.services.users import generate_password, user_create

if TYPE_CHECKING:
    from journal.models import School

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def normalize_login(raw: str) -> str:
    """The one form of a login: stored, looked up at sign-in and printed on the slip. Case and the spaces a
    phone's keyboard adds do not matter (``" Smirnov.AS "`` is ``smirnov.as``)."""
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


def translit(text: str) -> str:
    """Lower-case Latin letters for a login (a simplified passport transliteration)."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum())


def login_base(last_name: str, first_name: str, middle_name: str = "") -> str:
    """«Иванова Анна Петровна» → ``ivanova.ap``."""
    initials = "".join(translit(p)[:1] for p in (first_name, middle_name) if p)
    return f"{translit(last_name)}.{initials}" if initials else translit(last_name)


def free_login(last_name: str, first_name: str, middle_name: str = "") -> str:
    """A login made from the name that nobody has: ``ivanova.ap``, else ``ivanova.ap2``, ``ivanova.ap3`` …"""
    base = login_base(last_name, first_name, middle_name) or "user"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


@transaction.atomic
def login_create(
    *,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    roles: tuple[Role, ...],
    school: School,
) -> User:
    """A person's login made from their name (:func:`free_login`), with these roles in ``school`` and no
    password yet: the administrator issues one on a slip (:func:`logins_issue`)."""
    user, _password = user_create(
        username=free_login(last_name, first_name, middle_name),
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        roles=roles,
        school=school,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


@dataclass(frozen=True)
class Slip:
    """What the slip of Appendix 2 prints for one person: their login and the password just issued, and for
    whom it is (the student; the class)."""

    user: User
    login: str
    password: str
    student: str = ""
    class_name: str = ""
    school: str = ""


@transaction.atomic
def logins_issue(*, actor: User | None, users: Iterable[User]) -> list[tuple[User, str]]:
    """A new single-use password for each user (changed at the first sign-in); any earlier password is void
    at once, and so are the user's sessions (the password's hash signs them). Returns (user, password) for
    the slips; records who issued what to whom, never the password."""
    issued = []
    records = []
    for user in users:
        password = generate_password()
        again = LoginIssue.objects.filter(user=user).exists() or user.last_login is not None
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        records.append(LoginIssue(user=user, issued_by=actor, reissue=again))
        issued.append((user, password))
    LoginIssue.objects.bulk_create(records)
    return issued
