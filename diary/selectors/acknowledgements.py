"""Who of a class's parents acknowledged a week of the diary (for the class teacher and the administration)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Subquery

from accounts.models import User
from diary.models import WeekAcknowledgement
from journal import rules
from journal.models import ClassGroup, Enrolment, ParentLink, Student


def week_acknowledgement_of(
    user: User, student: Student, monday: datetime.date
) -> tuple[bool, datetime.datetime | None]:
    """(is ``user`` a parent of the child, when they acknowledged the week): one query, none for a non-parent.

    A parent is a user with the parent role and an active link (``is_parent_of``), the only one who
    acknowledges; the acknowledgement comes with the link as a subquery.
    """
    if not rules.is_parent(user):
        return False, None
    acknowledged = WeekAcknowledgement.objects.filter(parent=user, student=student, week_start=monday).order_by()
    row = (
        ParentLink.objects.filter(parent=user, student=student, ended_at__isnull=True)
        .order_by()
        .values_list(Subquery(acknowledged.values("acknowledged_at")[:1]))
        .first()
    )
    if row is None:
        return False, None
    return True, row[0]


@dataclass
class ParentAck:
    parent: User
    acknowledgement: WeekAcknowledgement | None


@dataclass
class StudentAcks:
    student: Student
    parents: list[ParentAck] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(p.acknowledgement is not None for p in self.parents)


def class_acknowledgements(class_group: ClassGroup, monday: datetime.date) -> list[StudentAcks]:
    """Each student enrolled in the class during the week, with their parents and whether (when) they
    acknowledged it (three queries)."""
    sunday = monday + datetime.timedelta(days=6)
    enrolments = (
        Enrolment.objects.filter(class_group=class_group, date_from__lte=sunday)
        .exclude(date_to__lt=monday)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__pk")
    )
    rows: dict[int, StudentAcks] = {}
    for enrolment in enrolments:
        rows.setdefault(enrolment.student_id, StudentAcks(student=enrolment.student))
    acks = {
        (a.parent_id, a.student_id): a
        for a in WeekAcknowledgement.objects.filter(student_id__in=rows, week_start=monday)
    }
    links: dict[int, list[ParentLink]] = defaultdict(list)
    for link in (
        ParentLink.objects.filter(student_id__in=rows, ended_at__isnull=True)
        .select_related("parent")
        .order_by("parent__last_name", "parent__first_name")
    ):
        links[link.student_id].append(link)
    for student_id, row in rows.items():
        row.parents = [ParentAck(link.parent, acks.get((link.parent_id, student_id))) for link in links[student_id]]
    return list(rows.values())
