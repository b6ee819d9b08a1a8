"""Who attends a course, and on which days: one rule for the grid, the statistics, the diary, the printout,
the final marks and the services that write a cell.

A student attends a course on a day when enrolled in the course's class that day (``Enrolment``, dated:
arrivals, departures and transfers keep their history) and, for a subgroup's course, is a member of the
subgroup on that day (``SubgroupMembership``, dated too: a move to the other group or a transfer to another
class ends one membership and starts another). A student who moved between classes attends each class's
courses on their own days only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone

from core.compiled import CompiledQuery
from core.expressions import InIds, JoinedPk
from journal.models import ClassGroup, Course, Enrolment, Student, SubgroupMembership

Span = tuple[datetime.date, datetime.date | None]
# A membership's days: either end may be open (from the class's first day, to its last).
MemberSpan = tuple[datetime.date | None, datetime.date | None]
# Subgroup id → the student's spans in it.
Memberships = dict[int, list[MemberSpan]]


def enrolled_on(day: datetime.date, prefix: str = "") -> Q:
    """Enrolments that hold on ``day`` (the ``date_to`` day is the last one in the class); ``prefix``
    ("enrolments__") from a query of classes."""
    return Q(**{f"{prefix}date_from__lte": day}) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": day})
    )


def enrolment_holding(student_id: int, day: datetime.date) -> Enrolment | None:
    """The student's enrolment that holds on ``day``, with its class and year (one query): what a
    transfer or a departure of that day ends."""
    return (
        Enrolment.objects.filter(enrolled_on(day), student_id=student_id)
        .select_related("class_group__year")
        .order_by("-date_from")
        .first()
    )


def enrolled_between(start: datetime.date, end: datetime.date) -> Q:
    """Enrolments that hold on some day of ``start``–``end``."""
    return Q(date_from__lte=end) & (Q(date_to__isnull=True) | Q(date_to__gte=start))


def member_on(day: datetime.date | Any, prefix: str = "") -> Q:
    """Subgroup memberships that hold on ``day`` (a date or an ``OuterRef``)."""
    return (Q(**{f"{prefix}date_from__isnull": True}) | Q(**{f"{prefix}date_from__lte": day})) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": day})
    )


def member_between(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    """Subgroup memberships that hold on some day of ``start``–``end``."""
    return (Q(**{f"{prefix}date_from__isnull": True}) | Q(**{f"{prefix}date_from__lte": end})) & (
        Q(**{f"{prefix}date_to__isnull": True}) | Q(**{f"{prefix}date_to__gte": start})
    )


def in_span(spans: Iterable[MemberSpan], day: datetime.date) -> bool:
    return any((start is None or start <= day) and (end is None or day <= end) for start, end in spans)


def _overlap(enrolment: Span, membership: MemberSpan) -> Span | None:
    """The days of an enrolment the student is also in the subgroup, or None."""
    start = max(enrolment[0], membership[0]) if membership[0] else enrolment[0]
    ends = [day for day in (enrolment[1], membership[1]) if day is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return start, end


def attends_between(course: Course, student: Student, start: datetime.date, end: datetime.date) -> bool:
    """The student attends the course on some day of ``start``–``end`` (one query): enrolled in its class and,
    for a subgroup's course, a member, on one and the same day."""
    enrolled = Enrolment.objects.filter(
        enrolled_between(start, end), student=student, class_group_id=course.class_group_id
    )
    if course.subgroup_id is None:
        return enrolled.exists()
    rows = _with_membership(enrolled, course.subgroup_id)
    spans = rows.values_list("date_from", "date_to", "m_from", "m_to")  # type: ignore[misc]
    for date_from, date_to, m_from, m_to in spans:
        both = _overlap((date_from, date_to), (m_from, m_to))
        if both is not None and both[0] <= end and (both[1] is None or both[1] >= start):
            return True
    return False


def _with_membership(enrolments: QuerySet[Enrolment], subgroup_id: int) -> QuerySet[Enrolment]:
    """The enrolments of the subgroup's members, a row for each of their memberships in it, with its dates
    (``m_from``, ``m_to``)."""
    return (
        enrolments.annotate(
            membership=FilteredRelation(
                "student__subgroup_memberships", condition=Q(student__subgroup_memberships__subgroup_id=subgroup_id)
            )
        )
        .filter(membership__isnull=False)
        .annotate(m_from=F("membership__date_from"), m_to=F("membership__date_to"))
    )


@dataclass
class RosterEntry:
    """A student of a course and the spans of days they attend it."""

    student: Student
    spans: list[Span] = field(default_factory=list)

    def attends(self, day: datetime.date) -> bool:
        return in_span(self.spans, day)

    def attends_throughout(self, start: datetime.date, end: datetime.date) -> bool:
        return any(begin <= start and (until is None or until >= end) for begin, until in self.spans)


def with_students(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """``enrolments`` with their students, the students' rows found by their ids (one query).

    The ids are the enrolments' own (:class:`core.expressions.InIds` of a subquery): a plain join lets the
    planner hash every student of the server's schools when a school is small enough for a whole-table read
    to look cheaper than the class's few lookups.
    """
    own = enrolments.order_by().values("student_id")
    return enrolments.filter(InIds(JoinedPk("student"), own)).select_related("student")


def _enrolments_between(class_id: int, start: datetime.date, end: datetime.date) -> QuerySet[Enrolment]:
    return with_students(Enrolment.objects.filter(enrolled_between(start, end), class_group_id=class_id)).order_by(
        "student__last_name", "student__first_name", "student__middle_name", "student_id", "date_from"
    )


def course_roster(course: Course, start: datetime.date, end: datetime.date) -> list[RosterEntry]:
    """The students who attend the course on some day of ``start``–``end``, by name, with their spans (one
    query): for a subgroup's course, the days they are both in the class and in the subgroup."""
    enrolments = _enrolments_between(course.class_group_id, start, end)
    if course.subgroup_id is None:
        return _roster(enrolments)
    roster: dict[int, RosterEntry] = {}
    order = ("student__last_name", "student__first_name", "student__middle_name", "student_id", "date_from", "m_from")
    for enrolment in _with_membership(enrolments, course.subgroup_id).order_by(*order):  # type: ignore[misc]
        membership = (enrolment.m_from, enrolment.m_to)  # type: ignore[attr-defined]
        both = _overlap((enrolment.date_from, enrolment.date_to), membership)
        if both is None or both[0] > end or (both[1] is not None and both[1] < start):
            continue
        entry = roster.get(enrolment.student_id)
        if entry is None:
            entry = roster[enrolment.student_id] = RosterEntry(enrolment.student)
        entry.spans.append(both)
    return list(roster.values())


def class_roster_between(class_id: int, start: datetime.date, end: datetime.date) -> list[RosterEntry]:
    """The students enrolled in the class on some day of ``start``–``end``, by name, with their spans in it
    (one query): the rows of a class's reports."""
    return _roster(_enrolments_between(class_id, start, end))


def classes_rosters_between(
    class_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, list[RosterEntry]]:
    """Class id → :func:`class_roster_between` of each class, in one query (a whole school's)."""
    enrolments = with_students(
        Enrolment.objects.filter(enrolled_between(start, end), class_group_id__in=list(class_ids))
    ).order_by("student__last_name", "student__first_name", "student__middle_name", "student_id", "date_from")
    by_class: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_class[enrolment.class_group_id].append(enrolment)
    return {class_id: _roster(rows) for class_id, rows in by_class.items()}


def _roster(enrolments: Iterable[Enrolment]) -> list[RosterEntry]:
    roster: dict[int, RosterEntry] = {}
    for enrolment in enrolments:
        entry = roster.get(enrolment.student_id)
        if entry is None:
            entry = roster[enrolment.student_id] = RosterEntry(enrolment.student)
        entry.spans.append((enrolment.date_from, enrolment.date_to))
    return list(roster.values())


def class_roster(class_group: ClassGroup, day: datetime.date | None = None) -> QuerySet[Enrolment]:
    """Enrolments of the class on ``day`` (today by default), with the students, by name."""
    day = day or timezone.localdate()
    return with_students(Enrolment.objects.filter(enrolled_on(day), class_group=class_group)).order_by(
        "student__last_name", "student__first_name"
    )


_MEMBERSHIPS = CompiledQuery(
    lambda student_ids, start, end: SubgroupMembership.objects.filter(
        member_between(start, end), student_id__in=student_ids
    ).values_list("student_id", "subgroup_id", "date_from", "date_to"),
    student_ids=list,
    start=datetime.date,
    end=datetime.date,
)


def subgroups_of(student_ids: Iterable[int], start: datetime.date, end: datetime.date) -> dict[int, Memberships]:
    """Student id → the subgroups they are a member of on some day of ``start``–``end``, with the spans (one
    query)."""
    found: dict[int, Memberships] = defaultdict(dict)
    for student_id, subgroup_id, date_from, date_to in _MEMBERSHIPS.rows(
        student_ids=sorted(student_ids), start=start, end=end
    ):
        found[student_id].setdefault(subgroup_id, []).append((date_from, date_to))
    return found


def attends_course(
    course_subgroup_id: int | None, own_subgroups: Memberships, day: datetime.date | None = None
) -> bool:
    """A course of the student's class the student attends (on ``day``; without one, on some day of the span
    the memberships were read for): a whole-class one, or their subgroup's."""
    if course_subgroup_id is None:
        return True
    spans = own_subgroups.get(course_subgroup_id)
    if spans is None:
        return False
    return day is None or in_span(spans, day)


def own_subgroup_ids(student: Student) -> QuerySet[Any, int]:
    """The ids of the subgroups the student was ever a member of, read from the membership table alone (no
    JOIN to the subgroups): the courses a student's pages list; a lesson's own day is checked by
    :func:`lesson_attended_by`."""
    return SubgroupMembership.objects.filter(student=student).values_list("subgroup_id", flat=True)


def student_course_q(student: Student, class_ids: Iterable[int], prefix: str = "") -> Q:
    """Courses (``prefix`` "course__" for lessons) of the given classes the student attends."""
    return Q(**{f"{prefix}class_group_id__in": list(class_ids)}) & (
        Q(**{f"{prefix}subgroup__isnull": True}) | Q(**{f"{prefix}subgroup__in": own_subgroup_ids(student)})
    )


def lesson_attended_by(student_id: int, lesson: str = "") -> ExpressionWrapper:
    """For a query of lessons: the student attends the lesson's course on the lesson's date (enrolled in
    its class that day and, for a subgroup's course, a member). The rule of :func:`attends_between` for one
    day, as an expression, for the one query that opens a journal cell."""
    day = OuterRef(f"{lesson}date")
    enrolled = Exists(
        Enrolment.objects.filter(
            Q(date_to__isnull=True) | Q(date_to__gte=day),
            date_from__lte=day,
            student_id=student_id,
            class_group_id=OuterRef(f"{lesson}course__class_group_id"),
        )
    )
    member = Exists(
        SubgroupMembership.objects.filter(
            member_on(day), subgroup_id=OuterRef(f"{lesson}course__subgroup_id"), student_id=student_id
        )
    )
    whole_class = Q(**{f"{lesson}course__subgroup__isnull": True})
    return ExpressionWrapper(enrolled & (whole_class | member), output_field=BooleanField())
