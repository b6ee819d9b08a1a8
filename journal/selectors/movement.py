"""What the movement pages read: a class's requests, a school's, the students who may arrive."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from journal.models import ClassGroup, Enrolment, Movement, School, Student
from journal.selectors.membership import enrolled_on

_RELATED = ("student", "from_class", "to_class", "requested_by", "decided_by")


def class_movements(class_group: ClassGroup) -> QuerySet[Movement]:
    """Requests from or to the class, newest first."""
    return (
        Movement.objects.filter(Q(from_class=class_group) | Q(to_class=class_group))
        .select_related(*_RELATED)
        .order_by("-requested_at")
    )


def school_movements(school: School | None) -> QuerySet[Movement]:
    """Every request of the school's students (none without a school)."""
    if school is None:
        return Movement.objects.none()
    return Movement.objects.filter(student__school=school).select_related(*_RELATED)


def students_without_class(school: School | None, class_group: ClassGroup, day: datetime.date) -> QuerySet[Student]:
    """The school's students in no class of the class's year on ``day``: who may arrive in it."""
    if school is None:
        return Student.objects.none()
    placed = Enrolment.objects.filter(enrolled_on(day), class_group__year=class_group.year).values("student_id")
    return Student.objects.filter(school=school).exclude(pk__in=placed).order_by("last_name", "first_name")


def school_student(school: School | None, student_id: int | None) -> Student | None:
    """A student of the school by id, None for any other."""
    if school is None or not student_id:
        return None
    return Student.objects.filter(pk=student_id, school=school).first()


def other_classes(class_group: ClassGroup) -> QuerySet[ClassGroup]:
    """The classes of the class's year but itself, in grade order: where a student may move to."""
    return ClassGroup.objects.filter(year=class_group.year).exclude(pk=class_group.pk).order_by("grade", "letter")
