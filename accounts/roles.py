"""Global roles. Each is a Django group; scopes come from object permissions."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    DIRECTOR = "director"
    DEPUTY = "deputy"
    TEACHER = "teacher"
    PARENT = "parent"
    STUDENT = "student"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.DIRECTOR: _("Director"),
    Role.DEPUTY: _("Deputy director"),
    Role.TEACHER: _("Teacher"),
    Role.PARENT: _("Parent"),
    Role.STUDENT: _("Student"),
}

# The roles as form and model choices, with lazy labels (the page's language).
ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


def role_labels(roles: Iterable[Role | str]) -> str:
    """«Заместитель директора, Учитель»: the roles by name, in the order of :class:`Role`."""
    held = {Role(r) for r in roles}
    return ", ".join(r.label for r in Role if r in held)
