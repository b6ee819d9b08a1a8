from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from journal.models import AcademicYear, School


def schools_for_user(user: User) -> QuerySet[School]:
    return School.objects.filter(memberships__user=user).order_by("name")


def users_of_school(school: School | None) -> QuerySet[User]:
    if school is None:
        return User.objects.none()
    return User.objects.filter(memberships__school=school).distinct()


def current_year(school: School | None) -> AcademicYear | None:
    if school is None:
        return None
    return AcademicYear.objects.filter(school=school, is_current=True).first()
