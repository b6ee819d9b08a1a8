"""Study periods of a grade and the per-student summary of a course in a period.

The summary is what the journal shows beside the grid: the weighted average,
the number of marks against the policy's minimum, the suggested period mark
and the final mark already set. The policy applied is the one in force at the
period's start, so a later policy version never rewrites an earlier period.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from journal.models import (
    AcademicYear,
    Course,
    CurriculumItem,
    Enrolment,
    FinalMark,
    GradePeriodScheme,
    Mark,
    Student,
    StudyPeriod,
)
from journal.models.marks import MarkValue
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
