"""Study periods of a grade and the per-student summary of a course in a period.

The summary is what the journal shows beside the grid: the weighted average,
the number of marks against the policy's minimum, the suggested period mark
and the final mark already set. The policy applied is the one in force at the
period's start, so a later policy version never rewrites an earlier period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from journal.models import (
    AcademicYear,
    Course,
    CurriculumItem,
    Enrolment,
    FinalMark,
    GradePeriodScheme,
    GradingPolicy,
    Mark,
    Student,
    StudyPeriod,
)
from journal.models.marks import NUMERIC_MARKS, FinalMarkKind, MarkValue
from journal.models.planning import LessonStatus
from journal.models.structure import PeriodKind
from journal.selectors.grading import minimum_marks, policy_for, suggested_mark, weighted_average

# Marks that say the student was not assessed: they do not count towards the minimum.
NOT_ASSESSED = frozenset({MarkValue.NOT_ATTESTED.value, MarkValue.EXEMPT.value})


def period_kind_for_grade(year: AcademicYear, grade: int) -> str:
    """The kind of period the grade is assessed by this year (quarters unless the scheme says otherwise)."""
    kind = GradePeriodScheme.objects.filter(year=year, grade=grade).values_list("kind", flat=True).first()
    return kind or PeriodKind.QUARTER.value


def period_of(year: AcademicYear, grade: int, day: datetime.date) -> StudyPeriod | None:
    """The grade's period that contains ``day`` (``None`` in the holidays between periods)."""
    kind = period_kind_for_grade(year, grade)
    return StudyPeriod.objects.filter(year=year, kind=kind, start__lte=day, end__gte=day).first()


def course_period_marks(course: Course, period: StudyPeriod) -> dict[int, list[Mark]]:
    """Marks of the course's lessons in the period, by student id, in lesson order (one query).

    Marks of cancelled lessons are left out: the lesson did not take place.
    """
    marks = (
        Mark.objects.filter(lesson__course=course, lesson__date__gte=period.start, lesson__date__lte=period.end)
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .select_related("lesson")
        .order_by("lesson__date", "lesson__slot", "position")
    )
    by_student: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        by_student[mark.student_id].append(mark)
    return dict(by_student)


def course_students_in(course: Course, start: datetime.date, end: datetime.date) -> list[Student]:
    """Students enrolled in the course's class (and its subgroup, if any) at some day of ``start``–``end``."""
    enrolled = Enrolment.objects.filter(
        Q(date_to__isnull=True) | Q(date_to__gte=start),
        class_group_id=course.class_group_id,
        date_from__lte=end,
    ).values("student_id")
    students = Student.objects.filter(pk__in=enrolled)
    if course.subgroup_id is not None:
        students = students.filter(subgroups=course.subgroup_id)
    return list(students.order_by("last_name", "first_name", "middle_name", "pk"))


@dataclass
class SummaryRow:
    student: Student
    marks: list[Mark] = field(default_factory=list)
    average: Decimal | None = None
    marks_count: int = 0
    minimum: int = 0
    suggested: str = ""
    final: FinalMark | None = None

    @property
    def below_minimum(self) -> bool:
        """Too few marks for a sound period mark (§6.2)."""
        return self.marks_count < self.minimum


def period_summary(course: Course, period: StudyPeriod) -> list[SummaryRow]:
    """One row per student enrolled in the course during the period; a constant number of queries."""
    class_group = course.class_group
    policy = policy_for(class_group.year.school, period.start)
    hours = (
        CurriculumItem.objects.filter(
            year_id=class_group.year_id, grade=class_group.grade, subject_id=course.subject_id
        )
        .values_list("hours_per_week", flat=True)
        .first()
    )
    minimum = minimum_marks(policy, hours)
    marks = course_period_marks(course, period)
    finals = {
        final.student_id: final
        for final in FinalMark.objects.filter(course=course, period=period, kind=period.kind).select_related("author")
    }
    rows = []
    for student in course_students_in(course, period.start, period.end):
        own = marks.get(student.pk, [])
        average = weighted_average(own)
        rows.append(
            SummaryRow(
                student=student,
                marks=own,
                average=average,
                marks_count=sum(1 for mark in own if mark.value not in NOT_ASSESSED),
                minimum=minimum,
                suggested=suggested_mark(average, policy),
                final=finals.get(student.pk),
            )
        )
    return rows


def suggested_for(course: Course, student: Student, period: StudyPeriod) -> str:
    """The suggested period mark of one student (the policy in force at the period's start)."""
    policy = policy_for(course.class_group.year.school, period.start)
    own = course_period_marks(course, period).get(student.pk, [])
    return suggested_mark(weighted_average(own), policy)


# --- The year: period marks, year, exam and final marks ------------------------------------

# Kinds of the marks set once a year (no period): the year's, the exam's and the final one.
YEAR_KINDS = (FinalMarkKind.YEAR.value, FinalMarkKind.EXAM.value, FinalMarkKind.FINAL.value)
# Grades whose courses end with a state exam (ОГЭ in grade 9, ЕГЭ in grade 11).
EXAM_GRADES = frozenset({9, 11})


def course_year_periods(course: Course) -> list[StudyPeriod]:
    """The periods (quarters or half-years, by the grade's scheme) of the course's year, in order."""
    year = course.class_group.year
    kind = period_kind_for_grade(year, course.class_group.grade)
    return list(StudyPeriod.objects.filter(year=year, kind=kind).order_by("number"))


def year_policy(course: Course) -> GradingPolicy:
    """The policy the year mark is rounded by: the one in force at the year's start."""
    year = course.class_group.year
    return policy_for(year.school, year.start)


def year_mark_suggestion(period_values: Iterable[str], policy: GradingPolicy) -> str:
    """The mean of the numeric period marks, rounded by the policy's thresholds.

    н/а, осв. and зачёт/незачёт periods are left out; without a numeric period mark: no suggestion.
    """
    values = [Decimal(v) for v in period_values if v in NUMERIC_MARKS]
    if not values:
        return ""
    average = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return suggested_mark(average, policy)


def final_mark_suggestion(year_value: str, exam_value: str) -> str:
    """The final mark («итоговая») from the year and exam marks.

    Both numeric: their mean rounded half up (4 and 5 give 5), as the certificate rules do; without a
    numeric exam mark it is the year mark; without a year mark there is no suggestion.
    """
    if not year_value:
        return ""
    if year_value in NUMERIC_MARKS and exam_value in NUMERIC_MARKS:
        mean = (Decimal(year_value) + Decimal(exam_value)) / 2
        return str(int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return year_value


@dataclass
class YearRow:
    student: Student
    periods: list[FinalMark | None]
    suggested_year: str = ""
    year: FinalMark | None = None
    exam: FinalMark | None = None
    final: FinalMark | None = None

    @property
    def suggested_final(self) -> str:
        return final_mark_suggestion(
            self.year.value if self.year else "",
            self.exam.value if self.exam else "",
        )

    def mark(self, kind: str) -> FinalMark | None:
        return {FinalMarkKind.YEAR: self.year, FinalMarkKind.EXAM: self.exam, FinalMarkKind.FINAL: self.final}.get(
            FinalMarkKind(kind)
        )

    def suggested(self, kind: str) -> str:
        if kind == FinalMarkKind.YEAR:
            return self.suggested_year
        if kind == FinalMarkKind.FINAL:
            return self.suggested_final
        return ""


@dataclass
class YearSummary:
    periods: list[StudyPeriod]
    rows: list[YearRow]
    has_exam_marks: bool
    policy: GradingPolicy


def year_summary(course: Course, students: Iterable[Student] | None = None) -> YearSummary:
    """Per student of the year: the period marks, the suggested and the set year, exam and final marks.

    A constant number of queries: the scheme and the periods, the policy, the students, the final marks.
    """
    year = course.class_group.year
    periods = course_year_periods(course)
    policy = year_policy(course)
    if students is None:
        students = course_students_in(course, year.start, year.end)
    by_student: dict[tuple[int, str, int | None], FinalMark] = {
        (final.student_id, final.kind, final.period_id): final
        for final in FinalMark.objects.filter(
            Q(period__in=periods) | Q(kind__in=YEAR_KINDS, period__isnull=True), course=course
        ).select_related("author")
    }
    rows = []
    for student in students:
        marks = [by_student.get((student.pk, period.kind, period.pk)) for period in periods]
        rows.append(
            YearRow(
                student=student,
                periods=marks,
                suggested_year=year_mark_suggestion((m.value for m in marks if m is not None), policy),
                year=by_student.get((student.pk, FinalMarkKind.YEAR.value, None)),
                exam=by_student.get((student.pk, FinalMarkKind.EXAM.value, None)),
                final=by_student.get((student.pk, FinalMarkKind.FINAL.value, None)),
            )
        )
    has_exam = any(kind == FinalMarkKind.EXAM for _s, kind, _p in by_student)
    return YearSummary(periods=periods, rows=rows, has_exam_marks=has_exam, policy=policy)


def year_suggestion_for(course: Course, student: Student, kind: str) -> str:
    """The suggested year or final mark of one student (what the year page shows)."""
    (row,) = year_summary(course, [student]).rows
    return row.suggested(kind)


def year_marks_locked(periods: list[StudyPeriod]) -> StudyPeriod | None:
    """The last of the year's periods (:func:`course_year_periods`) if it is locked: the year marks are then
    read-only."""
    return periods[-1] if periods and periods[-1].is_locked else None
