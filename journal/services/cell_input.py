"""What a teacher types in a journal cell, understood: up to two marks and an attendance letter.

"5", "4/5" (two marks), "н", "Б", "оп 5" (late, and a mark), "н/а", "осв.", "" (clear the cell). The
letters are the school's policy's (Н, Б, УП, НП, ОП by default); case does not matter and Latin look-alikes
of Cyrillic letters are taken for them (a teacher on the wrong keyboard layout).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from journal.models import AttendanceReason, AttendanceStatus, GradingPolicy, MarkValue
from journal.models.marks import NUMERIC_MARKS

MARK_ALIASES = {
    "н/а": MarkValue.NOT_ATTESTED.value,
    "на": MarkValue.NOT_ATTESTED.value,
    "осв.": MarkValue.EXEMPT.value,
    "осв": MarkValue.EXEMPT.value,
    "зч": MarkValue.PASS.value,
    "зач": MarkValue.PASS.value,
    "зачет": MarkValue.PASS.value,
    "нз": MarkValue.FAIL.value,
    "незач": MarkValue.FAIL.value,
    "незачет": MarkValue.FAIL.value,
}

# Latin letters that look like Cyrillic ones: a teacher on the wrong keyboard
# layout types "H" for "Н" and still means it.
LOOKALIKES = str.maketrans(
    {
        "A": "А",
        "B": "В",
        "C": "С",
        "E": "Е",
        "H": "Н",
        "K": "К",
        "M": "М",
        "O": "О",
        "P": "Р",
        "T": "Т",
        "X": "Х",
        "Y": "У",
        "a": "а",
        "c": "с",
        "e": "е",
        "k": "к",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
    }
)


def normalise(text: str) -> str:
    return text.strip().translate(LOOKALIKES).lower().replace("ё", "е")


def scale_of(policy: GradingPolicy) -> list[str]:
    """The values a mark may take under the policy, numeric ones first."""
    numeric = [str(v) for v in range(5, policy.lowest_mark - 1, -1)]
    return numeric + [v.value for v in MarkValue if v.value not in NUMERIC_MARKS]


def clean_mark_value(value: str, policy: GradingPolicy) -> str:
    """The stored form of a typed mark, or a ValidationError naming it."""
    raw = (value or "").strip()
    text = normalise(raw)
    text = MARK_ALIASES.get(text, text)
    if text in scale_of(policy):
        return text
    raise ValidationError(
        {
            "value": _("«%(value)s» is not a mark of the school's scale: %(scale)s.")
            % {"value": raw, "scale": ", ".join(scale_of(policy))}
        }
    )


@dataclass(frozen=True)
class CellInput:
    """A cell's typed text, understood: up to two marks and at most one attendance entry.

    Empty (no marks, no attendance) means: clear the cell.
    """

    marks: list[str] = field(default_factory=list)
    attendance: tuple[str, str] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.marks and self.attendance is None


def _letters(policy: GradingPolicy) -> dict[str, tuple[str, str]]:
    return {
        normalise(policy.letter_absent): (AttendanceStatus.ABSENT, AttendanceReason.UNKNOWN),
        normalise(policy.letter_illness): (AttendanceStatus.ABSENT, AttendanceReason.ILLNESS),
        normalise(policy.letter_excused): (AttendanceStatus.ABSENT, AttendanceReason.EXCUSED),
        normalise(policy.letter_unexcused): (AttendanceStatus.ABSENT, AttendanceReason.UNEXCUSED),
        normalise(policy.letter_late): (AttendanceStatus.LATE, AttendanceReason.UNKNOWN),
    }


def parse_cell_input(text: str, policy: GradingPolicy) -> CellInput:
    """Understand what the teacher typed: "5", "4/5", "н", "Б", "оп 5", "н/а", "осв.", "" (clear).

    Marks and letters are separated by "/", spaces or commas; case does not
    matter and Latin look-alikes of Cyrillic letters are taken for them.
    """
    raw = (text or "").strip()
    normalised = normalise(raw)
    if not normalised:
        return CellInput()
    # "н/а" holds the separator itself: take it as one word first.
    normalised = normalised.replace("н/а", " на ").replace("н / а", " на ")
    tokens = [t for t in normalised.replace("/", " ").replace(",", " ").split() if t]
    letters = _letters(policy)
    scale = scale_of(policy)
    marks: list[str] = []
    attendance: tuple[str, str] | None = None

    def refuse(message: str, **params: str) -> ValidationError:
        return ValidationError(message % {"input": raw, **params}, code="cell_input")

    for token in tokens:
        value = MARK_ALIASES.get(token, token)
        if token in letters and (token not in MARK_ALIASES):
            if attendance is not None:
                raise refuse(_("«%(input)s»: a cell holds one attendance letter at most."))
            status, reason = letters[token]
            attendance = (str(status), str(reason))
        elif value in scale:
            marks.append(value)
        else:
            raise refuse(
                _(
                    "«%(input)s» is not a mark or an attendance letter. "
                    "Type a mark (%(scale)s) or a letter (%(letters)s)."
                ),
                scale=", ".join(scale),
                letters=", ".join(_letter_list(policy)),
            )
    if len(marks) > 2:
        raise refuse(_("«%(input)s»: a cell holds two marks at most."))
    return CellInput(marks=marks, attendance=attendance)


def _letter_list(policy: GradingPolicy) -> list[str]:
    return [
        policy.letter_absent,
        policy.letter_illness,
        policy.letter_excused,
        policy.letter_unexcused,
        policy.letter_late,
    ]
