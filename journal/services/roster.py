"""The roster import (§4.1): what each row of the file would do (a dry run, nothing written), then the same
done in one transaction. A person already in the school is matched, never made twice: a student by name and
date of birth; a parent by name and phone or e-mail, or by name among the student's parents. A second run of
the same file changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, role_labels
from accounts.services.logins import login_create
from accounts.services.users import user_set_roles
from journal.imports import normalise
from journal.models import AcademicYear, ClassGroup, Enrolment, ParentLink, School, Student
from journal.roster_import import RosterRow, StaffRow
from journal.rules import STAFF
from journal.selectors.membership import enrolled_on
from journal.selectors.schools import users_of_school, users_with_role, with_school_roles
from journal.selectors.timetable import day_in_year
from journal.services.contacts import phone_key, same_contacts
from journal.services.structure import enrolment_create, parent_link_create


def _person_key(last: str, first: str, middle: str) -> tuple[str, str, str]:
    return normalise(last), normalise(first), normalise(middle)


def _parent_identity(row: RosterRow) -> tuple[tuple[str, str, str], str]:
    """A parent of the file: their name and phone (else e-mail), the same person on two rows."""
    name = _person_key(row.parent_last_name, row.parent_first_name, row.parent_middle_name)
    return name, phone_key(row.phone) or row.email.lower()


@dataclass
class RowPlan:
    """What a row does: the student (found or new), their class now, the parent (found or new), the link."""

    row: RosterRow
    student: Student | None = None
    class_group: ClassGroup | None = None
    enrol: bool = False
    parent: User | None = None
    new_parent: bool = False
    link: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.row.errors

    @property
    def changes(self) -> bool:
        return self.student is None or self.enrol or self.new_parent or self.link


@dataclass
class RosterPlan:
    rows: list[RowPlan]
    kind = "students"

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def sound(self) -> list[RowPlan]:
        """The rows without errors: only they are counted as doing something (a row with an error does
        nothing, whatever it names)."""
        return [r for r in self.rows if not r.errors]

    @property
    def with_errors(self) -> int:
        return len(self.rows) - len(self.sound)

    @property
    def new_students(self) -> int:
        return len({(r.row.last_name, r.row.first_name, r.row.middle_name, r.row.birth_date)
                    for r in self.sound if r.student is None})  # fmt: skip

    @property
    def new_parents(self) -> int:
        return len({_person_key(r.row.parent_last_name, r.row.parent_first_name, r.row.parent_middle_name)
                    for r in self.sound if r.new_parent})  # fmt: skip

    @property
    def new_links(self) -> int:
        return sum(1 for r in self.sound if r.link)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.sound if not r.changes)


class _School:
    """The school's people, read once for the whole file."""

    def __init__(self, school: School, year: AcademicYear) -> None:
        self.classes = {c.name.upper(): c for c in ClassGroup.objects.filter(year=year)}
        self.students: dict[tuple[str, str, str, datetime.date | None], Student] = {}
        for student in Student.objects.filter(school=school):
            key = (*_person_key(student.last_name, student.first_name, student.middle_name), student.birth_date)
            self.students[key] = student
        day = day_in_year(year)
        self.enrolled = {
            e.student_id: e.class_group_id
            for e in Enrolment.objects.filter(enrolled_on(day), class_group__year=year).only(
                "student_id", "class_group_id"
            )
        }
        # The school's parents by name: a row looks at its namesakes only.
        self.parents: dict[tuple[str, str, str], list[User]] = {}
        for parent in users_with_role(school, Role.PARENT):
            name = _person_key(parent.last_name, parent.first_name, parent.middle_name)
            self.parents.setdefault(name, []).append(parent)
        self.links = set(
            ParentLink.objects.filter(student__school=school, ended_at__isnull=True).values_list(
                "parent_id", "student_id"
            )
        )

    def parent_for(self, row: RosterRow, student: Student | None) -> User | None:
        key = _person_key(row.parent_last_name, row.parent_first_name, row.parent_middle_name)
        for parent in self.parents.get(key, []):
            if same_contacts(parent, phone=row.phone, email=row.email):
                return parent
            if student is not None and (parent.pk, student.pk) in self.links:
                return parent
        return None


def roster_plan(school: School, year: AcademicYear, rows: Iterable[RosterRow]) -> RosterPlan:
    """What importing ``rows`` would do (nothing is written)."""
    known = _School(school, year)
    planned: dict[tuple[str, str, str, datetime.date | None], RowPlan] = {}
    new_parents: set[tuple[tuple[str, str, str], str]] = set()
    result = []
    for row in rows:
        plan = RowPlan(row)
        result.append(plan)
        plan.class_group = known.classes.get(row.class_name)
        if plan.class_group is None:
            row.errors.append(_("There is no class «%(name)s» this year.") % {"name": row.class_name})
        if row.errors:
            continue
        key = (*_person_key(row.last_name, row.first_name, row.middle_name), row.birth_date)
        plan.student = known.students.get(key)
        earlier = planned.get(key)
        planned.setdefault(key, plan)
        if plan.student is not None:
            in_class = known.enrolled.get(plan.student.pk)
            if in_class is None:
                plan.enrol = True
            elif plan.class_group is not None and in_class != plan.class_group.pk:
                plan.notes.append(_("Is in another class: the import does not move students (a movement does)."))
        elif earlier is None:
            plan.enrol = True
        if row.has_parent:
            plan.parent = known.parent_for(row, plan.student)
            if plan.parent is None:
                identity = _parent_identity(row)
                plan.new_parent = identity not in new_parents
                new_parents.add(identity)
                plan.link = True
            else:
                plan.link = plan.student is None or (plan.parent.pk, plan.student.pk) not in known.links
    return RosterPlan(result)


@transaction.atomic
def roster_import(*, actor: User, school: School, year: AcademicYear, rows: list[RosterRow]) -> RosterPlan:
    """Do what :func:`roster_plan` shows, all or nothing; the plan of the moment of the write is returned."""
    plan = roster_plan(school, year, rows)
    if not plan.ok:
        return plan
    day = day_in_year(year)
    students: dict[tuple[str, str, str, datetime.date | None], Student] = {}
    parents: dict[tuple[tuple[str, str, str], str], User] = {}
    for item in plan.rows:
        row = item.row
        key = (*_person_key(row.last_name, row.first_name, row.middle_name), row.birth_date)
        student = item.student or students.get(key)
        if student is None:
            student = Student.objects.create(
                school=school,
                last_name=row.last_name,
                first_name=row.first_name,
                middle_name=row.middle_name,
                birth_date=row.birth_date,
            )
        students[key] = student
        if item.enrol and item.class_group is not None:
            enrolment_create(actor=actor, student=student, class_group=item.class_group, date_from=day)
        if not row.has_parent:
            continue
        parent_key = (
            _person_key(row.parent_last_name, row.parent_first_name, row.parent_middle_name),
            phone_key(row.phone) or row.email.lower(),
        )
        parent = item.parent or parents.get(parent_key)
        if parent is None:
            parent = login_create(  # the login is issued later, on a slip
                last_name=row.parent_last_name,
                first_name=row.parent_first_name,
                middle_name=row.parent_middle_name,
                email=row.email,
                phone=row.phone,
                roles=(Role.PARENT,),
                school=school,
            )
        parents[parent_key] = parent
        if not ParentLink.objects.filter(parent=parent, student=student, ended_at__isnull=True).exists():
            parent_link_create(actor=actor, parent=parent, student=student, relation=row.relation)
    return plan


# --- The staff file: each person with their roles in the school ------------------------------------------


@dataclass
class StaffRowPlan:
    """What a staff row does: the person (found or new) and the roles they get in the school."""

    row: StaffRow
    user: User | None = None
    new_roles: list[Role] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.row.errors

    @property
    def changes(self) -> bool:
        return self.user is None or bool(self.new_roles)

    @property
    def new_role_labels(self) -> str:
        return role_labels(self.new_roles)


@dataclass
class StaffPlan:
    rows: list[StaffRowPlan]
    kind = "staff"

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def sound(self) -> list[StaffRowPlan]:
        """The rows without errors, the only ones counted."""
        return [r for r in self.rows if not r.errors]

    @property
    def with_errors(self) -> int:
        return len(self.rows) - len(self.sound)

    @property
    def new_people(self) -> int:
        return sum(1 for r in self.sound if r.user is None)

    @property
    def new_roles(self) -> int:
        return sum(len(r.new_roles) for r in self.sound if r.user is not None)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.sound if not r.changes)


def staff_plan(school: School, rows: Iterable[StaffRow]) -> StaffPlan:
    """What importing the staff ``rows`` would do (nothing is written). A person of the school is found by
    name and phone or e-mail (by name alone when the row gives neither and one namesake works there); the
    roles the row names that they do not hold yet are added, none is taken away."""
    members: dict[tuple[str, str, str], list[User]] = {}
    for user in with_school_roles(users_of_school(school), school):
        members.setdefault(_person_key(user.last_name, user.first_name, user.middle_name), []).append(user)
    seen: set[tuple[tuple[str, str, str], str]] = set()
    result = []
    for row in rows:
        plan = StaffRowPlan(row)
        result.append(plan)
        if row.errors:
            continue
        name = _person_key(row.last_name, row.first_name, row.middle_name)
        identity = (name, phone_key(row.phone) or row.email.lower())
        if identity in seen:
            row.errors.append(_("The same person is on an earlier row."))
            continue
        seen.add(identity)
        namesakes = members.get(name, [])
        plan.user = next((u for u in namesakes if same_contacts(u, phone=row.phone, email=row.email)), None)
        if plan.user is None and not phone_key(row.phone) and not row.email:
            staff = [u for u in namesakes if u.roles.intersection(STAFF)]
            plan.user = staff[0] if len(staff) == 1 else None
        held = plan.user.roles if plan.user is not None else frozenset()
        plan.new_roles = [Role(r) for r in row.roles if Role(r) not in held]
    return StaffPlan(result)


@transaction.atomic
def staff_import(*, actor: User, school: School, rows: list[StaffRow]) -> StaffPlan:
    """Do what :func:`staff_plan` shows, all or nothing; a new person gets a login without a password (the
    administrator issues it on a slip)."""
    plan = staff_plan(school, rows)
    if not plan.ok:
        return plan
    for item in plan.rows:
        row = item.row
        if item.user is None:
            login_create(
                last_name=row.last_name,
                first_name=row.first_name,
                middle_name=row.middle_name,
                email=row.email,
                phone=row.phone,
                roles=tuple(item.new_roles),
                school=school,
            )
        elif item.new_roles:
            user_set_roles(user=item.user, school=school, roles=tuple(item.new_roles))
    return plan
