"""Which object permissions the domain rows imply, and keeping guardian in step.

Domain relations are the truth: an open teaching assignment, a class-teacher
post, an active parent link, a student's own login. The guardian rows are a
fast index of them. Services call :func:`sync_user_object` in the same
transaction as the change; ``manage.py check_permissions`` reports drift.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth.models import Permission
from django.db.models import Model, Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from journal.models import (
    ClassGroup,
    ClassGroupUserObjectPermission,
    Course,
    CourseUserObjectPermission,
    Lesson,
    LessonUserObjectPermission,
    ParentLink,
    Student,
    StudentUserObjectPermission,
    Substitution,
    TeachingAssignment,
)

COURSE_TEACHER_PERMS = frozenset({"view_course", "change_course"})
CLASS_TEACHER_PERMS = frozenset({"view_classgroup", "lead_classgroup"})
STUDENT_READER_PERMS = frozenset({"view_student", "view_student_diary"})
SUBSTITUTE_PERMS = frozenset({"view_lesson", "change_lesson"})

PERM_TABLES: dict[type[Model], type[Model]] = {
    Course: CourseUserObjectPermission,
    ClassGroup: ClassGroupUserObjectPermission,
    Student: StudentUserObjectPermission,
    Lesson: LessonUserObjectPermission,
}


def _today() -> datetime.date:
    return timezone.localdate()


def open_assignments(on: datetime.date | None = None) -> Q:
    """Assignments that give access on ``on``: started, and not yet ended (the end day gives none)."""
    day = on or _today()
    return Q(date_from__lte=day) & (Q(date_to__isnull=True) | Q(date_to__gt=day))


def expected_perms(user: User, obj: Model) -> frozenset[str]:
    """The codenames ``user`` should hold on ``obj`` according to the domain rows."""
    if isinstance(obj, Course):
        teaches = TeachingAssignment.objects.filter(open_assignments(), course=obj, teacher=user).exists()
        return COURSE_TEACHER_PERMS if teaches else frozenset()
    if isinstance(obj, ClassGroup):
        return CLASS_TEACHER_PERMS if obj.class_teacher_id == user.pk else frozenset()
    if isinstance(obj, Student):
        is_self = obj.user_id == user.pk
        # A parent reads the child's diary with consent to personal-data processing only (§1.9).
        is_parent = ParentLink.objects.filter(
            parent=user, student=obj, ended_at__isnull=True, consent_given_at__isnull=False
        ).exists()
        return STUDENT_READER_PERMS if (is_self or is_parent) else frozenset()
    if isinstance(obj, Lesson):
        substitutes = Substitution.objects.filter(lesson=obj, substitute=user).exists()
        return SUBSTITUTE_PERMS if substitutes else frozenset()
    raise TypeError(f"No object permissions for {type(obj).__name__}")


def held_perms(user: User, obj: Model) -> frozenset[str]:
    table = PERM_TABLES[type(obj)]
    rows = table._default_manager.filter(user=user, content_object=obj).values_list("permission__codename", flat=True)
    return frozenset(rows)


def sync_user_object(user: User, obj: Model) -> None:
    """Grant what the domain implies and revoke what it no longer does."""
    expected = expected_perms(user, obj)
    held = held_perms(user, obj)
    for codename in expected - held:
        assign_perm(codename, user, obj)
    for codename in held - expected:
        remove_perm(codename, user, obj)


def _expected_rows() -> Iterator[tuple[type[Model], int, int, str]]:
    for a in TeachingAssignment.objects.filter(open_assignments()).values("teacher_id", "course_id").distinct():
        for codename in COURSE_TEACHER_PERMS:
            yield Course, a["teacher_id"], a["course_id"], codename
    for c in ClassGroup.objects.filter(class_teacher__isnull=False).values("pk", "class_teacher_id"):
        for codename in CLASS_TEACHER_PERMS:
            yield ClassGroup, c["class_teacher_id"], c["pk"], codename
    for link in ParentLink.objects.filter(ended_at__isnull=True, consent_given_at__isnull=False).values(
        "parent_id", "student_id"
    ):
        for codename in STUDENT_READER_PERMS:
            yield Student, link["parent_id"], link["student_id"], codename
    for s in Student.objects.filter(user__isnull=False).values("pk", "user_id"):
        for codename in STUDENT_READER_PERMS:
            yield Student, s["user_id"], s["pk"], codename
    for sub in Substitution.objects.values("lesson_id", "substitute_id"):
        for codename in SUBSTITUTE_PERMS:
            yield Lesson, sub["substitute_id"], sub["lesson_id"], codename


def permission_drift() -> tuple[set[tuple[str, int, int, str]], set[tuple[str, int, int, str]]]:
    """(missing, extra): guardian rows the domain implies but are absent, and the reverse."""
    expected = {(model.__name__, uid, oid, perm) for model, uid, oid, perm in _expected_rows()}
    held: set[tuple[str, int, int, str]] = set()
    for model, table in PERM_TABLES.items():
        for uid, oid, perm in table._default_manager.values_list(
            "user_id", "content_object_id", "permission__codename"
        ):
            held.add((model.__name__, uid, oid, perm))
    return expected - held, held - expected


def repair_drift() -> int:
    """Bring guardian rows in line with the domain; returns how many rows changed."""
    missing, extra = permission_drift()
    models = {m.__name__: m for m in PERM_TABLES}
    perms = {
        (p.content_type.model_class(), p.codename): p
        for p in Permission.objects.filter(content_type__app_label="journal").select_related("content_type")
    }
    for model, table in PERM_TABLES.items():
        table._default_manager.bulk_create(
            [
                table(user_id=uid, content_object_id=oid, permission=perms[(model, codename)])
                for name, uid, oid, codename in missing
                if name == model.__name__
            ],
            ignore_conflicts=True,
        )
    for name, uid, oid, codename in extra:
        model = models[name]
        PERM_TABLES[model]._default_manager.filter(
            user_id=uid, content_object_id=oid, permission__codename=codename
        ).delete()
    return len(missing) + len(extra)
