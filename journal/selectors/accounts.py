"""The people of a class as the administrator issues their logins (§3.2, §4.1): each student and each of
their parents, with the login, whether it was ever used, and when it was last issued."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from accounts.models import CompromiseReport, LoginIssue, User
from accounts.selectors.logins import has_signed_in
from journal.models import ClassGroup, ParentLink, School, Student
from journal.rules import STAFF
from journal.selectors.membership import class_roster
from journal.selectors.schools import users_of_school, users_with_role


@dataclass
class AccountRow:
    """One person of the class's list: a student (``parent_of`` empty) or a parent of ``parent_of``; or a
    member of staff (no ``student``)."""

    student: Student | None
    user: User | None
    parent_of: Student | None = None
    relation: str = ""
    issued_at: datetime.datetime | None = None
    link: ParentLink | None = None  # a parent's link to the student: its consent (§1.9)

    @property
    def key(self) -> str:
        """The form's value: ``s<student id>`` for a student, ``u<user id>`` for a parent."""
        if self.student is None or (self.parent_of is not None and self.user is not None):
            return f"u{self.user.pk if self.user else 0}"
        return f"s{self.student.pk}"

    @property
    def never_used(self) -> bool:
        return not has_signed_in(self.user)


def class_accounts(class_group: ClassGroup, day: datetime.date) -> list[AccountRow]:
    """The class's students on ``day`` by name, each followed by their parents (three queries)."""
    students = [e.student for e in class_roster(class_group, day).select_related("student__user")]
    links = (
        ParentLink.objects.filter(student__in=students, ended_at__isnull=True)
        .select_related("parent")
        .order_by("parent__last_name", "parent__first_name", "pk")
    )
    parents: dict[int, list[ParentLink]] = {}
    for link in links:
        parents.setdefault(link.student_id, []).append(link)
    users = [s.user_id for s in students if s.user_id] + [link.parent_id for link in links]
    issued = dict(
        LoginIssue.objects.filter(user_id__in=users)
        .values("user_id")
        .annotate(last=Max("issued_at"))
        .values_list("user_id", "last")
    )
    rows = []
    for student in students:
        rows.append(AccountRow(student, student.user, issued_at=issued.get(student.user_id or 0)))
        rows.extend(
            AccountRow(
                student,
                link.parent,
                parent_of=student,
                relation=link.get_relation_display(),
                issued_at=issued.get(link.parent_id),
                link=link,
            )
            for link in parents.get(student.pk, [])
        )
    return rows


def school_account(school: School | None, user_id: int) -> AccountRow | None:
    """A person of the school by their login's id, as a row of the accounts list (a student's own login, a
    parent of a student, or staff), or None outside the school."""
    if school is None:
        return None
    student = Student.objects.filter(school=school, user_id=user_id).select_related("user").first()
    if student is not None:
        return AccountRow(student, student.user)
    link = (
        ParentLink.objects.filter(student__school=school, parent_id=user_id, ended_at__isnull=True)
        .select_related("parent", "student")
        .first()
    )
    if link is not None:
        return AccountRow(link.student, link.parent, parent_of=link.student, relation=link.get_relation_display())
    staff = school_staff(school).filter(pk=user_id).first()
    return AccountRow(None, staff) if staff is not None else None


def school_member(school: School | None, user_id: int) -> User | None:
    """A person of the school (staff, parent or student), whose roles there the administrator sets."""
    return users_of_school(school).filter(pk=user_id).first()


def school_staff(school: School | None) -> QuerySet[User]:
    """The school's staff (administration and teachers), by name."""
    return users_with_role(school, *STAFF).order_by("last_name", "first_name")


def school_compromise_reports(school: School | None) -> QuerySet[CompromiseReport]:
    """The compromise reports of the school's people, newest first."""
    if school is None:
        return CompromiseReport.objects.none()
    return (
        CompromiseReport.objects.filter(user__in=users_of_school(school))
        .select_related("user", "entered_by", "act_by")
        .order_by("-received_at", "-pk")
    )


def school_parent_link(school: School | None, link_id: int | None) -> ParentLink | None:
    """An active parent link of the school's student, by id (from a form), or None."""
    if school is None or link_id is None:
        return None
    return (
        ParentLink.objects.filter(pk=link_id, student__school=school, ended_at__isnull=True)
        .select_related("parent", "student")
        .first()
    )
