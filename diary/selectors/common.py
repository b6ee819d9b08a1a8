"""What every diary page of a student needs: the enrolments, the courses, the periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from journal.models import ClassGroup, Course, Enrolment, Student, StudyPeriod
from journal.selectors.membership import student_course_q
from journal.selectors.periods import default_period, grade_periods


def student_enrolments(student: Student) -> list[Enrolment]:
    """All the student's enrolments, oldest first, with their classes (one query)."""
    return list(Enrolment.objects.filter(student=student).select_related("class_group").order_by("date_from", "pk"))


def enrolment_on(enrolments: list[Enrolment], day: datetime.date) -> Enrolment | None:
    for enrolment in enrolments:
        if enrolment.date_from <= day and (enrolment.date_to is None or day <= enrolment.date_to):
            return enrolment
    return None


def current_enrolment(enrolments: list[Enrolment], day: datetime.date) -> Enrolment | None:
    """The enrolment on ``day``, else the latest one that began before it, else the first."""
    found = enrolment_on(enrolments, day)
    if found is not None:
        return found
    started = [e for e in enrolments if e.date_from <= day]
    if started:
        return started[-1]
    return enrolments[0] if enrolments else None


def overlapping(enrolments: list[Enrolment], start: datetime.date, end: datetime.date) -> list[Enrolment]:
    return [e for e in enrolments if e.date_from <= end and (e.date_to is None or e.date_to >= start)]


def student_course_filter(student: Student, class_ids: set[int]) -> Q:
    """Lessons of the courses of the student's classes the student attends (a whole-class course, or a
    subgroup's the student is a member of): :func:`journal.selectors.membership.student_course_q`."""
    return student_course_q(student, class_ids, prefix="course__")


def student_courses(student: Student, enrolments: list[Enrolment]) -> QuerySet[Course]:
    """Courses of the classes the enrolments name that the student attends."""
    return (
        Course.objects.filter(student_course_q(student, {e.class_group_id for e in enrolments}))
        .select_related("subject", "subgroup", "class_group")
        .order_by("subject__name", "subgroup__name", "pk")
    )


@dataclass
class PeriodChoice:
    """The periods of the student's grade this year and the one chosen."""

    class_group: ClassGroup
    periods: list[StudyPeriod]
    period: StudyPeriod | None


def choose_period(enrolments: list[Enrolment], today: datetime.date, period_id: int | None) -> PeriodChoice | None:
    """The chosen period (``period_id`` must be one of the grade's), else the one of today, else the last begun.

    ``None`` when the student has no enrolment. An unknown ``period_id`` falls back to today's.
    """
    enrolment = current_enrolment(enrolments, today)
    if enrolment is None:
        return None
    class_group = enrolment.class_group
    periods = grade_periods(class_group.year_id, class_group.grade)
    chosen = next((p for p in periods if p.pk == period_id), None) or default_period(periods, today)
    return PeriodChoice(class_group=class_group, periods=periods, period=chosen)
