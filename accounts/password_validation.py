"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS): Russian common passwords (also typed on
the English layout, «gfhjkm» for «пароль»), too few different characters, the user's own names or
their school's name inside the password, with digits and punctuation around them stripped, and an estimate
of the guesses an attacker needs (zxcvbn, taught Russian: :class:`GuessesValidator`). Messages in Russian
through gettext."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from accounts.services.logins import _TRANSLIT

DATA = Path(__file__).parent / "data"
COMMON_RU = DATA / "common-passwords-ru.txt"
NAMES_RU = DATA / "names-ru.txt"
SCHOOL_WORDS_RU = DATA / "school-words-ru.txt"
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


def _personal_words(user: Any) -> set[str]:
    """The user's names and login and their schools' names, split into words of at least ``MIN_WORD`` letters,
    in lower case."""
    if user is None:
        return set()
    words = {getattr(user, name, "") or "" for name in ("first_name", "last_name", "middle_name", "username")}
    if getattr(user, "pk", None):
        from journal.models import School

        for school in School.objects.filter(memberships__user=user).only("name", "short_name"):
            words |= {school.name, school.short_name}
    found = set()
    for word in words:
        found |= {part for part in re.split(r"[\W\d_]+", word.lower()) if len(part) >= MIN_WORD}
    return found


class PersonalWordsValidator:
    """Neither the user's names and login nor their school's name inside the password (in either layout)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        found = _personal_words(user)
        forms = _forms(password)
        if any(word in form for word in found for form in forms):
            raise ValidationError(
                _("The password must not contain your name, your login or your school's name."),
                code="password_too_personal",
            )

    def get_help_text(self) -> str:
        return _("Not your name, your login or your school's name.")


# The Russian layout's keys as the Latin ones, capitals too: «Йцукен» is typed on the keys of «Qwerty».
_KEYS_EN = str.maketrans(
    {ru: en for ru, en in zip(_RU, _EN, strict=True)}
    | {ru.upper(): en.upper() for ru, en in zip(_RU, _EN, strict=True) if ru.upper() != ru}
)
_KEYS_RU = str.maketrans(
    {en: ru for ru, en in zip(_RU, _EN, strict=True)}
    | {en.upper(): ru.upper() for ru, en in zip(_RU, _EN, strict=True) if en.upper() != en}
)
# At least 10^10 guesses: zxcvbn's «safely unguessable» is 10^10 (its score 4). Slow hashing (Argon2) and the
# sign-in lock stop an online attack far sooner; this is about a stolen database, guessed offline.
MIN_GUESSES_LOG10 = 10


def _translit(text: str) -> str:
    """Cyrillic letters in Latin ones (``Пётр`` is ``Petr``), every other character kept."""
    out = []
    for ch in text:
        latin = _TRANSLIT.get(ch.lower())
        out.append(ch if latin is None else latin.capitalize() if ch != ch.lower() else latin)
    return "".join(out)


def _spellings(text: str) -> set[str]:
    """A word or a password as it may be typed: as is, on the other keyboard layout, transliterated."""
    return {text, text.translate(_KEYS_EN), text.translate(_KEYS_RU), _translit(text)}


def _words(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()[:1] not in ("", "#")]


# Years an attacker tries early (zxcvbn's own «recent years» end in 2019).
YEARS = [str(year) for year in range(2039, 1939, -1)]


@functools.cache
def _teach_zxcvbn_russian() -> None:
    """zxcvbn's dictionaries are English: add a school's words, years, the Russian common passwords and given
    names, each in its spellings (:func:`_spellings`), as one more ranked list (once a process)."""
    ranked: dict[str, None] = {}
    for word in [*_words(SCHOOL_WORDS_RU), *YEARS, *_words(COMMON_RU), *_words(NAMES_RU)]:
        for spelling in sorted(_spellings(word.lower())):
            ranked.setdefault(spelling.lower(), None)
    add_frequency_lists({"russian": list(ranked)})


# What stands between the words («Demo-pass-2027»): zxcvbn prices each such character as a random one and so
# never sees the words around it as a phrase. The password is also judged without them, each different one
# costing a choice among the printable punctuation.
_BETWEEN_WORDS = re.compile(r"[\W_]+")
_PUNCTUATION_LOG10 = math.log10(33)


def _estimate(text: str, inputs: list[str]) -> float:
    # zxcvbn's time grows with the length; past 72 characters nobody guesses anyway.
    return float(zxcvbn(text[:72], user_inputs=inputs)["guesses_log10"])


def password_guesses_log10(password: str, words: Iterable[str] = ()) -> float:
    """zxcvbn's estimate of the guesses (log10) the password takes, the least over its spellings, with the
    Russian lists and ``words`` (the user's own) known to the guesser."""
    _teach_zxcvbn_russian()
    inputs = sorted({spelling.lower() for word in words for spelling in _spellings(word)})
    estimates = []
    for form in _spellings(password):
        estimates.append(_estimate(form, inputs))
        joined = _BETWEEN_WORDS.sub("", form)
        if joined and joined != form:
            between = set("".join(_BETWEEN_WORDS.findall(form)))
            estimates.append(_estimate(joined, inputs) + len(between) * _PUNCTUATION_LOG10)
    return min(estimates)


class GuessesValidator:
    """A password guessed in fewer than 10^10 tries (zxcvbn's estimate, taught Russian: a keyboard walk on the
    Russian layout, a Russian name transliterated, a school's word, the user's names and school) is refused."""

    def validate(self, password: str, user: Any = None) -> None:
        if password_guesses_log10(password, _personal_words(user)) < MIN_GUESSES_LOG10:
            raise ValidationError(
                _(
                    "This password is easy to guess: it is made of words, names, years or keyboard rows. "
                    "Take three or four unrelated words, or a longer phrase."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _("Hard to guess: not words, names, years or keyboard rows alone.")
