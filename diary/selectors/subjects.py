"""A student's subjects in a period: marks, weighted average, prognosis and final marks (§2.8, §8.2, §8.4).

The average, the count, the suggested mark and the minimum are the journal's own
(:func:`journal.statistics.summarise`, over the marks :data:`journal.selectors.marks.COUNTED`
keeps), with the policy in force at the period's start as the grid and the final-marks page use;
only the fetching is narrowed to one student. Constant queries whatever the number of marks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from diary.selectors.common import overlapping, student_courses
from journal.models import (
    Course,
    Enrolment,
    FinalMark,
    GradingPolicy,
    Mark,
    Student,
    StudyPeriod,
)
from journal.selectors.grading import policy_for
from journal.selectors.marks import COUNTED, weekly_hours
from journal.statistics import summarise


def _period_marks(student: Student, period: StudyPeriod) -> QuerySet[Mark]:
    """The student's marks of the period; those of cancelled lessons are left out, as in the journal.

    With their lessons and work types, only the columns the pages and the prognosis read.
    """
    return (
        Mark.objects.filter(COUNTED, student=student, lesson__date__gte=period.start, lesson__date__lte=period.end)
        .select_related("lesson", "work_type")
        .only("value", "weight", "comment", "lesson", "lesson__date", "lesson__course", "work_type", "work_type__name")
        .order_by("lesson__date", "lesson__slot", "position")
    )


@dataclass
class WeightLine:
    """One work type in the "why": its weight and how many marks of it count."""

    name: str
    weight: Decimal
    count: int


@dataclass
class Prognosis:
    marks: list[Mark]
    average: Decimal | None
    suggested: str
    marks_count: int
    minimum: int
    policy: GradingPolicy
    weights: list[WeightLine] = field(default_factory=list)
    weighted_sum: Decimal = Decimal(0)
    weight_total: Decimal = Decimal(0)

    @property
    def below_minimum(self) -> bool:
        """Too few marks for a sound period mark (§6.2)."""
        return self.marks_count < self.minimum


def _prognosis(marks: list[Mark], policy: GradingPolicy, hours: Decimal | None) -> Prognosis:
    summary = summarise(marks, policy, hours)
    numeric = [m for m in marks if m.is_numeric]
    lines: dict[tuple[str, Decimal], int] = defaultdict(int)
    for mark in numeric:
        name = mark.work_type.name if mark.work_type_id and mark.work_type else ""
        lines[(name, mark.weight)] += 1
    return Prognosis(
        marks=marks,
        average=summary.average,
        suggested=summary.suggested,
        marks_count=summary.count,
        minimum=summary.minimum,
        policy=policy,
        weights=[WeightLine(name, weight, n) for (name, weight), n in sorted(lines.items(), key=lambda i: -i[0][1])],
        weighted_sum=sum((Decimal(m.value) * m.weight for m in numeric), Decimal(0)),
        weight_total=sum((m.weight for m in numeric), Decimal(0)),
    )


@dataclass
class SubjectRow:
    course: Course
    prognosis: Prognosis
    final: FinalMark | None


def _courses_of_period(student: Student, enrolments: list[Enrolment], period: StudyPeriod) -> QuerySet[Course]:
    return student_courses(student, overlapping(enrolments, period.start, period.end))


def subjects_of_period(student: Student, enrolments: list[Enrolment], period: StudyPeriod) -> list[SubjectRow]:
    """One row per course of the student in the period (5 queries: courses, marks, hours, finals, policy)."""
    courses = list(_courses_of_period(student, enrolments, period))
    course_ids = [c.pk for c in courses]
    by_course: dict[int, list[Mark]] = defaultdict(list)
    for mark in _period_marks(student, period).filter(lesson__course_id__in=course_ids):
        by_course[mark.lesson.course_id].append(mark)
    hours = weekly_hours(courses)
    finals = {
        f.course_id: f
        for f in FinalMark.objects.filter(student=student, period=period, kind=period.kind, course_id__in=course_ids)
    }
    policy = policy_for(student.school, period.start)
    return [
        SubjectRow(
            course=course,
            prognosis=_prognosis(by_course.get(course.pk, []), policy, hours.get(course.pk)),
            final=finals.get(course.pk),
        )
        for course in courses
    ]


@dataclass
class SubjectView:
    course: Course
    period: StudyPeriod
    prognosis: Prognosis
    final: FinalMark | None
    finals: list[FinalMark]


def student_course_for(student: Student, enrolments: list[Enrolment], course_id: int) -> Course | None:
    """One of the student's courses (any class they were in), or ``None``: the view answers 404."""
    return student_courses(student, enrolments).filter(pk=course_id).first()


def subject_view(student: Student, course: Course, period: StudyPeriod) -> SubjectView:
    """Every mark of the course in the period with date and work type, the prognosis and its "why",
    and the final marks of every period with the teacher's reason (5 queries)."""
    marks = list(_period_marks(student, period).filter(lesson__course=course))
    hours = weekly_hours([course]).get(course.pk)
    policy = policy_for(student.school, period.start)
    finals = list(
        FinalMark.objects.filter(student=student, course=course)
        .select_related("period")
        .order_by("kind", "period__start")
    )
    final = next((f for f in finals if f.period_id == period.pk and f.kind == period.kind), None)
    return SubjectView(
        course=course, period=period, prognosis=_prognosis(marks, policy, hours), final=final, finals=finals
    )
