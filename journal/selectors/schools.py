from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from journal.models import AcademicYear, MembershipRole, School, SchoolMembership


def schools_for_user(user: User) -> QuerySet[School]:
    return School.objects.filter(memberships__user=user).order_by("name")


def users_of_school(school: School | None) -> QuerySet[User]:
    if school is None:
        return User.objects.none()
    return User.objects.filter(memberships__school=school).distinct()


def users_with_role(school: School | None, *roles: Role) -> QuerySet[User]:
    """Members of the school holding one of the roles there (a role applies in the school it was given in)."""
    if school is None:
        return User.objects.none()
    held = SchoolMembership.objects.filter(school=school, roles__role__in=[r.value for r in roles])
    return User.objects.filter(pk__in=held.values("user_id"))


def with_school_roles(users: Iterable[User], school: School) -> list[User]:
    """The users, each with the roles held in the school read for all of them in one query (``user.roles``
    of a listed person: their roles there, not those of another school)."""
    people = list(users)
    held: dict[int, set[Role]] = defaultdict(set)
    rows = MembershipRole.objects.filter(membership__school=school, membership__user__in=[u.pk for u in people])
    for user_id, role in rows.values_list("membership__user_id", "role"):
        held[user_id].add(Role(role))
    for person in people:
        person.roles_read_in(school.pk, held[person.pk])
    return people


def teachers_of_school(school: School | None, *, active_only: bool = False) -> QuerySet[User]:
    """People of the school with the teacher role, by name; ``active_only``: those who may still be given
    lessons (a substitute, a timetable entry)."""
    teachers = users_with_role(school, Role.TEACHER)
    if active_only:
        teachers = teachers.filter(is_active=True)
    return teachers.order_by("last_name", "first_name", "middle_name", "username")


def current_year(school: School | None) -> AcademicYear | None:
    if school is None:
        return None
    return AcademicYear.objects.filter(school=school, is_current=True).first()
