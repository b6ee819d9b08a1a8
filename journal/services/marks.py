"""Writing the journal's cells: marks, attendance and homework.

Every rule of the regulation that concerns a cell is checked here, not in the
views: marks only from the grade the policy gives them in (§3.11), values
only on the policy's scale, nothing on a cancelled lesson or for a student
not enrolled on the lesson's date, nothing in a locked period. A late entry
(§4.4) is allowed but recorded on the mark (``is_late``).

Concurrent edits: each row carries a ``version``. A save names the version
it was based on (``expected_version``; ``None`` for a new row). The row is
re-read under a lock (``select_for_update``), the versions are compared and
only then is the row saved, so of two concurrent saves based on the same
version exactly one wins; the other gets :class:`StaleEdit` with the value
now stored and who stored it. Two concurrent creations of the same cell are
decided by the database's unique constraint the same way. Each change is
saved with ``save()``/``delete()`` so that django-simple-history writes its
history row (who, when, IP, the new row) in the same transaction.

Who may call these is decided by :mod:`journal.rules` (``writes_lesson``,
``sets_absence_reason``); the services record ``actor`` as the author.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    Attendance,
    AttendanceReason,
    AttendanceStatus,
    Enrolment,
    GradePeriodScheme,
    GradingPolicy,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    MarkValue,
    School,
    Student,
    StudyPeriod,
    WorkType,
)
from journal.models.marks import NUMERIC_MARKS
from journal.models.planning import LessonKind
from journal.models.structure import PeriodKind
from journal.selectors.grading import attendance_letter, marks_allowed, policy_for
from journal.selectors.scope import enrolled_on
from messaging.services.notifications import notify_low_mark, notify_unexcused_absence

COMMENT_MAX_LENGTH = 255
DEFAULT_WORK_TYPE_NAME = "Ответ на уроке"
PRIMARY_GRADES = range(1, 5)


# --- Conflicts ------------------------------------------------------------------------


class StaleEdit(ValidationError):  # noqa: N818 - the name the journal's callers use
    """A save based on a version that is no longer the stored one.

    Carries what is stored now: ``value`` (``None`` when the row was removed),
    ``author`` and ``at`` (who stored or removed it, and when) and
    ``current_version`` (``None`` when there is no row), so the cell can show
    it and the teacher can decide again.
    """

    def __init__(
        self,
        *,
        value: str | None,
        author: User | None,
        at: datetime.datetime | None,
        current_version: int | None,
    ) -> None:
        self.value = value
        self.author = author
        self.at = at
        self.current_version = current_version
        params = {
            "author": author.short_name if author is not None else _("someone"),
            "time": timezone.localtime(at).strftime("%d.%m.%Y %H:%M") if at is not None else "—",
            "value": value or "",
        }
        if value is None:
            message = _("Meanwhile %(author)s cleared this cell (%(time)s). Check it and enter again.") % params
        else:
            message = (
                _("Meanwhile %(author)s saved «%(value)s» in this cell (%(time)s). Check it and enter again.") % params
            )
        super().__init__(message, code="stale")


def _stale_from_row(row: Mark | Attendance | Homework, value: str) -> StaleEdit:
    return StaleEdit(value=value, author=row.author, at=row.updated_at, current_version=row.version)


def _stale_from_deletion(history: Any) -> StaleEdit:
    """The row is gone: report who removed it, from its history, if known."""
    last = history.order_by("-history_date", "-history_id").select_related("history_user").first()
    if last is None or last.history_type != "-":
        return StaleEdit(value=None, author=None, at=None, current_version=None)
    return StaleEdit(value=None, author=last.history_user, at=last.history_date, current_version=None)


def _check_version(row: Any, expected_version: int | None, value: str) -> None:
    if expected_version is None or row.version != expected_version:
        raise _stale_from_row(row, value)


# --- Shared rules of a cell -----------------------------------------------------------


def _school(lesson: Lesson) -> School:
    return lesson.course.class_group.year.school


def _grade(lesson: Lesson) -> int:
    return lesson.course.class_group.grade


def _day(lesson: Lesson) -> str:
    return lesson.date.strftime("%d.%m.%Y")


def _refuse_cancelled(lesson: Lesson) -> None:
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(
            {"lesson": _("The lesson of %(date)s is cancelled: nothing is entered on it.") % {"date": _day(lesson)}}
        )


def locked_period_of(lesson: Lesson) -> StudyPeriod | None:
    """The locked study period (of the class's grade scheme; quarters by default) the lesson falls in."""
    class_group = lesson.course.class_group
    scheme_kind = GradePeriodScheme.objects.filter(year_id=class_group.year_id, grade=class_group.grade).values("kind")
    return StudyPeriod.objects.filter(
        year_id=class_group.year_id,
        kind=Coalesce(Subquery(scheme_kind[:1]), Value(PeriodKind.QUARTER.value)),
        start__lte=lesson.date,
        end__gte=lesson.date,
        is_locked=True,
    ).first()


def _refuse_locked(lesson: Lesson) -> None:
    period = locked_period_of(lesson)
    if period is not None:
        raise ValidationError(
            {
                "lesson": _("The period %(period)s is locked; ask the deputy to unlock it.")
                % {"period": f"{period} ({period.start:%d.%m.%Y} – {period.end:%d.%m.%Y})"}
            }
        )


def _refuse_not_enrolled(lesson: Lesson, student: Student) -> None:
    course = lesson.course
    class_group = course.class_group
    enrolled = Enrolment.objects.filter(enrolled_on(lesson.date), student=student, class_group=class_group).exists()
    if not enrolled:
        raise ValidationError(
            {
                "student": _("%(student)s is not in class %(cls)s on %(date)s.")
                % {"student": student, "cls": class_group, "date": _day(lesson)}
            }
        )
    subgroup = course.subgroup
    if subgroup is not None and not subgroup.members.filter(pk=student.pk).exists():
        raise ValidationError(
            {
                "student": _("%(student)s is not in the subgroup «%(group)s».")
                % {"student": student, "group": subgroup.name}
            }
        )


def _check_cell(lesson: Lesson, student: Student) -> None:
    _refuse_cancelled(lesson)
    _refuse_not_enrolled(lesson, student)
    _refuse_locked(lesson)


def _fresh_lesson(lesson: Lesson) -> Lesson:
    """The lesson as stored now (its status may have changed since the page was built)."""
    return Lesson.objects.select_related("course__class_group__year__school", "course__subgroup").get(pk=lesson.pk)


# --- Marks ----------------------------------------------------------------------------

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


def _normalise(text: str) -> str:
    return text.strip().translate(LOOKALIKES).lower().replace("ё", "е")


def scale_of(policy: GradingPolicy) -> list[str]:
    """The values a mark may take under the policy, numeric ones first."""
    numeric = [str(v) for v in range(5, policy.lowest_mark - 1, -1)]
    return numeric + [v.value for v in MarkValue if v.value not in NUMERIC_MARKS]


def clean_mark_value(value: str, policy: GradingPolicy) -> str:
    """The stored form of a typed mark, or a ValidationError naming it."""
    raw = (value or "").strip()
    text = _normalise(raw)
    text = MARK_ALIASES.get(text, text)
    if text in scale_of(policy):
        return text
    raise ValidationError(
        {
            "value": _("«%(value)s» is not a mark of the school's scale: %(scale)s.")
            % {"value": raw, "scale": ", ".join(scale_of(policy))}
        }
    )


def default_work_type(school: School, lesson_kind: str) -> WorkType | None:
    """The school's active work type for lessons of this kind; else the general one
    («Ответ на уроке», or the lightest without a kind); else none."""
    active = WorkType.objects.filter(school=school, is_active=True)
    by_kind = active.filter(lesson_kind=lesson_kind).order_by("-weight", "name").first()
    if by_kind is not None:
        return by_kind
    general = active.filter(lesson_kind="")
    return general.filter(name=DEFAULT_WORK_TYPE_NAME).first() or general.order_by("weight", "name").first()


def late_deadline(lesson: Lesson, policy: GradingPolicy) -> datetime.date:
    """The last day a mark of this lesson is entered on time (§4.4).

    The marks of a test whose results date is set are due ``late_days_test``
    (1) days after that date; every other lesson's (a test's without the date
    too) ``late_days_primary`` (3) days after it in grades 1–4 and
    ``late_days_senior`` (7) in grades 5–11.
    """
    if lesson.kind == LessonKind.TEST and lesson.results_on is not None:
        return lesson.results_on + datetime.timedelta(days=policy.late_days_test)
    if _grade(lesson) in PRIMARY_GRADES:
        days = policy.late_days_primary
    else:
        days = policy.late_days_senior
    return lesson.date + datetime.timedelta(days=days)


def _clean_work_type(school: School, lesson: Lesson, work_type: WorkType | None) -> WorkType | None:
    if work_type is None:
        return default_work_type(school, lesson.kind)
    if work_type.school_id != school.pk or not work_type.is_active:
        raise ValidationError(
            {"work_type": _("The work type «%(name)s» is not in use in this school.") % {"name": work_type.name}}
        )
    return work_type


def _clean_comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("The comment is too long: at most %(max)s characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    return comment


@transaction.atomic
def mark_set(
    *,
    actor: User,
    lesson: Lesson,
    student: Student,
    value: str,
    position: int = 1,
    work_type: WorkType | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Mark:
    """Put a mark in a cell (position 1 or 2), or change the one there.

    ``expected_version``: the version the teacher saw; ``None`` when the cell
    position was empty. Anything else is refused with :class:`StaleEdit`.
    """
    lesson = _fresh_lesson(lesson)
    school = _school(lesson)
    policy = policy_for(school, lesson.date)
    grade = _grade(lesson)
    if not marks_allowed(policy, grade):
        raise ValidationError(
            {
                "value": _(
                    "Marks are not given in grade %(grade)s (§3.11): the journal keeps attendance and topics only."
                )
                % {"grade": grade}
            }
        )
    if position not in (1, 2):
        raise ValidationError({"position": _("A cell holds two marks at most: position %(pos)s.") % {"pos": position}})
    value = clean_mark_value(value, policy)
    _check_cell(lesson, student)
    comment = _clean_comment(comment)
    is_late = timezone.localdate() > late_deadline(lesson, policy)

    mark = Mark.objects.select_for_update().filter(lesson=lesson, student=student, position=position).first()
    if work_type is None and mark is not None and mark.work_type_id is not None:
        work_type = mark.work_type  # a changed value keeps the work type chosen before
    work_type = _clean_work_type(school, lesson, work_type)
    weight = work_type.weight if work_type is not None else Decimal(1)
    if mark is None:
        if expected_version is not None:
            raise _stale_from_deletion(
                Mark.history.filter(lesson_id=lesson.pk, student_id=student.pk, position=position)
            )
        mark = Mark(
            lesson=lesson,
            student=student,
            position=position,
            value=value,
            work_type=work_type,
            weight=weight,
            comment=comment,
            is_late=is_late,
            author=actor,
        )
        mark._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                mark.save(force_insert=True)
        except IntegrityError:
            # Another save created this cell first (and has committed): its row is the stored value.
            winner = Mark.objects.select_related("author").get(lesson=lesson, student=student, position=position)
            raise _stale_from_row(winner, winner.value) from None
        notify_low_mark(mark=mark)
        return mark

    _check_version(mark, expected_version, mark.value)
    mark.value = value
    mark.work_type = work_type
    mark.weight = weight
    mark.comment = comment
    mark.is_late = is_late
    mark.author = actor
    mark.version = mark.version + 1  # the row is locked: no one else moves it meanwhile
    mark._history_user = actor  # type: ignore[attr-defined]
    mark.save(update_fields=["value", "work_type", "weight", "comment", "is_late", "author", "version", "updated_at"])
    notify_low_mark(mark=mark)
    return mark


@transaction.atomic
def mark_delete(*, actor: User, mark: Mark, expected_version: int) -> None:
    """Remove a mark from its cell (its history keeps the removal and who made it)."""
    lesson = _fresh_lesson(mark.lesson)
    _refuse_locked(lesson)
    stored = Mark.objects.select_for_update(of=("self",)).filter(pk=mark.pk).select_related("author").first()
    if stored is None:
        raise _stale_from_deletion(Mark.history.filter(id=mark.pk))
    _check_version(stored, expected_version, stored.value)
    stored._history_user = actor  # type: ignore[attr-defined]
    stored.delete()


# --- Attendance -----------------------------------------------------------------------


def _clean_status(status: str) -> str:
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Unknown attendance status «%(status)s».") % {"status": status}})
    return status


def _clean_reason(reason: str) -> str:
    if reason not in AttendanceReason.values:
        raise ValidationError({"reason": _("Unknown reason of absence «%(reason)s».") % {"reason": reason}})
    return reason


def _attendance_value(row: Attendance) -> str:
    return attendance_letter(policy_for(_school(row.lesson), row.lesson.date), row.status, row.reason)


def _locked_attendance(pk: int) -> Attendance | None:
    return (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("author", "lesson__course__class_group__year__school")
        .filter(pk=pk)
        .first()
    )


@transaction.atomic
def attendance_set(
    *,
    actor: User,
    lesson: Lesson,
    student: Student,
    status: str,
    reason: str = AttendanceReason.UNKNOWN,
    expected_version: int | None = None,
) -> Attendance:
    """Mark a student absent or late on a lesson (present students have no row)."""
    lesson = _fresh_lesson(lesson)
    status = _clean_status(status)
    reason = _clean_reason(reason)
    _check_cell(lesson, student)
    row = Attendance.objects.select_for_update().filter(lesson=lesson, student=student).first()
    if row is None:
        if expected_version is not None:
            raise _stale_from_deletion(Attendance.history.filter(lesson_id=lesson.pk, student_id=student.pk))
        row = Attendance(lesson=lesson, student=student, status=status, reason=reason, author=actor)
        row._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            winner = Attendance.objects.select_related("author", "lesson__course__class_group__year__school").get(
                lesson=lesson, student=student
            )
            raise _stale_from_row(winner, _attendance_value(winner)) from None
        notify_unexcused_absence(attendance=row)
        return row
    row.lesson = lesson
    _check_version(row, expected_version, _attendance_value(row))
    return _attendance_save(row, actor=actor, status=status, reason=reason)


def _attendance_save(row: Attendance, *, actor: User, status: str, reason: str) -> Attendance:
    row.status = status
    row.reason = reason
    row.author = actor
    row.version = row.version + 1
    row._history_user = actor  # type: ignore[attr-defined]
    row.save(update_fields=["status", "reason", "author", "version", "updated_at"])
    # Both attendance_set (a changed row) and attendance_set_reason end here.
    notify_unexcused_absence(attendance=row)
    return row


@transaction.atomic
def attendance_clear(*, actor: User, attendance: Attendance, expected_version: int) -> None:
    """The student was present after all: the row goes, its history stays."""
    stored = _locked_attendance(attendance.pk)
    if stored is None:
        raise _stale_from_deletion(Attendance.history.filter(id=attendance.pk))
    # A lesson cancelled after the fact may still be cleaned up: only a locked period stops it.
    _refuse_locked(_fresh_lesson(stored.lesson))
    _check_version(stored, expected_version, _attendance_value(stored))
    stored._history_user = actor  # type: ignore[attr-defined]
    stored.delete()


@transaction.atomic
def attendance_set_reason(*, actor: User, attendance: Attendance, reason: str, expected_version: int) -> Attendance:
    """Only the reason of an absence changes: what the class teacher may do (§4.3)."""
    reason = _clean_reason(reason)
    stored = _locked_attendance(attendance.pk)
    if stored is None:
        raise _stale_from_deletion(Attendance.history.filter(id=attendance.pk))
    _refuse_locked(_fresh_lesson(stored.lesson))
    _check_version(stored, expected_version, _attendance_value(stored))
    return _attendance_save(stored, actor=actor, status=stored.status, reason=reason)


# --- What a teacher types in a cell -------------------------------------------------------


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
        _normalise(policy.letter_absent): (AttendanceStatus.ABSENT, AttendanceReason.UNKNOWN),
        _normalise(policy.letter_illness): (AttendanceStatus.ABSENT, AttendanceReason.ILLNESS),
        _normalise(policy.letter_excused): (AttendanceStatus.ABSENT, AttendanceReason.EXCUSED),
        _normalise(policy.letter_unexcused): (AttendanceStatus.ABSENT, AttendanceReason.UNEXCUSED),
        _normalise(policy.letter_late): (AttendanceStatus.LATE, AttendanceReason.UNKNOWN),
    }


def parse_cell_input(text: str, policy: GradingPolicy) -> CellInput:
    """Understand what the teacher typed: "5", "4/5", "н", "Б", "оп 5", "н/а", "осв.", "" (clear).

    Marks and letters are separated by "/", spaces or commas; case does not
    matter and Latin look-alikes of Cyrillic letters are taken for them.
    """
    raw = (text or "").strip()
    normalised = _normalise(raw)
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
