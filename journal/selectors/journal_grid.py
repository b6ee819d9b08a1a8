"""The course page of the journal: students × lessons with their cells, in a fixed number of queries.

Rows are the students of the class (or the subgroup) enrolled on at least one
day of the range; a cell is open only on the days the student was enrolled
(a student who arrived or left shows only where enrolled). Per student: the
weighted average, the count of marks against the policy's minimum, the
suggested period mark and the final mark of the period, when one is asked for.

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

from django.db.models import Q

from journal.models import (
    Attendance,
    CurriculumItem,
    Enrolment,
    FinalMark,
    GradingPolicy,
    Lesson,
    LessonStatus,
    Mark,
    Student,
    StudyPeriod,
)
from journal.models.marks import NUMERIC_MARKS
from journal.models.structure import Course
from journal.selectors.grading import (
    attendance_letter,
    marks_allowed,
    minimum_marks,
    policy_for,
    suggested_mark,
    weighted_average,
)


@dataclass(slots=True)
class GridCell:
    lesson: Lesson
    enrolled: bool
    marks: list[Mark] = field(default_factory=list)
    attendance: Attendance | None = None
    attendance_letter: str = ""

    @property
    def writable(self) -> bool:
        return self.enrolled and self.lesson.status != LessonStatus.CANCELLED


@dataclass
class GridRow:
    student: Student
    cells: list[GridCell]
    average: Decimal | None
    marks_count: int
    suggested: str
    final_mark: FinalMark | None


@dataclass
class CourseGrid:
    course: Course
    start: datetime.date
    end: datetime.date
    policy: GradingPolicy
    marks_allowed: bool
    minimum_marks: int
    lessons: list[Lesson]
    rows: list[GridRow]


def _enrolled(spans: list[tuple[datetime.date, datetime.date | None]], day: datetime.date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in spans)


@dataclass
class Summary:
    average: Decimal | None
    marks_count: int
    suggested: str


def summarise(marks: list[Mark], policy: GradingPolicy) -> Summary:
    """A row's summary columns from its marks: the weighted average, the count of numeric marks, the suggestion."""
    average = weighted_average(marks)
    return Summary(
        average=average,
        marks_count=sum(1 for mark in marks if mark.value in NUMERIC_MARKS),
        suggested=suggested_mark(average, policy),
    )


def course_grid(
    course: Course,
    start: datetime.date,
    end: datetime.date,
    *,
    period: StudyPeriod | None = None,
    lesson_ids: Collection[int] | None = None,
) -> CourseGrid:
    """The page of ``course`` from ``start`` to ``end`` (a period, or a month).

    ``course`` should come with ``class_group__year__school`` selected; the
    final marks shown are those of ``period`` (none without it). ``lesson_ids``
    narrows the columns to those lessons (a substitute's page).
    """
    class_group = course.class_group
    school = class_group.year.school
    policy = policy_for(school, start)
    lesson_rows = Lesson.objects.filter(course=course, date__gte=start, date__lte=end)
    if lesson_ids is not None:
        lesson_rows = lesson_rows.filter(pk__in=list(lesson_ids))
    lessons = list(lesson_rows.order_by("date", "slot"))
    lesson_ids = [lesson.pk for lesson in lessons]

    enrolments = (
        Enrolment.objects.filter(class_group=class_group, date_from__lte=end)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=start))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id", "date_from")
    )
    if course.subgroup_id is not None:
        enrolments = enrolments.filter(student__subgroups=course.subgroup_id)
    spans: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    students: dict[int, Student] = {}
    for enrolment in enrolments:
        students.setdefault(enrolment.student_id, enrolment.student)
        spans[enrolment.student_id].append((enrolment.date_from, enrolment.date_to))

    marks_by_cell: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(lesson_id__in=lesson_ids, student_id__in=students).order_by("position"):
        marks_by_cell[(mark.student_id, mark.lesson_id)].append(mark)
    attendance = {
        (row.student_id, row.lesson_id): row
        # No ordering: the model's default (lesson date, student name) joins two tables for nothing here.
        for row in Attendance.objects.filter(lesson_id__in=lesson_ids, student_id__in=students).order_by()
    }
    finals: dict[int, FinalMark] = {}
    if period is not None:
        finals = {
            row.student_id: row
            for row in FinalMark.objects.filter(course=course, period=period, student_id__in=students)
        }
    hours = (
        CurriculumItem.objects.filter(
            year_id=class_group.year_id, grade=class_group.grade, subject_id=course.subject_id
        )
        .values_list("hours_per_week", flat=True)
        .first()
    )

    # The loop below runs students × lessons times: keys, enrolment flags and letters are computed
    # once per lesson, per student and per (status, reason), not once per cell.
    keyed_lessons = [(lesson, lesson.pk, lesson.date) for lesson in lessons]
    letters: dict[tuple[str, str], str] = {}
    no_marks: list[Mark] = []
    rows = []
    for student_id, student in students.items():
        cells = []
        all_marks: list[Mark] = []
        student_spans = spans[student_id]
        always = any(begin <= start and (until is None or until >= end) for begin, until in student_spans)
        for lesson, lesson_id, day in keyed_lessons:
            key = (student_id, lesson_id)
            cell_marks = marks_by_cell.get(key, no_marks)
            if cell_marks:
                all_marks.extend(cell_marks)
            else:
                cell_marks = []
            row = attendance.get(key)
            letter = ""
            if row is not None:
                letter_key = (row.status, row.reason)
                letter = letters.get(letter_key, "")
                if letter_key not in letters:
                    letter = letters[letter_key] = attendance_letter(policy, row.status, row.reason)
            cells.append(
                GridCell(
                    lesson=lesson,
                    enrolled=always or _enrolled(student_spans, day),
                    marks=cell_marks,
                    attendance=row,
                    attendance_letter=letter,
                )
            )
        summary = summarise(all_marks, policy)
        rows.append(
            GridRow(
                student=student,
                cells=cells,
                average=summary.average,
                marks_count=summary.marks_count,
                suggested=summary.suggested,
                final_mark=finals.get(student_id),
            )
        )
    return CourseGrid(
        course=course,
        start=start,
        end=end,
        policy=policy,
        marks_allowed=marks_allowed(policy, class_group.grade),
        minimum_marks=minimum_marks(policy, hours),
        lessons=lessons,
        rows=rows,
    )
