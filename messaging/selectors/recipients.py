"""Who may write to whom (§2.10): only inside the school, only where roles connect people.

- a parent → the teachers of their children's courses, their children's class
  teachers, the administration (director, deputy, administrator);
- a student → their own teachers, their class teacher, the administration
  (never another student or a parent);
- a teacher → the parents and students of the classes they teach or lead,
  colleagues and the administration;
- the administration → anyone of the school.

A person with several roles gets the union. Every rule is one subquery of
user ids, so the allowed set is one query whatever its size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from journal import rules
from journal.models import (
    ClassGroup,
    Course,
    Enrolment,
    ParentLink,
    School,
    Student,
    SubgroupMembership,
    TeachingAssignment,
)
from journal.permissions import open_assignments
from journal.rules import ADMINISTRATION
from journal.selectors.membership import enrolled_on, member_on
from journal.selectors.schools import users_with_role, with_school_roles
from journal.selectors.scope import children_of, classes_led_by, courses_taught_by


def _members(school: School) -> QuerySet[User]:
    return User.objects.filter(is_active=True, memberships__school=school)


def _with_role(school: School, *roles: Role) -> QuerySet[User, Any]:
    return users_with_role(school, *roles).values("pk")


def _current_classes_of(students: QuerySet[Student], day: datetime.date) -> QuerySet[Enrolment, Any]:
    return Enrolment.objects.filter(enrolled_on(day), student__in=students).values("class_group_id")


def _teachers_of(students: QuerySet[Student], day: datetime.date) -> Q:
    """Open teaching assignments of the courses these students sit in today (a subgroup's course: a member
    on that day, by the membership's dates), and their class teachers."""
    groups = SubgroupMembership.objects.filter(member_on(day), student__in=students).values("subgroup_id")
    courses = Course.objects.filter(class_group__in=_current_classes_of(students, day)).filter(
        Q(subgroup__isnull=True) | Q(subgroup__in=groups)
    )
    teachers = TeachingAssignment.objects.filter(open_assignments(day), course__in=courses.values("pk"))
    class_teachers = ClassGroup.objects.filter(pk__in=_current_classes_of(students, day)).values("class_teacher_id")
    return Q(pk__in=teachers.values("teacher_id")) | Q(pk__in=class_teachers)


def _classes_of_teacher(user: User, school: School) -> QuerySet[ClassGroup]:
    taught = courses_taught_by(user, school).values("class_group_id")
    return ClassGroup.objects.filter(Q(pk__in=taught) | Q(pk__in=classes_led_by(user, school).values("pk")))


def _people_of_classes(classes: QuerySet[ClassGroup], day: datetime.date) -> Q:
    enrolled = Enrolment.objects.filter(enrolled_on(day), class_group__in=classes.values("pk")).values("student_id")
    students = Student.objects.filter(pk__in=enrolled, user__isnull=False).values("user_id")
    parents = ParentLink.objects.filter(ended_at__isnull=True, student_id__in=enrolled).values("parent_id")
    return Q(pk__in=students) | Q(pk__in=parents)


def own_student(user: User, school: School) -> QuerySet[Student]:
    if not rules.is_student(user):
        return Student.objects.none()
    return Student.objects.filter(school=school, user=user)


def allowed_recipients(user: User, school: School | None) -> QuerySet[User]:
    """The people of the school ``user`` may start a conversation with (never themself)."""
    if school is None or not user.is_authenticated:
        return User.objects.none()
    members = _members(school).exclude(pk=user.pk)
    if rules.reads_whole_school(user):
        return members
    day = timezone.localdate()
    rule = Q(pk__in=[])
    if rules.is_teacher(user) or rules.reads_diary(user):
        rule |= Q(pk__in=_with_role(school, *ADMINISTRATION))
    if rules.is_teacher(user):
        rule |= Q(pk__in=_with_role(school, Role.TEACHER)) | _people_of_classes(_classes_of_teacher(user, school), day)
    if rules.is_parent(user):
        rule |= _teachers_of(children_of(user, school), day)
    if rules.is_student(user):
        rule |= _teachers_of(own_student(user, school), day)
    return members.filter(rule)


def can_write_to(user: User, school: School | None, recipient: User) -> bool:
    return allowed_recipients(user, school).filter(pk=recipient.pk).exists()


def students_to_write_about(user: User, school: School | None) -> QuerySet[Student]:
    """Whom a conversation may be «about»: a parent's children; the students of a teacher's
    classes; any student of the school for the administration."""
    if school is None:
        return Student.objects.none()
    if rules.reads_whole_school(user):
        return Student.objects.filter(school=school)
    day = timezone.localdate()
    rule = Q(pk__in=children_of(user, school).values("pk"))
    if rules.is_teacher(user):
        classes = _classes_of_teacher(user, school).values("pk")
        rule |= Q(pk__in=Enrolment.objects.filter(enrolled_on(day), class_group__in=classes).values("student_id"))
    return Student.objects.filter(school=school).filter(rule)


# --- The grouped chooser of the compose form ------------------------------------------------------------


@dataclass
class RecipientChoice:
    user: User
    note: str = ""

    @property
    def label(self) -> str:
        name = self.user.full_name or self.user.username
        return f"{name} — {self.note}" if self.note else name


@dataclass
class RecipientGroup:
    label: str
    choices: list[RecipientChoice] = field(default_factory=list)


def recipient_groups(user: User, school: School | None) -> list[RecipientGroup]:
    """The allowed people, grouped: the administration, teachers, then per class its students and parents.

    Four queries: the people with their roles, the class teachers' classes,
    today's enrolments of the students among them, the parent links to those.
    """
    if school is None:
        return []
    people = with_school_roles(allowed_recipients(user, school).order_by("last_name", "first_name"), school)
    if not people:
        return []
    day = timezone.localdate()
    ids = [p.pk for p in people]
    led = {
        c.class_teacher_id: str(c)
        for c in ClassGroup.objects.filter(year__school=school, year__is_current=True, class_teacher_id__in=ids)
    }
    class_of_student: dict[int, str] = {}
    class_order: dict[str, tuple[int, str]] = {}
    student_user: dict[int, int] = {}
    for e in (
        Enrolment.objects.filter(enrolled_on(day), student__school=school)
        .filter(
            Q(student__user_id__in=ids)
            | Q(student__parent_links__parent_id__in=ids, student__parent_links__ended_at=None)
        )
        .select_related("student", "class_group")
        .distinct()
    ):
        class_of_student[e.student_id] = str(e.class_group)
        class_order[str(e.class_group)] = (e.class_group.grade, e.class_group.letter)
        if e.student.user_id:
            student_user[e.student.user_id] = e.student_id
    children: dict[int, list[tuple[str, str]]] = {}
    for link in ParentLink.objects.filter(
        ended_at__isnull=True, parent_id__in=ids, student__school=school
    ).select_related("student"):
        cls = class_of_student.get(link.student_id)
        if cls is not None:
            children.setdefault(link.parent_id, []).append((cls, link.student.short_name))

    administration = RecipientGroup(_("School administration"))
    teachers = RecipientGroup(_("Teachers"))
    by_class: dict[str, RecipientGroup] = {}
    others = RecipientGroup(_("Others"))

    def class_group(label: str, cls: str) -> RecipientGroup:
        key = f"{cls}:{label}"
        if key not in by_class:
            by_class[key] = RecipientGroup(label % {"cls": cls})
        return by_class[key]

    for person in people:
        roles = person.roles
        if roles.intersection(ADMINISTRATION):
            administration.choices.append(RecipientChoice(person, ", ".join(sorted(r.label for r in roles))))
        elif Role.TEACHER in roles:
            note = _("class teacher of %(cls)s") % {"cls": led[person.pk]} if person.pk in led else ""
            teachers.choices.append(RecipientChoice(person, note))
        elif person.pk in student_user:
            cls = class_of_student[student_user[person.pk]]
            class_group(_("Students of %(cls)s"), cls).choices.append(RecipientChoice(person, cls))
        elif person.pk in children:
            for cls, child in children[person.pk]:
                note = _("parent of %(child)s") % {"child": child}
                class_group(_("Parents of %(cls)s"), cls).choices.append(RecipientChoice(person, note))
        else:
            others.choices.append(RecipientChoice(person))

    def class_key(key: str) -> tuple[tuple[int, str], str]:
        cls, label = key.split(":", 1)
        return class_order.get(cls, (99, cls)), label

    grouped = [by_class[k] for k in sorted(by_class, key=class_key)]
    return [g for g in (administration, teachers, *grouped, others) if g.choices]
