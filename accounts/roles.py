"""Global roles. Each is a Django group; scopes come from object permissions."""

from __future__ import annotations

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
