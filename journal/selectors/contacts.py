"""The contact data of a class's parents, its history and the parents' requests (the class teacher's page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from journal.models import ClassGroup, ContactChange, ContactCheck, ContactRequest, ParentLink, Student
from journal.selectors.membership import class_roster


@dataclass
class ContactRow:
    student: Student
    links: list[ParentLink]


def class_contacts(class_group: ClassGroup, day: datetime.date) -> list[ContactRow]:
    """The class's students on ``day`` with their parents' active links (two queries)."""
    students = [e.student for e in class_roster(class_group, day)]
    links: dict[int, list[ParentLink]] = {}
    for link in (
        ParentLink.objects.filter(student__in=students, ended_at__isnull=True)
        .select_related("parent")
        .order_by("parent__last_name", "pk")
    ):
        links.setdefault(link.student_id, []).append(link)
    return [ContactRow(student, links.get(student.pk, [])) for student in students]


def class_parent(class_group: ClassGroup, user_id: int | None, day: datetime.date) -> User | None:
    """A parent of a student of the class on ``day``, by id (from a form), or None."""
    if user_id is None:
        return None
    students = class_roster(class_group, day).values("student_id")
    link = ParentLink.objects.filter(parent_id=user_id, student_id__in=students, ended_at__isnull=True).first()
    return link.parent if link else None


def class_contact_history(class_group: ClassGroup, day: datetime.date) -> QuerySet[ContactChange]:
    students = class_roster(class_group, day).values("student_id")
    parents = ParentLink.objects.filter(student_id__in=students).values("parent_id")
    return ContactChange.objects.filter(person_id__in=parents).select_related("person", "changed_by")[:50]


def class_contact_requests(class_group: ClassGroup, day: datetime.date) -> QuerySet[ContactRequest]:
    students = class_roster(class_group, day).values("student_id")
    return ContactRequest.objects.filter(student_id__in=students, resolved_at__isnull=True).select_related(
        "parent", "student"
    )


def month_check(class_group: ClassGroup, month: datetime.date) -> ContactCheck | None:
    return ContactCheck.objects.filter(class_group=class_group, month=month).select_related("checked_by").first()


def requests_of_parent(user: User) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(parent=user).select_related("student").order_by("-created_at")[:10]
