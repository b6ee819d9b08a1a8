from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from journal.models import AcademicYear, School


def schools_for_user(user: User) -> QuerySet[School]:
    return School.objects.filter(memberships__user=user).order_by("name")


def users_of_school(school: School | None) -> QuerySet[User]:
    if school is None:
        return User.objects.none()
    return User.objects.filter(memberships__school=school).distinct()


def teachers_of_school(school: School | None, *, active_only: bool = False) -> QuerySet[User]:
    """People of the school with the teacher role, by name; ``active_only``: those who may still be given
    lessons (a substitute, a timetable entry)."""
    teachers = users_of_school(school).filter(groups__name=Role.TEACHER.value)
    if active_only:
        teachers = teachers.filter(is_active=True)
    return teachers.order_by("last_name", "first_name", "middle_name", "username")


def current_year(school: School | None) -> AcademicYear | None:
    if school is None:
        return None
    return AcademicYear.objects.filter(school=school, is_current=True).first()
