"""The course page of the journal: students × lessons with their cells, in a fixed number of queries.

Rows are the students who attend the course on at least one day of the range
(:func:`journal.selectors.membership.course_roster`); a cell is open only on the
days the student attends (a student who arrived or left shows only there). Per
student: the figures of :func:`journal.statistics.summarise` over the marks that
count (not those of a cancelled lesson, :mod:`journal.selectors.marks`), by the
policy in force at the period's start, and the final mark of the period.

Queries do not grow with students or lessons: lessons, enrolments, subgroup
members, marks, attendance, the policy, the curriculum line and the final
marks are each one query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404

from accounts.models import User
from journal.access import CourseAccess
from journal.models import (
    Attendance,
    FinalMark,
    GradingPolicy,
    Lesson,
    LessonStatus,
    Mark,
    Student,
    StudyPeriod,
    WorkType,
)
from journal.models.structure import Course
from journal.selectors.grading import attendance_letter, default_work_type, marks_allowed, policy_for
from journal.selectors.marks import counts, weekly_hours
from journal.selectors.membership import RosterEntry, course_roster
from journal.selectors.scope import lessons_substituted_by
from journal.statistics import MarkFacts, Summary, minimum_marks, summarise


@dataclass(slots=True)
class GridCell:
    """A cell that holds something: its marks by position, the attendance letter, the rows' versions."""

    marks: list[str] = field(default_factory=list)
    letter: str = ""
    v1: int | None = None
    v2: int | None = None
    va: int | None = None
    late: bool = False

    @property
    def text(self) -> str:
        """As the teacher would type it: "н", "4/5", "оп 5"."""
        marks = "/".join(self.marks)
        return f"{self.letter} {marks}" if self.letter and marks else (self.letter or marks)

    @property
    def versions(self) -> str:
        """ "v1,v2,va" for the page: what a save is based on."""
        return ",".join("" if v is None else str(v) for v in (self.v1, self.v2, self.va))


@dataclass
class GridRow:
    entry: RosterEntry  # the student and the days they attend the course
    cells: dict[int, GridCell]  # by lesson id; a cell that holds nothing is not there
    summary: Summary
    final_value: str  # the period's final mark, "" without one

    @property
    def student(self) -> Student:
        return self.entry.student

    @property
    def average(self) -> Decimal | None:
        return self.summary.average

    @property
    def marks_count(self) -> int:
        return self.summary.count

    @property
    def suggested(self) -> str:
        return self.summary.suggested


@dataclass
class CourseGrid:
    course: Course
    start: datetime.date
    end: datetime.date
    policy_day: datetime.date  # the period's start: its policy computes the figures, a month's too
    policy: GradingPolicy
    marks_allowed: bool
    minimum_marks: int
    lessons: list[Lesson]
    rows: list[GridRow]


def course_grid(
    course: Course,
    start: datetime.date,
    end: datetime.date,
    *,
    period: StudyPeriod | None = None,
    lesson_ids: Collection[int] | None = None,
) -> CourseGrid:
    """The page of ``course`` from ``start`` to ``end`` (a period, or a month).

    ``course`` should come with ``class_group__year__school`` selected; the final marks shown are those of
    ``period`` (none without it). ``lesson_ids`` narrows the columns to those lessons (a substitute's page).
    Marks and attendance are read as tuples of the columns the page prints: a quarter holds ~1,500 cells,
    and model instances for them cost more than the queries.
    """
    class_group = course.class_group
    school = class_group.year.school
    policy_day = period.start if period is not None else start
    policy = policy_for(school, policy_day)
    lesson_rows = Lesson.objects.filter(course=course, date__gte=start, date__lte=end)
    if lesson_ids is not None:
        lesson_rows = lesson_rows.filter(pk__in=list(lesson_ids))
    lessons = list(lesson_rows.only("pk", "date", "slot", "kind", "status", "topic").order_by("date", "slot"))
    ids = [lesson.pk for lesson in lessons]
    counted_lessons = {lesson.pk for lesson in lessons if counts(lesson.status)}

    roster = course_roster(course, start, end)
    student_ids = [entry.student.pk for entry in roster]
    cells: dict[int, dict[int, GridCell]] = defaultdict(dict)  # student → lesson → cell
    counted: dict[int, list[MarkFacts]] = defaultdict(list)
    for student_id, lesson_id, position, value, weight, version, late in (
        Mark.objects.filter(lesson_id__in=ids, student_id__in=student_ids)
        .order_by("position")
        .values_list("student_id", "lesson_id", "position", "value", "weight", "version", "is_late")
    ):
        cell = cells[student_id].get(lesson_id)
        if cell is None:
            cell = cells[student_id][lesson_id] = GridCell()
        cell.marks.append(value)
        if position == 1:
            cell.v1 = version
        else:
            cell.v2 = version
        cell.late = cell.late or late
        if lesson_id in counted_lessons:
            counted[student_id].append(MarkFacts(value, weight))
    letters: dict[tuple[str, str], str] = {}
    for student_id, lesson_id, status, reason, version in (
        # No ordering: the model's default (lesson date, student name) joins two tables for nothing here.
        Attendance.objects.filter(lesson_id__in=ids, student_id__in=student_ids)
        .order_by()
        .values_list("student_id", "lesson_id", "status", "reason", "version")
    ):
        cell = cells[student_id].get(lesson_id)
        if cell is None:
            cell = cells[student_id][lesson_id] = GridCell()
        key = (status, reason)
        if key not in letters:
            letters[key] = attendance_letter(policy, status, reason)
        cell.letter, cell.va = letters[key], version
    finals: dict[int, str] = {}
    if period is not None:
        finals = dict(
            FinalMark.objects.filter(course=course, period=period, student_id__in=student_ids).values_list(
                "student_id", "value"
            )
        )
    hours = weekly_hours([course]).get(course.pk)
    rows = [
        GridRow(
            entry=entry,
            cells=cells.get(entry.student.pk, {}),
            summary=summarise(counted.get(entry.student.pk, []), policy, hours),
            final_value=finals.get(entry.student.pk, ""),
        )
        for entry in roster
    ]
    return CourseGrid(
        course=course,
        start=start,
        end=end,
        policy_day=policy_day,
        policy=policy,
        marks_allowed=marks_allowed(policy, class_group.grade),
        minimum_marks=minimum_marks(policy, hours),
        lessons=lessons,
        rows=rows,
    )


# --- One cell's details: the panel below the grid -------------------------------------------------


# The marks a tap enters on a phone (the grid's picker); other marks and two marks are typed.
PICKER_MARKS = ["5", "4", "3", "2"]


@dataclass
class CellDetails:
    """What the panel shows of one cell: its marks with work types and remarks, the attendance entry, what
    the user may change."""

    lesson: Lesson
    student: Student
    marks: list[Mark]
    default_work_type_id: int | None
    attendance: Attendance | None
    attendance_letter: str
    writable: bool
    marks_allowed: bool
    work_types: list[WorkType]
    picker_letters: list[str]

    def context(self) -> dict[str, object]:
        return {
            "lesson": self.lesson,
            "student": self.student,
            "marks": [{"mark": m, "work_type_id": m.work_type_id or self.default_work_type_id} for m in self.marks],
            "attendance": self.attendance,
            "attendance_letter": self.attendance_letter,
            "writable": self.writable,
            "marks_allowed": self.marks_allowed,
            "work_types": self.work_types,
            "picker_marks": PICKER_MARKS,
            "picker_letters": self.picker_letters,
        }


def cell_details(user: User, access: CourseAccess, lesson_id: int, student_id: int) -> CellDetails:
    """One cell of the course (for a substitute, of a lesson they substitute) and of a student of the school,
    or 404."""
    course = access.course
    school = course.class_group.year.school
    lessons = Lesson.objects.select_related("course__class_group__year__school", "course__subgroup").filter(
        pk=lesson_id, course=course
    )
    if access.substitute_only:
        lessons = lessons.filter(pk__in=lessons_substituted_by(user, school).values("pk"))
    lesson = lessons.first()
    student = Student.objects.filter(pk=student_id, school=school).first()
    if lesson is None or student is None:
        raise Http404("No such lesson or student in this course")
    policy = policy_for(school, lesson.date)
    marks = list(
        Mark.objects.filter(lesson=lesson, student=student).select_related("work_type", "author").order_by("position")
    )
    attendance = Attendance.objects.filter(lesson=lesson, student=student).select_related("author").first()
    work_types = list(WorkType.objects.filter(school=school, is_active=True).order_by("name"))
    default = default_work_type(school, lesson.kind)
    writes = access.teaches or lessons_substituted_by(user, school).filter(pk=lesson.pk).exists()
    return CellDetails(
        lesson=lesson,
        student=student,
        marks=marks,
        default_work_type_id=default.pk if default is not None else None,
        attendance=attendance,
        attendance_letter=(
            attendance_letter(policy, attendance.status, attendance.reason) if attendance is not None else ""
        ),
        writable=lesson.status != LessonStatus.CANCELLED and writes,
        marks_allowed=marks_allowed(policy, lesson.course.class_group.grade),
        work_types=work_types,
        picker_letters=[policy.letter_absent, policy.letter_illness],
    )
