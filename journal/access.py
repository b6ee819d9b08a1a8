"""One access layer: get a thing for a user, or 404 outside their scope.

404, not 403, outside the scope: a 403 would tell a parent that another
child exists. Visible but not writable: 403 (PermissionDenied).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from journal.models import ClassGroup, Course, Lesson, School, Student
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
        .select_related("class_group__year__school", "subject", "subgroup")
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


def lessons_substituted_by(user: User, school: School | None) -> QuerySet[Lesson]:
    """Lessons the user may fill as a substitute (§4.4)."""
    if school is None:
        return Lesson.objects.none()
    return Lesson.objects.filter(
        course__class_group__year__school=school,
        lessonuserobjectpermission__user=user,
        lessonuserobjectpermission__permission__codename="change_lesson",
    )


def get_lesson_for_user(user: User, school: School | None, lesson_id: int, *, write: bool = False) -> Lesson:
    """A lesson of a visible course, or one the user substitutes.

    Writing (topic, status, later marks) needs the course's teacher or the
    substitute of exactly this lesson; everyone else who sees it reads only.
    """
    visible = courses_visible_to(user, school).values("pk")
    lesson = (
        Lesson.objects.filter(Q(course__in=visible) | Q(pk__in=lessons_substituted_by(user, school).values("pk")))
        .select_related("course__class_group__year", "course__subject", "course__subgroup", "room", "teacher")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise _not_found()
    if write and not can_write_lesson(user, school, lesson):
        raise PermissionDenied
    return lesson


def can_write_lesson(user: User, school: School | None, lesson: Lesson) -> bool:
    if courses_taught_by(user, school).filter(pk=lesson.course_id).exists():
        return True
    return lessons_substituted_by(user, school).filter(pk=lesson.pk).exists()
