"""What every diary page of a student needs: the enrolments, the courses, the periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from journal.models import ClassGroup, Course, Enrolment, GradePeriodScheme, PeriodKind, Student, StudyPeriod, Subgroup


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


def _own_subgroups(student: Student) -> QuerySet[Any, int]:
    """The ids of the student's subgroups, read from the membership table alone (no JOIN to the subgroups)."""
    return Subgroup.members.through.objects.filter(student=student).values_list("subgroup_id", flat=True)


def student_course_filter(student: Student, class_ids: set[int]) -> Q:
    """Courses of the student's classes: a whole-class course, or a subgroup's if the student is a member."""
    own_subgroups = _own_subgroups(student)
    return Q(course__class_group_id__in=class_ids) & (
        Q(course__subgroup__isnull=True) | Q(course__subgroup__in=own_subgroups)
    )


def student_courses(student: Student, enrolments: list[Enrolment]) -> QuerySet[Course]:
    """Courses of the classes the enrolments name (whole class or the student's subgroups)."""
    class_ids = {e.class_group_id for e in enrolments}
    own_subgroups = _own_subgroups(student)
    return (
        Course.objects.filter(class_group_id__in=class_ids)
        .filter(Q(subgroup__isnull=True) | Q(subgroup__in=own_subgroups))
        .select_related("subject", "subgroup", "class_group")
        .order_by("subject__name", "subgroup__name", "pk")
    )


def _period_kind(class_group: ClassGroup) -> Coalesce:
    """``journal.selectors.periods.period_kind_for_grade`` as an expression, so the periods come in one query."""
    scheme = GradePeriodScheme.objects.filter(year_id=class_group.year_id, grade=class_group.grade).order_by()
    return Coalesce(NullIf(Subquery(scheme.values("kind")[:1]), Value("")), Value(PeriodKind.QUARTER.value))


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
    periods = list(
        StudyPeriod.objects.filter(year_id=class_group.year_id, kind=_period_kind(class_group)).order_by("start")
    )
    chosen = next((p for p in periods if p.pk == period_id), None)
    if chosen is None:
        chosen = next((p for p in periods if p.start <= today <= p.end), None)
    if chosen is None:
        begun = [p for p in periods if p.start <= today]
        chosen = begun[-1] if begun else (periods[0] if periods else None)
    return PeriodChoice(class_group=class_group, periods=periods, period=chosen)
