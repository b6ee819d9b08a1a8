"""Writing the journal's cells: marks and attendance (§3.11, §4.4).

One cell is one student on one lesson: up to two marks (positions 1 and 2) and at most one attendance
entry. :func:`cell_set` brings a cell to what the teacher typed in the grid; the single-row services
(:func:`mark_set`, :func:`mark_delete`, :func:`attendance_set`, :func:`attendance_clear`,
:func:`mark_details_set`) are the same steps for one row. Every rule of the regulation about a cell is
checked here: who writes the lesson (the course's teacher or its substitute, :mod:`journal.rules`),
marks only from the grade the policy gives them in (§3.11), values only on the policy's scale, nothing
on a cancelled lesson or for a student who does not attend the course that day
(:mod:`journal.selectors.membership`), nothing in a locked period or an archived year
(:mod:`journal.services.guards`). A late entry (§4.4) is allowed but recorded on the mark (``is_late``).

One transaction per cell, and few statements: the lesson is read once under a row lock with the
writer's permission, the student's attendance of the course and the locked period folded in as
EXISTS; the policy in force on the lesson's day and at the summary's start come in one query; the
cell's rows are read once, locked. Each row is compared with the version the page showed
(:mod:`journal.services.conflicts`): a stale edit is refused with what is stored now, an unchanged one is
left as it is. Each change is saved with ``save()``/``delete()`` so django-simple-history writes its
history row (who, when, IP, the new row) in the same transaction. The lesson's row lock (``FOR NO KEY
UPDATE``) orders the cell's saves against cancelling the lesson, which refuses a lesson that carries
marks or attendance.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.compiled import CompiledQuery, RowModel
from journal import rules
from journal.models import (
    Attendance,
    AttendanceReason,
    AttendanceStatus,
    ClassGroupUserObjectPermission,
    CourseUserObjectPermission,
    GradingPolicy,
    Lesson,
    LessonUserObjectPermission,
    Mark,
    School,
    Student,
    WorkType,
)
from journal.models.planning import LessonKind
from journal.selectors.grading import (
    attendance_letter,
    course_assessment,
    default_work_type_of_lesson,
    marks_allowed,
    policies_on,
    refuse_off_assessment,
)
from journal.selectors.marks import course_marks, student_course_marks
from journal.selectors.membership import lesson_attended_by
from journal.services.cell_input import CellInput, clean_mark_value, parse_cell_input
from journal.services.conflicts import StaleEdit, check_version, stale_from_deletion, stale_from_row
from journal.services.guards import day_text, locked_period_id, refuse_cancelled, refuse_closed
from journal.statistics import Summary, summarise
from messaging.services.notifications import notify_low_mark, notify_unexcused_absence

COMMENT_MAX_LENGTH = 255
PRIMARY_GRADES = range(1, 5)
# ``work_type``/``comment`` of :func:`_put_mark` left as they are.
KEEP: Any = object()


# --- Rules of a mark ------------------------------------------------------------------------------


def late_deadline(lesson: Lesson, policy: GradingPolicy) -> datetime.date:
    """The last day a mark of this lesson is entered on time (§4.4).

    The marks of a test whose results date is set are due ``late_days_test`` (1) days after that date;
    every other lesson's (a test's without the date too) ``late_days_primary`` (3) days after it in grades
    1–4 and ``late_days_senior`` (7) in grades 5–11.
    """
    if lesson.kind == LessonKind.TEST and lesson.results_on is not None:
        return lesson.results_on + datetime.timedelta(days=policy.late_days_test)
    if lesson.course.class_group.grade in PRIMARY_GRADES:
        days = policy.late_days_primary
    else:
        days = policy.late_days_senior
    return lesson.date + datetime.timedelta(days=days)


def _clean_comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("The comment is too long: at most %(max)s characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    return comment


def _clean_status(status: str) -> str:
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Unknown attendance status «%(status)s».") % {"status": status}})
    return status


def _clean_reason(reason: str) -> str:
    if reason not in AttendanceReason.values:
        raise ValidationError({"reason": _("Unknown reason of absence «%(reason)s».") % {"reason": reason}})
    return reason


def cell_text(letter: str, marks: list[str]) -> str:
    """The text of a cell as the teacher would type it: "н", "4/5", "оп 5"."""
    return " ".join(part for part in (letter, "/".join(marks)) if part)


# --- The open cell --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellState:
    """What a cell holds: its text, the versions of its rows ("1", "2", "att") and whether a mark is late."""

    text: str
    versions: dict[str, int | None]
    late: bool


@dataclass(frozen=True)
class CellResult:
    """A saved cell, and the student's figures over the range the page shows (when asked for)."""

    state: CellState
    summary: Summary | None = None
    day: datetime.date | None = None  # the lesson's


@dataclass
class _Cell:
    """A cell opened for writing, inside the transaction: its rows are locked."""

    actor: User
    lesson: Lesson  # with its course, class, year and school; annotated ``attends`` and ``locked_period_id``
    student_id: int
    policy: GradingPolicy  # in force on the lesson's day
    marks: dict[int, Mark] = field(default_factory=dict)  # by position
    attendance: Attendance | None = None

    @property
    def school(self) -> School:
        return self.lesson.course.class_group.year.school

    @property
    def default_work_type(self) -> tuple[int | None, Decimal]:
        """The lesson kind's default work type of a new mark and its weight (read with the lesson)."""
        found = self.lesson.work_type_id  # type: ignore[attr-defined]
        if found is None:
            return None, Decimal(1)
        return found, Decimal(self.lesson.work_type_weight)  # type: ignore[attr-defined]

    def state(self) -> CellState:
        return _state(self.policy, self.marks, self.attendance)


def _state(policy: GradingPolicy, marks: dict[int, Mark], row: Attendance | None) -> CellState:
    letter = attendance_letter(policy, row.status, row.reason) if row is not None else ""
    ordered = [marks[p] for p in sorted(marks)]
    return CellState(
        text=cell_text(letter, [mark.value for mark in ordered]),
        versions={
            "1": marks[1].version if 1 in marks else None,
            "2": marks[2].version if 2 in marks else None,
            "att": row.version if row is not None else None,
        },
        late=any(mark.is_late for mark in ordered),
    )


# The lesson of a cell with what a save needs, in one locked row: the course, its class, year, school,
# subject and subgroup; the writer's permission rows, the student's attendance of the course that day, the
# locked period, the default work type of the lesson's kind and the curriculum's assessment, as subqueries.
_LESSON_ROW = RowModel(
    Lesson,
    "course__class_group__year__school",
    "course__subject",
    "course__subgroup",
    extra=("writes", "attends", "locked_period_id", "work_type_id", "work_type_weight", "assessment"),
)


def _cell_lesson(
    *, lesson_id: int, actor_id: int, student_id: int, course_id: int, school_id: int | None = None
) -> QuerySet[Lesson, Any]:
    writes = rules.perm_exists(
        CourseUserObjectPermission, actor_id, "change_course", OuterRef("course_id")
    ) | rules.perm_exists(LessonUserObjectPermission, actor_id, "change_lesson", OuterRef("pk"))
    work_type_id, work_type_weight = default_work_type_of_lesson()
    lessons = Lesson.objects.filter(pk=lesson_id, course_id=course_id)
    if school_id is not None:
        lessons = lessons.filter(course__class_group__year__school_id=school_id)
    return (
        lessons.select_for_update(of=("self",), no_key=True)
        .annotate(
            writes=writes,
            attends=lesson_attended_by(student_id),
            locked_period_id=locked_period_id(),
            work_type_id=work_type_id,
            work_type_weight=work_type_weight,
            assessment=course_assessment(),
        )
        .values_list(*_LESSON_ROW.columns)
    )


_CELL_LESSON = CompiledQuery(_cell_lesson, lesson_id=int, actor_id=int, student_id=int, course_id=int)
_CELL_LESSON_OF_SCHOOL = CompiledQuery(
    _cell_lesson, lesson_id=int, actor_id=int, student_id=int, course_id=int, school_id=int
)
_MARK_FIELDS = [f.attname for f in Mark._meta.concrete_fields]
_ATTENDANCE_FIELDS = [f.attname for f in Attendance._meta.concrete_fields]
_CELL_MARKS = CompiledQuery(
    lambda lesson_id, student_id: (
        Mark.objects.select_for_update(of=("self",))
        .filter(lesson_id=lesson_id, student_id=student_id)
        .values_list(*_MARK_FIELDS)
    ),
    lesson_id=int,
    student_id=int,
)
_CELL_ATTENDANCE = CompiledQuery(
    lambda lesson_id, student_id: (
        Attendance.objects.select_for_update(of=("self",))
        .filter(lesson_id=lesson_id, student_id=student_id)
        .values_list(*_ATTENDANCE_FIELDS)
    ),
    lesson_id=int,
    student_id=int,
)


def _open_cell(
    *,
    actor: User,
    lesson_id: int,
    student_id: int,
    course_id: int,
    school: School | None = None,
    policy_days: tuple[datetime.date, ...] = (),
    batch: _Batch | None = None,
) -> tuple[_Cell, dict[datetime.date, GradingPolicy]]:
    """Read and lock what a save of the cell needs, checking who may write it.

    404 (``Http404``) for a lesson the actor does not see, or outside ``school``/``course_id``; 403 for one
    they see but may not write (:func:`journal.rules.writes_lesson`). Four statements: the lesson with the
    actor's rights, the student's attendance of the course that day and the locked period; the policies
    (of the lesson's day and ``policy_days``); the cell's marks; its attendance. Each is compiled once per
    process (:class:`core.compiled.CompiledQuery`). In a ``batch`` of the course's cells the policies are
    read once and the cell's rows were read (locked) with the others' (:func:`_prefetch`): one statement.
    """
    values = {"lesson_id": lesson_id, "actor_id": actor.pk, "student_id": student_id, "course_id": course_id}
    if school is not None:
        rows = _CELL_LESSON_OF_SCHOOL.rows(**values, school_id=school.pk)
    else:
        rows = _CELL_LESSON.rows(**values)
    lesson = _LESSON_ROW.build(rows[0]) if rows else None
    if lesson is None or not lesson.writes:
        _refuse_reader(actor, lesson_id, school, course_id)
    days = (lesson.date, *policy_days)
    if batch is not None and all(day in batch.policies for day in days):
        policies = batch.policies
    else:
        policies = policies_on(lesson.course.class_group.year.school, days)
        if batch is not None:
            batch.policies.update(policies)
    cell = _Cell(actor=actor, lesson=lesson, student_id=student_id, policy=policies[lesson.date])
    known = batch.rows.pop((lesson_id, student_id), None) if batch is not None else None
    if known is not None:
        marks, cell.attendance = known
        cell.marks = {mark.position: mark for mark in marks}
        return cell, policies
    alias = connection.alias
    for row in _CELL_MARKS.rows(lesson_id=lesson_id, student_id=student_id):
        mark = Mark.from_db(alias, _MARK_FIELDS, row)
        cell.marks[mark.position] = mark
    attendance = _CELL_ATTENDANCE.rows(lesson_id=lesson_id, student_id=student_id)
    cell.attendance = Attendance.from_db(alias, _ATTENDANCE_FIELDS, attendance[0]) if attendance else None
    return cell, policies


@dataclass
class _Batch:
    """What the cells of one batch share: the policies read by the first, and each cell's rows read (locked)
    before any cell (taken once: the same cell again in the batch reads them anew)."""

    policies: dict[datetime.date, GradingPolicy] = field(default_factory=dict)
    rows: dict[tuple[int, int], tuple[list[Mark], Attendance | None]] = field(default_factory=dict)


def _prefetch(batch: _Batch, course_id: int, cells: list[CellEdit]) -> None:
    """Lock the batch's lessons of the course (in the order a single save takes them: the lesson, then its
    cell's rows, so a batch and a single save never wait for each other crosswise), then read and lock the
    cells' marks and attendance: three statements for the whole batch instead of two a cell."""
    wanted = {(edit.lesson_id, edit.student_id) for edit in cells}
    lesson_ids = list(
        Lesson.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in={lesson for lesson, _student in wanted}, course_id=course_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    students = {student for _lesson, student in wanted}
    rows: dict[tuple[int, int], tuple[list[Mark], Attendance | None]] = {
        pair: ([], None) for pair in wanted if pair[0] in lesson_ids
    }
    alias = connection.alias
    marks = Mark.objects.select_for_update(of=("self",)).filter(lesson_id__in=lesson_ids, student_id__in=students)
    for row in marks.order_by("pk").values_list(*_MARK_FIELDS):
        mark = Mark.from_db(alias, _MARK_FIELDS, row)
        if (mark.lesson_id, mark.student_id) in rows:
            rows[(mark.lesson_id, mark.student_id)][0].append(mark)
    absences = Attendance.objects.select_for_update(of=("self",)).filter(
        lesson_id__in=lesson_ids, student_id__in=students
    )
    for row in absences.order_by("pk").values_list(*_ATTENDANCE_FIELDS):
        attendance = Attendance.from_db(alias, _ATTENDANCE_FIELDS, row)
        pair = (attendance.lesson_id, attendance.student_id)
        if pair in rows:
            rows[pair] = (rows[pair][0], attendance)
    batch.rows = rows


def _refuse_reader(actor: User, lesson_id: int, school: School | None, course_id: int | None) -> NoReturn:
    """Who may not write the lesson: 403 for those who read it (and for parents and students, who never reach
    the journal, §3.12), 404 for anyone else. The permission rows prove a writer; roles only word a refusal."""
    if not rules.is_staff(actor):
        raise PermissionDenied
    if rules.reads_whole_school(actor):
        sees: Exists | Q | Value = Value(True, output_field=BooleanField())
    else:
        sees = rules.perm_exists(
            CourseUserObjectPermission, actor, "view_course", OuterRef("course_id")
        ) | rules.perm_exists(
            ClassGroupUserObjectPermission, actor, "lead_classgroup", OuterRef("course__class_group_id")
        )
    lessons = Lesson.objects.filter(pk=lesson_id).annotate(sees=sees)
    if school is not None:
        lessons = lessons.filter(course__class_group__year__school=school)
    if course_id is not None:
        lessons = lessons.filter(course_id=course_id)
    # A substitute sees only the lessons they substitute: any other lesson of the course is not there.
    if not lessons.filter(sees=True).exists():
        raise Http404("No such lesson in your scope")
    raise PermissionDenied(_("Only the course's teacher or the lesson's substitute writes this lesson."))


def _refuse_absent_student(cell: _Cell) -> None:
    """The student must attend the course on the lesson's day (enrolled in the class, in the subgroup)."""
    if cell.lesson.attends:  # type: ignore[attr-defined]
        return
    student = Student.objects.filter(pk=cell.student_id, school=cell.school).first()
    if student is None:
        raise Http404("No such student in this school")
    course = cell.lesson.course
    if course.subgroup is not None and student.enrolments.filter(class_group_id=course.class_group_id).exists():
        message = _("%(student)s is not in the subgroup «%(group)s».") % {
            "student": student,
            "group": course.subgroup.name,
        }
    else:
        message = _("%(student)s is not in class %(cls)s on %(date)s.") % {
            "student": student,
            "cls": course.class_group,
            "date": day_text(cell.lesson),
        }
    raise ValidationError({"student": message})


def _refuse_new_entry(cell: _Cell) -> None:
    """What stops putting something in the cell (removing what is there is allowed on a cancelled lesson)."""
    refuse_cancelled(cell.lesson)
    _refuse_absent_student(cell)
    refuse_closed(cell.lesson)


# --- One row at a time, in an open cell ------------------------------------------------------------


def _put_mark(
    cell: _Cell,
    *,
    position: int,
    value: str,
    expected_version: int | None,
    work_type: WorkType | None = None,
    comment: Any = "",
) -> Mark:
    """Put a mark in the cell's position or change the one there (``work_type=None``: the one it had, else the
    lesson kind's default; ``comment=KEEP``: the one it had)."""
    lesson, policy = cell.lesson, cell.policy
    grade = lesson.course.class_group.grade
    if not marks_allowed(policy, grade):
        raise ValidationError(
            {
                "value": _("Marks are not given in grade %(grade)s: the journal keeps attendance and topics only.")
                % {"grade": grade}
            }
        )
    if position not in (1, 2):
        raise ValidationError({"position": _("A cell holds two marks at most: position %(pos)s.") % {"pos": position}})
    value = clean_mark_value(value, policy)
    refuse_off_assessment(value, lesson.assessment, lesson.course.subject.name)  # type: ignore[attr-defined]
    _refuse_new_entry(cell)
    current = cell.marks.get(position)
    if current is None and expected_version is not None:
        raise stale_from_deletion(
            Mark.history.filter(lesson_id=lesson.pk, student_id=cell.student_id, position=position)
        )
    if current is not None:
        check_version(current, expected_version, current.value)
    if work_type is not None:
        if work_type.school_id != cell.school.pk or not work_type.is_active:
            raise ValidationError(
                {"work_type": _("The work type «%(name)s» is not in use in this school.") % {"name": work_type.name}}
            )
        kind_id: int | None = work_type.pk
        weight = work_type.weight
    elif current is not None and current.work_type_id is not None:
        kind_id, weight = current.work_type_id, current.weight  # a changed value keeps its work type
    else:
        kind_id, weight = cell.default_work_type
    if comment is KEEP:
        comment = current.comment if current is not None else ""
    fields = {
        "value": value,
        "work_type_id": kind_id,
        "weight": weight,
        "comment": _clean_comment(comment),
        "is_late": timezone.localdate() > late_deadline(lesson, policy),
        "author": cell.actor,
    }
    if current is None:
        mark = Mark(lesson=lesson, student_id=cell.student_id, position=position, **fields)
        mark._history_user = cell.actor  # type: ignore[attr-defined]
        # A clash with a row another save created meanwhile rolls the cell back (IntegrityError, see _in_cell).
        mark.save(force_insert=True)
    else:
        mark = current
        for name, field_value in fields.items():
            setattr(mark, name, field_value)
        mark.version += 1  # the row is locked: no one else moves it meanwhile
        mark._history_user = cell.actor  # type: ignore[attr-defined]
        mark.save(update_fields=[*fields, "version", "updated_at"])
    mark.lesson = lesson
    cell.marks[position] = mark
    notify_low_mark(mark=mark)  # reads the student only for a low mark
    return mark


def _drop_mark(cell: _Cell, *, position: int, expected_version: int | None) -> None:
    """Remove the cell's mark at ``position`` (its history keeps the removal and who made it)."""
    refuse_closed(cell.lesson)
    current = cell.marks.get(position)
    if current is None:
        raise stale_from_deletion(
            Mark.history.filter(lesson_id=cell.lesson.pk, student_id=cell.student_id, position=position)
        )
    check_version(current, expected_version, current.value)
    current._history_user = cell.actor  # type: ignore[attr-defined]
    current.delete()
    del cell.marks[position]


def _attendance_text(cell: _Cell, row: Attendance) -> str:
    return attendance_letter(cell.policy, row.status, row.reason)


def _put_attendance(cell: _Cell, *, status: str, reason: str, expected_version: int | None) -> Attendance:
    """Mark the student absent or late (present students have no row)."""
    status, reason = _clean_status(status), _clean_reason(reason)
    _refuse_new_entry(cell)
    row = cell.attendance
    if row is None:
        if expected_version is not None:
            raise stale_from_deletion(Attendance.history.filter(lesson_id=cell.lesson.pk, student_id=cell.student_id))
        row = Attendance(
            lesson=cell.lesson, student_id=cell.student_id, status=status, reason=reason, author=cell.actor
        )
        row._history_user = cell.actor  # type: ignore[attr-defined]
        row.save(force_insert=True)
    else:
        check_version(row, expected_version, _attendance_text(cell, row))
        row.status, row.reason, row.author = status, reason, cell.actor
        row.version += 1
        row._history_user = cell.actor  # type: ignore[attr-defined]
        row.save(update_fields=["status", "reason", "author", "version", "updated_at"])
    row.lesson = cell.lesson
    cell.attendance = row
    notify_unexcused_absence(attendance=row)  # reads the student only for an unexcused absence
    return row


def _drop_attendance(cell: _Cell, *, expected_version: int | None) -> None:
    """The student was present after all: the row goes, its history stays. A lesson cancelled after the fact
    may still be cleaned up: only a locked period or an archived year stops it."""
    refuse_closed(cell.lesson)
    row = cell.attendance
    if row is None:
        raise stale_from_deletion(Attendance.history.filter(lesson_id=cell.lesson.pk, student_id=cell.student_id))
    check_version(row, expected_version, _attendance_text(cell, row))
    row._history_user = cell.actor  # type: ignore[attr-defined]
    row.delete()
    cell.attendance = None


def _apply(cell: _Cell, wanted: CellInput, versions: dict[str, int | None]) -> None:
    """Bring the cell's rows to ``wanted``, each against the version the page showed; rows already as wanted
    (same value, same version) are left untouched."""
    for position in (1, 2):
        expected = versions.get(str(position))
        current = cell.marks.get(position)
        if position <= len(wanted.marks):
            value = wanted.marks[position - 1]
            if current is not None and current.version == expected and current.value == value:
                continue
            _put_mark(cell, position=position, value=value, expected_version=expected)
        elif current is not None:
            if expected is None:  # someone put a mark where the teacher saw none
                raise stale_from_row(current, current.value)
            _drop_mark(cell, position=position, expected_version=expected)
        # no mark wanted and none stored: nothing to do, whoever removed it
    expected = versions.get("att")
    row = cell.attendance
    if wanted.attendance is not None:
        status, reason = wanted.attendance
        if row is not None and row.version == expected and (row.status, row.reason) == (status, reason):
            return
        _put_attendance(cell, status=status, reason=reason, expected_version=expected)
    elif row is not None:
        if expected is None:
            raise stale_from_row(row, _attendance_text(cell, row))
        _drop_attendance(cell, expected_version=expected)


# --- The services ------------------------------------------------------------------------------------


def cell_state(lesson_id: int, student_id: int) -> CellState:
    """What the cell holds now (read after a refused save, to show the teacher what is stored)."""
    lesson = Lesson.objects.select_related("course__class_group__year__school").get(pk=lesson_id)
    marks = list(Mark.objects.filter(lesson_id=lesson_id, student_id=student_id).order_by("position"))
    row = Attendance.objects.filter(lesson_id=lesson_id, student_id=student_id).first()
    policy = policies_on(lesson.course.class_group.year.school, [lesson.date])[lesson.date]
    return _state(policy, {mark.position: mark for mark in marks}, row)


def _clash(lesson_id: int, student_id: int) -> StaleEdit:
    """Another save created one of the cell's rows between our read and our insert: report what is stored."""
    rows: list[Any] = list(Mark.objects.filter(lesson_id=lesson_id, student_id=student_id).select_related("author"))
    rows += list(Attendance.objects.filter(lesson_id=lesson_id, student_id=student_id).select_related("author"))
    latest = max(rows, key=lambda row: row.updated_at) if rows else None
    state = cell_state(lesson_id, student_id)
    stale = StaleEdit(
        value=state.text,
        author=latest.author if latest is not None else None,
        at=latest.updated_at if latest is not None else None,
        current_version=latest.version if latest is not None else None,
    )
    stale.state = state
    return stale


def _summary(cell: _Cell, policies: dict[datetime.date, GradingPolicy], span: SummarySpan | None) -> Summary | None:
    if span is None or not span.holds(cell.lesson.date):
        return None
    marks = student_course_marks(cell.lesson.course_id, cell.student_id, span.start, span.end)
    return summarise(marks, policies[span.policy_day], None)


def _summaries(
    course_id: int,
    answers: list[CellResult | CellRefusal],
    edits: list[CellEdit],
    policies: dict[datetime.date, GradingPolicy],
    span: SummarySpan,
) -> list[CellResult | CellRefusal]:
    """The saved cells of a batch with their rows' figures, as :func:`_summary` gives them, read in one query
    after the batch's last cell (a row with two cells of the batch answers both with its figures after both)."""
    students = {
        edit.student_id
        for edit, answer in zip(edits, answers, strict=True)
        if isinstance(answer, CellResult) and answer.day is not None and span.holds(answer.day)
    }
    if not students:
        return answers
    marks = course_marks([course_id], span.start, span.end, student_ids=students)
    policy = policies[span.policy_day]
    return [
        replace(answer, summary=summarise(marks.get((course_id, edit.student_id), []), policy, None))
        if isinstance(answer, CellResult)
        and edit.student_id in students
        and answer.day is not None
        and span.holds(answer.day)
        else answer
        for edit, answer in zip(edits, answers, strict=True)
    ]


@dataclass(frozen=True)
class SummarySpan:
    """The dates whose figures the page shows (a period or a month of it) and the day whose policy computes
    them (the period's start)."""

    start: datetime.date
    end: datetime.date
    policy_day: datetime.date

    def holds(self, day: datetime.date) -> bool:
        """Whether the figures follow a lesson of ``day`` (the page shows other dates: no figures to follow)."""
        return self.start <= day <= self.end


def _in_cell(lesson_id: int, student_id: int, work: Any) -> Any:
    """Run ``work`` in one transaction; any refusal rolls the whole cell back. A stale edit carries the cell
    as stored now; a clash with a row another save created meanwhile becomes one."""
    try:
        with transaction.atomic():
            return work()
    except StaleEdit as stale:
        stale.state = cell_state(lesson_id, student_id)
        raise
    except IntegrityError:
        raise _clash(lesson_id, student_id) from None


def _save_grid_cell(
    *,
    actor: User,
    school: School | None,
    course_id: int,
    lesson_id: int,
    student_id: int,
    span: SummarySpan | None,
    change: Callable[[_Cell], None],
    batch: _Batch | None = None,
    summarised: bool = True,
) -> CellResult:
    """Open a cell of the course's grid, ``change`` it, answer it as saved with the row's figures (unless
    ``summarised`` is off: a batch reads them after its last cell, :func:`_summaries`): one transaction
    (:func:`_in_cell`)."""

    def work() -> CellResult:
        days = (span.policy_day,) if span is not None else ()
        cell, policies = _open_cell(
            actor=actor,
            lesson_id=lesson_id,
            student_id=student_id,
            school=school,
            course_id=course_id,
            policy_days=days,
            batch=batch,
        )
        change(cell)
        summary = _summary(cell, policies, span) if summarised else None
        return CellResult(state=cell.state(), summary=summary, day=cell.lesson.date)

    result: CellResult = _in_cell(lesson_id, student_id, work)
    return result


def cell_set(
    *,
    actor: User,
    school: School | None,
    course_id: int,
    lesson_id: int,
    student_id: int,
    text: str,
    versions: dict[str, int | None],
    span: SummarySpan | None = None,
    batch: _Batch | None = None,
    summarised: bool = True,
) -> CellResult:
    """Bring a cell of the course's grid to what the teacher typed (``text``, :func:`parse_cell_input`), each
    row against the version the page showed; with ``span``, the student's figures over it.

    Refusals: ``Http404`` (not the actor's lesson or student), ``PermissionDenied`` (read only),
    :class:`StaleEdit` (changed meanwhile; ``.state`` holds the cell as stored), ``ValidationError``.
    ``batch`` and ``summarised``: for the cells of a batch (:func:`cells_set`).
    """

    def change(cell: _Cell) -> None:
        wanted = parse_cell_input(text, cell.policy)
        if not _repeated(cell, wanted, versions, actor):
            _apply(cell, wanted, versions)

    return _save_grid_cell(
        actor=actor,
        school=school,
        course_id=course_id,
        lesson_id=lesson_id,
        student_id=student_id,
        span=span,
        change=change,
        batch=batch,
        summarised=summarised,
    )


@dataclass(frozen=True)
class CellEdit:
    """One cell of a batch: what the teacher typed and the versions of its rows the page showed."""

    lesson_id: int
    student_id: int
    text: str
    versions: dict[str, int | None]


# How many cells one batch may carry (the grid sends those typed while a save was in flight: a column).
BATCH_MAX_CELLS = 60
# A cell's refusal that answers for that cell alone in a batch.
CellRefusal = StaleEdit | ValidationError | PermissionDenied | Http404


def cells_set(
    *,
    actor: User,
    school: School | None,
    course_id: int,
    cells: list[CellEdit],
    span: SummarySpan | None = None,
) -> list[CellResult | CellRefusal]:
    """Save cells of the course's grid in one transaction, each one as :func:`cell_set` saves it alone: its
    own savepoint, its rows checked against its own versions, its history rows and notifications. A refusal
    (a stale edit, a value the rules refuse, a lesson the actor may not write) answers for that cell only; the
    others are saved. The answers are in the cells' order. One cell is saved as :func:`cell_set` does, with
    no transaction around its own."""
    if len(cells) > BATCH_MAX_CELLS:
        raise ValidationError(
            _("At most %(count)s cells are saved at once.") % {"count": BATCH_MAX_CELLS}, code="too_many"
        )
    answers: list[CellResult | CellRefusal] = []
    shared = _Batch()
    batch = len(cells) > 1
    with transaction.atomic() if batch else nullcontext():
        if batch:
            _prefetch(shared, course_id, cells)
        for edit in cells:
            try:
                answers.append(
                    cell_set(
                        actor=actor,
                        school=school,
                        course_id=course_id,
                        lesson_id=edit.lesson_id,
                        student_id=edit.student_id,
                        text=edit.text,
                        versions=edit.versions,
                        span=span,
                        batch=shared if batch else None,
                        summarised=not batch,
                    )
                )
            except (StaleEdit, ValidationError, PermissionDenied, Http404) as refusal:
                answers.append(refusal)
        if batch and span is not None:
            answers = _summaries(course_id, answers, cells, shared.policies, span)
    return answers


def _repeated(cell: _Cell, wanted: CellInput, versions: dict[str, int | None], actor: User) -> bool:
    """The cell already holds what was typed, and every row the page did not see was written by the actor:
    the same save again (a double tap, the grid's retry of a save whose answer a dropped connection lost).
    It is answered saved with the cell as stored, not refused as a conflict with the teacher herself."""
    row = cell.attendance
    if [cell.marks[p].value for p in sorted(cell.marks)] != list(wanted.marks):
        return False
    if (None if row is None else (row.status, row.reason)) != wanted.attendance:
        return False
    rows: dict[str, Any] = {str(position): mark for position, mark in cell.marks.items()}
    if row is not None:
        rows["att"] = row
    return all(stored.version == versions.get(key) or stored.author_id == actor.pk for key, stored in rows.items())


def mark_details_set(
    *,
    actor: User,
    school: School | None,
    course_id: int,
    lesson_id: int,
    student_id: int,
    position: int,
    work_type_id: int | None,
    comment: str,
    expected_version: int,
    span: SummarySpan | None = None,
) -> CellResult:
    """Change a mark's work type (its weight follows) and the teacher's remark; its value stays."""

    def change(cell: _Cell) -> None:
        current = cell.marks.get(position)
        if current is None:  # removed meanwhile: the panel's version is stale
            raise stale_from_deletion(
                Mark.history.filter(lesson_id=lesson_id, student_id=student_id, position=position)
            )
        work_type = None
        if work_type_id is not None:
            work_type = WorkType.objects.filter(pk=work_type_id, school=cell.school).first()
            if work_type is None:
                raise ValidationError({"work_type": _("The work type is not in use in this school.")})
        _put_mark(
            cell,
            position=position,
            value=current.value,
            expected_version=expected_version,
            work_type=work_type,
            comment=comment,
        )

    return _save_grid_cell(
        actor=actor,
        school=school,
        course_id=course_id,
        lesson_id=lesson_id,
        student_id=student_id,
        span=span,
        change=change,
    )


def _single(actor: User, lesson: Lesson, student_id: int, work: Any) -> Any:
    def run() -> Any:
        cell, _policies = _open_cell(
            actor=actor, lesson_id=lesson.pk, student_id=student_id, course_id=lesson.course_id
        )
        return work(cell)

    return _in_cell(lesson.pk, student_id, run)


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

    ``expected_version``: the version the teacher saw; ``None`` when the cell position was empty. Anything
    else is refused with :class:`StaleEdit`.
    """

    def work(cell: _Cell) -> Mark:
        mark = _put_mark(
            cell,
            position=position,
            value=value,
            expected_version=expected_version,
            work_type=work_type,
            comment=comment,
        )
        mark.student = student
        return mark

    result: Mark = _single(actor, lesson, student.pk, work)
    return result


def mark_delete(*, actor: User, mark: Mark, expected_version: int) -> None:
    """Remove a mark from its cell (its history keeps the removal and who made it)."""
    _single(actor, mark.lesson, mark.student_id, lambda cell: _drop_mark_by_id(cell, mark, expected_version))


def _drop_mark_by_id(cell: _Cell, mark: Mark, expected_version: int) -> None:
    stored = next((m for m in cell.marks.values() if m.pk == mark.pk), None)
    if stored is None:
        raise stale_from_deletion(Mark.history.filter(id=mark.pk))
    _drop_mark(cell, position=stored.position, expected_version=expected_version)


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

    def work(cell: _Cell) -> Attendance:
        row = _put_attendance(cell, status=status, reason=reason, expected_version=expected_version)
        row.student = student
        return row

    result: Attendance = _single(actor, lesson, student.pk, work)
    return result


def attendance_clear(*, actor: User, attendance: Attendance, expected_version: int) -> None:
    """The student was present after all: the row goes, its history stays."""

    def work(cell: _Cell) -> None:
        if cell.attendance is None or cell.attendance.pk != attendance.pk:
            raise stale_from_deletion(Attendance.history.filter(id=attendance.pk))
        _drop_attendance(cell, expected_version=expected_version)

    _single(actor, attendance.lesson, attendance.student_id, work)


@transaction.atomic
def attendance_set_reason(*, actor: User, attendance: Attendance, reason: str, expected_version: int) -> Attendance:
    """Only the reason of an absence changes: what the class teacher may do (§4.3), besides those who write
    the lesson (:func:`journal.rules.sets_absence_reason`)."""
    reason = _clean_reason(reason)
    stored = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("author", "lesson__course__class_group__year__school", "lesson__course__subgroup", "student")
        .annotate(locked_period_id=locked_period_id("lesson__"))
        .filter(pk=attendance.pk)
        .first()
    )
    if stored is None:
        raise stale_from_deletion(Attendance.history.filter(id=attendance.pk))
    lesson = stored.lesson
    if not rules.sets_absence_reason(actor, lesson.course.class_group.year.school, lesson):
        raise PermissionDenied(_("Only those who write the lesson and the class teacher change the reason."))
    lesson.locked_period_id = stored.locked_period_id  # type: ignore[attr-defined]
    refuse_closed(lesson)
    policy = policies_on(lesson.course.class_group.year.school, [lesson.date])[lesson.date]
    check_version(stored, expected_version, attendance_letter(policy, stored.status, stored.reason))
    stored.reason, stored.author = reason, actor
    stored.version += 1
    stored._history_user = actor  # type: ignore[attr-defined]
    stored.save(update_fields=["reason", "author", "version", "updated_at"])
    notify_unexcused_absence(attendance=stored)
    return stored


@transaction.atomic
def attendance_set_reasons(*, actor: User, rows: list[tuple[Attendance, int]], reason: str) -> list[Attendance]:
    """One reason for several absences, each against the version the page showed (a student's whole day on
    the class teacher's desk): all of them or, on any refusal, none."""
    return [
        attendance_set_reason(actor=actor, attendance=attendance, reason=reason, expected_version=version)
        for attendance, version in rows
    ]
