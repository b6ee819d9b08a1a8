"""Substitutions (замещения, §4.4): who teaches a lesson instead of its absent teacher.

The deputy (or the administrator) assigns them. The lesson's ``teacher``
becomes the substitute — who actually taught — and the substitute gets
``view_lesson`` + ``change_lesson`` on exactly that lesson through
:func:`journal.permissions.sync_user_object`, in the same transaction;
removing the substitution gives the lesson back and revokes them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import Lesson, LessonStatus, School, Substitution
from journal.permissions import sync_user_object
from journal.selectors.lessons import course_teacher_on, describe_lesson, lesson_clashes
from journal.services.guards import refuse_archived
from journal.services.text import clean_reason

LESSON_RELATED = ("course__class_group__year__school", "course__subject", "course__subgroup", "teacher")


def _require_editor(actor: User) -> None:
    if not rules.edits_timetable(actor):
        raise PermissionDenied(_("Only the deputy director or the administrator assigns substitutes."))


def _clean_reason(reason: str | None) -> str:
    return clean_reason(reason, missing=_("Give the reason for the substitution (for example, illness)."))


def _check_substitute(substitute: User, school: School) -> None:
    if not rules.teaches_in(substitute, school):
        raise ValidationError(
            {"substitute": _("%(name)s is not a teacher of this school.") % {"name": substitute.short_name}}
        )


def _problems(lesson: Lesson, absent: User | None, substitute: User) -> list[str]:
    """Why ``substitute`` cannot take ``lesson`` (empty: they can)."""
    if lesson.status == LessonStatus.CANCELLED:
        return [_("%(lesson)s is cancelled.") % {"lesson": describe_lesson(lesson)}]
    existing = _existing_substitution(lesson)
    if existing is not None:
        return [
            _("%(lesson)s already has a substitute: %(name)s. Remove that substitution first.")
            % {"lesson": describe_lesson(lesson), "name": existing.substitute.short_name}
        ]
    if absent is None:
        return [_("%(lesson)s has no teacher to substitute.") % {"lesson": describe_lesson(lesson)}]
    if absent.pk == substitute.pk:
        return [
            _("%(name)s cannot substitute their own lesson: %(lesson)s.")
            % {"name": substitute.short_name, "lesson": describe_lesson(lesson)}
        ]
    return lesson_clashes(
        course=lesson.course,
        date=lesson.date,
        slot=lesson.slot,
        teacher_id=substitute.pk,
        room_id=None,
        exclude=lesson,
        check_class=False,
    )


def _existing_substitution(lesson: Lesson) -> Substitution | None:
    try:
        return lesson.substitution
    except Substitution.DoesNotExist:  # the reverse one-to-one raises when there is none
        return None


def _create(*, actor: User, lesson: Lesson, absent: User, substitute: User, reason: str) -> Substitution:
    substitution = Substitution.objects.create(
        lesson=lesson, absent_teacher=absent, substitute=substitute, reason=reason, created_by=actor
    )
    lesson.teacher = substitute
    lesson.save(update_fields=["teacher"])
    sync_user_object(substitute, lesson)
    return substitution


@transaction.atomic
def substitution_assign(*, actor: User, lesson: Lesson, substitute: User, reason: str) -> Substitution:
    """``substitute`` teaches ``lesson`` instead of its teacher; refuses a clash, naming it."""
    _require_editor(actor)
    reason = _clean_reason(reason)
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related(*LESSON_RELATED, "substitution__substitute")
        .get(pk=lesson.pk)
    )
    refuse_archived(lesson.course.class_group.year)
    school = lesson.course.class_group.year.school
    _check_substitute(substitute, school)
    absent = lesson.teacher or course_teacher_on(lesson.course, lesson.date)
    problems = _problems(lesson, absent, substitute)
    if problems:
        raise ValidationError(problems)
    return _create(actor=actor, lesson=lesson, absent=absent, substitute=substitute, reason=reason)  # type: ignore[arg-type]


@transaction.atomic
def substitution_assign_range(
    *,
    actor: User,
    absent_teacher: User,
    date_from: datetime.date,
    date_to: datetime.date,
    substitute: User,
    reason: str,
    school: School | None = None,
) -> list[Substitution]:
    """``substitute`` takes every lesson ``absent_teacher`` was to teach from ``date_from`` to ``date_to``.

    All or nothing: one clash refuses the whole range, with every clash named.
    Cancelled lessons and lessons already substituted are not part of it.
    ``school``: by default the schools the actor works in.
    """
    _require_editor(actor)
    reason = _clean_reason(reason)
    if date_to < date_from:
        raise ValidationError({"date_to": _("The last day is before the first day.")})
    if absent_teacher.pk == substitute.pk:
        raise ValidationError({"substitute": _("The absent teacher cannot be their own substitute.")})
    lessons_qs = Lesson.objects.filter(
        teacher=absent_teacher,
        date__gte=date_from,
        date__lte=date_to,
        substitution__isnull=True,
    ).exclude(status=LessonStatus.CANCELLED)
    if school is not None:
        lessons_qs = lessons_qs.filter(course__class_group__year__school=school)
    else:
        lessons_qs = lessons_qs.filter(course__class_group__year__school__memberships__user=actor)
    lessons = list(
        lessons_qs.select_for_update(of=("self",))
        .select_related(*LESSON_RELATED, "substitution__substitute")
        .order_by("date", "slot")
    )
    if not lessons:
        raise ValidationError(
            _("%(name)s has no lessons to substitute from %(start)s to %(end)s.")
            % {
                "name": absent_teacher.short_name,
                "start": date_from.strftime("%d.%m.%Y"),
                "end": date_to.strftime("%d.%m.%Y"),
            }
        )
    for checked_school in {lesson.course.class_group.year.school for lesson in lessons}:
        _check_substitute(substitute, checked_school)
    problems = [message for lesson in lessons for message in _problems(lesson, absent_teacher, substitute)]
    if problems:
        raise ValidationError(problems)
    return [
        _create(actor=actor, lesson=lesson, absent=absent_teacher, substitute=substitute, reason=reason)
        for lesson in lessons
    ]


def substitution_drop(substitution: Substitution) -> None:
    """Give the lesson back to the absent teacher and revoke the substitute's access (no role check).

    For services that remove a substitution as part of another change (a cancelled lesson).
    """
    lesson = substitution.lesson
    substitute = substitution.substitute
    lesson.teacher = substitution.absent_teacher
    lesson.save(update_fields=["teacher"])
    substitution.delete()
    sync_user_object(substitute, lesson)


@transaction.atomic
def substitution_remove(*, actor: User, substitution: Substitution) -> Lesson:
    """The substitution is taken back: the lesson is the absent teacher's again, the substitute loses it."""
    _require_editor(actor)
    substitution = (
        Substitution.objects.select_for_update(of=("self",))
        .select_related("lesson__course__class_group__year", "substitute", "absent_teacher")
        .get(pk=substitution.pk)
    )
    lesson = substitution.lesson
    refuse_archived(lesson.course.class_group.year)
    substitution_drop(substitution)
    return lesson
