"""Querysets already narrowed to what a user may see inside their school.

Every view reads through these (or :mod:`journal.access`), so an object
outside the user's scope never reaches a template, a count or a file.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from journal import rules
from journal.models import (
    ClassGroup,
    ClassGroupUserObjectPermission,
    Course,
    CourseUserObjectPermission,
    Enrolment,
    Lesson,
    School,
    Student,
    StudentUserObjectPermission,
)
from journal.rules import reads_whole_school
from journal.selectors.membership import enrolled_on


def _course_perm(user: User, codename: str) -> QuerySet[CourseUserObjectPermission]:
    return CourseUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, content_object=OuterRef("pk")
    )


def courses_visible_to(user: User, school: School | None) -> QuerySet[Course]:
    """Courses of the school the user may read: all for the administration, else
    those they teach and those of the classes they lead."""
    if school is None:
        return Course.objects.none()
    qs = Course.objects.filter(class_group__year__school=school)
    if reads_whole_school(user):
        return qs
    # Two EXISTS, no join: no duplicate rows, so no DISTINCT over the whole course row.
    leads_class = ClassGroupUserObjectPermission.objects.filter(
        user=user, permission__codename="lead_classgroup", content_object=OuterRef("class_group_id")
    )
    return qs.filter(Exists(_course_perm(user, "view_course")) | Exists(leads_class))


def courses_taught_by(user: User, school: School | None) -> QuerySet[Course]:
    """Courses the user may write in (their own teaching)."""
    if school is None:
        return Course.objects.none()
    return Course.objects.filter(class_group__year__school=school).filter(Exists(_course_perm(user, "change_course")))


def lessons_substituted_by(user: User, school: School | None) -> QuerySet[Lesson]:
    """Lessons the user may fill as a substitute (§4.4)."""
    if school is None:
        return Lesson.objects.none()
    return Lesson.objects.filter(
        course__class_group__year__school=school,
        lessonuserobjectpermission__user=user,
        lessonuserobjectpermission__permission__codename="change_lesson",
    )


def classes_led_by(user: User, school: School | None) -> QuerySet[ClassGroup]:
    if school is None:
        return ClassGroup.objects.none()
    return ClassGroup.objects.filter(
        year__school=school,
        classgroupuserobjectpermission__user=user,
        classgroupuserobjectpermission__permission__codename="lead_classgroup",
    ).distinct()


def classes_visible_to(user: User, school: School | None) -> QuerySet[ClassGroup]:
    """Classes the user may open: all for the administration; the led ones and
    those the user teaches in, otherwise."""
    if school is None:
        return ClassGroup.objects.none()
    qs = ClassGroup.objects.filter(year__school=school)
    if reads_whole_school(user):
        return qs
    taught = courses_taught_by(user, school).values("class_group_id")
    led = classes_led_by(user, school).values("pk")
    return qs.filter(Q(pk__in=taught) | Q(pk__in=led))


def students_visible_to(user: User, school: School | None) -> QuerySet[Student]:
    """Students whose personal card the user may open: administration, the class
    teacher for the current class, parents for their children, a student for themself."""
    if school is None:
        return Student.objects.none()
    qs = Student.objects.filter(school=school)
    if reads_whole_school(user):
        return qs
    today = timezone.localdate()
    led_classes = classes_led_by(user, school).values("pk")
    in_led_class = Exists(
        Enrolment.objects.filter(enrolled_on(today), student=OuterRef("pk"), class_group__in=led_classes)
    )
    own = Exists(
        StudentUserObjectPermission.objects.filter(
            user=user, permission__codename="view_student", content_object=OuterRef("pk")
        )
    )
    return qs.filter(in_led_class | own)


def children_of(user: User, school: School | None) -> QuerySet[Student]:
    """The parent's own children (active links with consent to personal-data processing, §1.9) in this
    school: whose diary they read and whose teachers they write to."""
    if school is None or not rules.is_parent(user):
        return Student.objects.none()
    return Student.objects.filter(
        school=school,
        parent_links__parent=user,
        parent_links__ended_at__isnull=True,
        parent_links__consent_given_at__isnull=False,
    ).distinct()


def children_without_consent(user: User, school: School | None) -> QuerySet[Student]:
    """The parent's children whose link has no consent (§1.9): no electronic diary, the paper printout."""
    if school is None or not rules.is_parent(user):
        return Student.objects.none()
    return Student.objects.filter(
        school=school,
        parent_links__parent=user,
        parent_links__ended_at__isnull=True,
        parent_links__consent_given_at__isnull=True,
    ).distinct()
