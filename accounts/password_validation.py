"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS): Russian common passwords (also typed on
the English layout, «gfhjkm» for «пароль»), too few different characters, and the user's own names or
their school's name inside the password, with digits and punctuation around them stripped. Messages in
Russian through gettext."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COMMON_RU = Path(__file__).parent / "data" / "common-passwords-ru.txt"
# The Russian layout typed on the English one and back (a «пароль» is «gfhjkm» on a Latin keyboard).
_RU = "йцукенгшщзхъфывапролджэячсмитьбюё"
_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
TO_RU = str.maketrans(_EN, _RU)
TO_EN = str.maketrans(_RU, _EN)
MIN_DISTINCT = 5
MIN_WORD = 3  # shorter names («Ян») are not looked for inside a password


def _core(password: str) -> str:
    """The password without digits, spaces and punctuation around its letters, in lower case."""
    return re.sub(r"[\W\d_]+", "", password.lower())


def _forms(password: str) -> set[str]:
    core = _core(password)
    lower = password.lower()
    return {core, lower, lower.translate(TO_RU), lower.translate(TO_EN), core.translate(TO_RU), core.translate(TO_EN)}


class RussianCommonPasswordValidator:
    """A password from the list of Russian common ones, or one of them with digits added («пароль12»)."""

    def __init__(self) -> None:
        self.words = {line.strip() for line in COMMON_RU.read_text(encoding="utf-8").splitlines() if line.strip()}

    def validate(self, password: str, user: Any = None) -> None:
        if _forms(password) & self.words:
            raise ValidationError(_("This password is too common."), code="password_too_common")

    def get_help_text(self) -> str:
        return _("Your password can't be a commonly used password.")


class VarietyValidator:
    """At least five different characters: «aaaaaaaa» and «12121212» are refused."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.lower())) < MIN_DISTINCT:
            raise ValidationError(
                _("The password needs at least %(n)s different characters.") % {"n": MIN_DISTINCT},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("At least %(n)s different characters.") % {"n": MIN_DISTINCT}


class PersonalWordsValidator:
    """Neither the user's names and login nor their school's name inside the password (in either layout)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        words = {getattr(user, name, "") or "" for name in ("first_name", "last_name", "middle_name", "username")}
        if getattr(user, "pk", None):
            from journal.models import School

            for school in School.objects.filter(memberships__user=user).only("name", "short_name"):
                words |= {school.name, school.short_name}
        found = set()
        for word in words:
            found |= {part for part in re.split(r"[\W\d_]+", word.lower()) if len(part) >= MIN_WORD}
        forms = _forms(password)
        if any(word in form for word in found for form in forms):
            raise ValidationError(
                _("The password must not contain your name, your login or your school's name."),
                code="password_too_personal",
            )

    def get_help_text(self) -> str:
        return _("Not your name, your login or your school's name.")
