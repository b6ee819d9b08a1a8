"""Issuing logins and passwords (§3.2, §3.3)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.roles import Role

if TYPE_CHECKING:
    from journal.models import School

# No look-alike characters (0/O, 1/l/I): parents type these from paper.
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


@transaction.atomic
def user_create(
    *,
    username: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    roles: tuple[Role, ...] = (),
    school: School | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user, a member of ``school`` with the given roles there; returns the user and the issued
    password.

    Without ``password`` a random single-use one is issued and must be changed
    at first login.
    """
    issued = password or generate_password()
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        must_change_password=password is None,
    )
    user.set_password(issued)
    user.full_clean()
    user.save()
    if school is not None:
        user_set_roles(user=user, school=school, roles=roles)
    elif roles:
        raise ValueError("A role is held in a school: pass the school.")
    return user, issued


@transaction.atomic
def user_set_roles(*, user: User, school: School, roles: Iterable[Role], replacing: Iterable[Role] = ()) -> None:
    """Give the user these roles in the school (a member of it from now); a role of ``replacing`` that is not
    among them is taken away there (``replacing=Role``: these roles and no other). A role given in one school
    applies only there (§3.2)."""
    membership, _created = user.memberships.get_or_create(school=school)
    wanted = {Role(r).value for r in roles}
    gone = {Role(r).value for r in replacing} - wanted
    if gone:
        membership.roles.filter(role__in=gone).delete()
    have = set(membership.roles.values_list("role", flat=True))
    membership.roles.bulk_create([membership.roles.model(membership=membership, role=r) for r in sorted(wanted - have)])
    user.__dict__.pop("roles_by_school", None)


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """The user has set their own password: the issued one is gone."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


def interface_languages() -> set[str]:
    """The codes of the interface's languages (``settings.LANGUAGES``)."""
    return {code for code, _name in settings.LANGUAGES}


def user_language_set(*, user: User, language: str) -> None:
    """Remember the interface language the user chose (one of :func:`interface_languages`); others are ignored."""
    if language in interface_languages() and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
