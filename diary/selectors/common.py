"""What every diary page of a student needs: the enrolments, the courses, the periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from journal.models import ClassGroup, Course, Enrolment, Student, StudyPeriod
from journal.selectors.membership import student_course_q
from journal.selectors.periods import default_period, grade_periods


def student_enrolments(student: Student) -> list[Enrolment]:
    """All the student's enrolments, oldest first, with their classes (one query)."""
    return list(
        Enrolment.objects.filter(student=student).select_related("class_group__year").order_by("date_from", "pk")
    )


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
class YearChoice:
    """A year the student was in the school: the class they ended it in and the period it opens on."""

    class_group: ClassGroup
    period: StudyPeriod | None


@dataclass
class PeriodChoice:
    """The periods of the student's grade in the chosen year and the one chosen; the years to switch to
    (§2.5: the diary «за весь период обучения»)."""

    class_group: ClassGroup
    periods: list[StudyPeriod]
    period: StudyPeriod | None
    years: list[YearChoice] = field(default_factory=list)


def choose_period(enrolments: list[Enrolment], today: datetime.date, period_id: int | None) -> PeriodChoice | None:
    """The chosen period (``period_id`` must be one of the grades' the student was in, this year or an
    earlier one), else the one of today, else the last begun. ``None`` when the student has no enrolment.
    An unknown ``period_id`` falls back to today's. One query per year the student was in the school."""
    enrolment = current_enrolment(enrolments, today)
    if enrolment is None:
        return None
    by_year: dict[int, Enrolment] = {}
    for row in enrolments:  # oldest first: a year's last class wins
        by_year[row.class_group.year_id] = row
    periods_of = {
        year_id: grade_periods(row.class_group.year_id, row.class_group.grade) for year_id, row in by_year.items()
    }
    class_group = enrolment.class_group
    periods = periods_of[class_group.year_id]
    chosen = None
    if period_id is not None:
        for year_id, row in by_year.items():
            found = next((p for p in periods_of[year_id] if p.pk == period_id), None)
            if found is not None:
                class_group, periods, chosen = row.class_group, periods_of[year_id], found
                break
    chosen = chosen or default_period(periods, today)
    years = (
        [
            YearChoice(row.class_group, default_period(periods_of[year_id], today))
            for year_id, row in sorted(by_year.items(), key=lambda item: item[1].class_group.year.start)
        ]
        if len(by_year) > 1
        else []
    )
    return PeriodChoice(class_group=class_group, periods=periods, period=chosen, years=years)
