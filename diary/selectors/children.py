"""Whose diary a user may read: a parent their children (active links), a student themself.

Built on the guardian permission ``view_student_diary`` that the structure services grant
with a parent link or a student's login (journal/permissions.py) and revoke with its end.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from journal.models import School, Student, StudentUserObjectPermission
from journal.rules import reads_diary


def readable_student_ids(user: User) -> QuerySet[StudentUserObjectPermission, int]:
    """The ids of the students whose diary ``user`` reads, in any school: a subquery of the user's own few rows.

    Starting from these rows (not from the school's students, semi-joining the permissions per student)
    keeps the lookup at a handful of index reads whatever the size of the school.
    """
    return StudentUserObjectPermission.objects.filter(user=user, permission__codename="view_student_diary").values_list(
        "content_object_id", flat=True
    )


def diary_students_for(user: User, school: School | None) -> QuerySet[Student]:
    """The students of ``school`` whose diary ``user`` reads, by name."""
    if school is None or not reads_diary(user):
        return Student.objects.none()
    return Student.objects.filter(pk__in=readable_student_ids(user), school=school).order_by(
        "last_name", "first_name", "pk"
    )
