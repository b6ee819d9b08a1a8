"""One access layer: get a thing for a user, or 404 outside their scope.

404, not 403, outside the scope: a 403 would tell a parent that another
child exists. Visible but not writable: 403 (PermissionDenied).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from journal.models import ClassGroup, Course, School, Student
from journal.selectors.scope import (
    classes_visible_to,
    courses_taught_by,
    courses_visible_to,
    students_visible_to,
)


def _not_found() -> Http404:
    return Http404("No such object in your scope")


def get_course_for_user(user: User, school: School | None, course_id: int, *, write: bool = False) -> Course:
    course = (
        courses_visible_to(user, school)
        .select_related("class_group", "subject", "subgroup", "class_group__year")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise _not_found()
    if write and not courses_taught_by(user, school).filter(pk=course.pk).exists():
        raise PermissionDenied
    return course


def get_class_for_user(user: User, school: School | None, class_id: int, *, write: bool = False) -> ClassGroup:
    class_group = (
        classes_visible_to(user, school)
        .select_related("year", "class_teacher", "home_room")
        .filter(pk=class_id)
        .first()
    )
    if class_group is None:
        raise _not_found()
    if write and not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    return class_group


def get_student_for_user(user: User, school: School | None, student_id: int, *, write: bool = False) -> Student:
    student = students_visible_to(user, school).filter(pk=student_id).first()
    if student is None:
        raise _not_found()
    if write and not user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    return student
