"""Study periods of a grade and the per-student figures of a course in a period.

The summary is what the final-marks page shows beside each student: the weighted average, the number of
marks against the policy's minimum, the suggested period mark (all from :mod:`journal.statistics`, over
the marks :mod:`journal.selectors.marks` counts) and the final mark already set. The policy applied is the
one in force at the period's start, so a later policy version never rewrites an earlier period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from journal.models import (
    AcademicYear,
    Course,
    FinalMark,
    GradePeriodScheme,
    GradingPolicy,
    Student,
    StudyPeriod,
)
from journal.models.marks import FinalMarkKind
from journal.models.structure import PeriodKind
from journal.selectors.grading import policy_for
from journal.selectors.marks import course_marks, weekly_hours
from journal.selectors.membership import attends_between, course_roster
from journal.statistics import Summary, final_mark_suggestion, summarise, year_mark_suggestion


def period_kind_expr(year_ref: OuterRef | int, grade_ref: OuterRef | int) -> Coalesce:
    """:func:`period_kind_for_grade` as an expression, so the periods of a grade come in the same query."""
    scheme = GradePeriodScheme.objects.filter(year_id=year_ref, grade=grade_ref).order_by()
    return Coalesce(NullIf(Subquery(scheme.values("kind")[:1]), Value("")), Value(PeriodKind.QUARTER.value))


def period_kind_for_grade(year: AcademicYear, grade: int) -> str:
    """The kind of period the grade is assessed by this year (quarters unless the scheme says otherwise)."""
    kind = GradePeriodScheme.objects.filter(year=year, grade=grade).values_list("kind", flat=True).first()
    return kind or PeriodKind.QUARTER.value


def period_kinds_by_grade(year: AcademicYear) -> dict[int, str]:
    """Grade → the kind of period it is assessed by this year, for every grade with a scheme (one query);
    a grade without one has quarters (:func:`period_kind_for_grade`)."""
    return dict(GradePeriodScheme.objects.filter(year=year).values_list("grade", "kind"))


def period_kind_in(kinds: dict[int, str], grade: int) -> str:
    return kinds.get(grade, PeriodKind.QUARTER.value)


def grade_periods(year_id: int, grade: int) -> list[StudyPeriod]:
    """The periods (quarters or half-years, by the grade's scheme) of the year, in order (one query)."""
    return list(
        StudyPeriod.objects.filter(year_id=year_id, kind=period_kind_expr(year_id, grade)).order_by("start", "number")
    )


def period_of(year: AcademicYear, grade: int, day: datetime.date) -> StudyPeriod | None:
    """The grade's period that contains ``day`` (``None`` in the holidays between periods)."""
    return StudyPeriod.objects.filter(
        year=year, kind=period_kind_expr(year.pk, grade), start__lte=day, end__gte=day
    ).first()


def period_containing(periods: list[StudyPeriod], day: datetime.date) -> StudyPeriod | None:
    """Of the grade's periods (:func:`grade_periods`), the one holding ``day``."""
    return next((p for p in periods if p.start <= day <= p.end), None)


def default_period(periods: list[StudyPeriod], day: datetime.date) -> StudyPeriod | None:
    """The period of ``day``, else the last one begun, else the first: what a page opens on."""
    current = period_containing(periods, day)
    if current is not None:
        return current
    begun = [p for p in periods if p.start <= day]
    return begun[-1] if begun else (periods[0] if periods else None)


def course_students_in(course: Course, start: datetime.date, end: datetime.date) -> list[Student]:
    """Students who attend the course on some day of ``start``–``end``, by name."""
    return [entry.student for entry in course_roster(course, start, end)]


@dataclass
class SummaryRow:
    student: Student
    summary: Summary
    final: FinalMark | None = None

    @property
    def average(self) -> object:
        return self.summary.average

    @property
    def marks_count(self) -> int:
        return self.summary.count

    @property
    def minimum(self) -> int:
        return self.summary.minimum

    @property
    def suggested(self) -> str:
        return self.summary.suggested

    @property
    def below_minimum(self) -> bool:
        """Too few marks for a sound period mark (§6.2)."""
        return self.summary.below_minimum


def period_summaries(course: Course, period: StudyPeriod, students: list[Student]) -> dict[int, Summary]:
    """Student id → the student's figures in the course over the period (three queries: the policy, the
    weekly hours, the marks)."""
    policy = policy_for(course.class_group.year.school, period.start)
    hours = weekly_hours([course]).get(course.pk)
    marks = course_marks([course.pk], period.start, period.end, student_ids=[s.pk for s in students])
    return {s.pk: summarise(marks.get((course.pk, s.pk), []), policy, hours) for s in students}


def period_summary(course: Course, period: StudyPeriod) -> list[SummaryRow]:
    """One row per student who attends the course during the period; a constant number of queries."""
    students = course_students_in(course, period.start, period.end)
    summaries = period_summaries(course, period, students)
    finals = {
        final.student_id: final
        for final in FinalMark.objects.filter(course=course, period=period, kind=period.kind).select_related("author")
    }
    return [SummaryRow(student=s, summary=summaries[s.pk], final=finals.get(s.pk)) for s in students]


def suggested_for(course: Course, student: Student, period: StudyPeriod) -> str:
    """The suggested period mark of one student (the policy in force at the period's start)."""
    return period_summaries(course, period, [student])[student.pk].suggested


def attends_course_in(course: Course, student: Student, period: StudyPeriod | None) -> bool:
    """The student attends the course during the period (the year without one)."""
    year = course.class_group.year
    start, end = (period.start, period.end) if period is not None else (year.start, year.end)
    return attends_between(course, student, start, end)


# --- The year: period marks, year, exam and final marks ------------------------------------

# Kinds of the marks set once a year (no period): the year's, the exam's and the final one.
YEAR_KINDS = (FinalMarkKind.YEAR.value, FinalMarkKind.EXAM.value, FinalMarkKind.FINAL.value)
# Grades whose courses end with a state exam (ОГЭ in grade 9, ЕГЭ in grade 11).
EXAM_GRADES = frozenset({9, 11})


def course_year_periods(course: Course) -> list[StudyPeriod]:
    """The periods (quarters or half-years, by the grade's scheme) of the course's year, in order."""
    return grade_periods(course.class_group.year_id, course.class_group.grade)


def year_policy(course: Course) -> GradingPolicy:
    """The policy the year mark is rounded by: the one in force at the year's start."""
    year = course.class_group.year
    return policy_for(year.school, year.start)


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
