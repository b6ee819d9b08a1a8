"""One-off changes of lessons: cancel, restore, move, change room, add an extra lesson.

The timetable is the deputy's (§4.5) and the administrator's (§4.1): only they
make these changes. Each change is written with a :class:`LessonChange` (who,
why, before, after) in the same transaction, and a reason is required.

A held lesson is not cancelled or moved: it took place, and what was recorded
on it (topic, later marks and attendance) belongs to that date. If it was
marked held by mistake, the teacher first sets it back to planned in the
journal. Nor is a planned lesson that already carries marks or attendance:
the grid, the diary and every figure would otherwise disagree about it (the
message names what is recorded). A planned lesson that carries only a topic
(written ahead, or taken from the thematic plan) can be cancelled: its topic
and plan item are released for the next lesson, and the change keeps the
topic in «before».

A moved lesson loses its link to the timetable entry and remembers where the
timetable had put it (``origin_date``/``origin_slot``), so that regenerating
lessons keeps it where it was moved to and makes no new one in its old place.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from journal import rules
from journal.models import (
    Attendance,
    Course,
    Lesson,
    LessonChange,
    LessonChangeKind,
    LessonStatus,
    Mark,
    Room,
    Substitution,
)
from journal.selectors.calendar import last_teaching_day, teaching_days
from journal.selectors.lessons import (
    class_slots,
    course_teacher_on,
    describe_lesson,
    lesson_clashes,
)
from journal.services import text
from journal.services.guards import refuse_archived
from journal.services.substitutions import substitution_drop


def require_timetable_editor(actor: User) -> None:
    if not rules.edits_timetable(actor):
        raise PermissionDenied(_("Only the deputy director or the administrator changes lessons."))


def clean_reason(reason: str | None) -> str:
    return text.clean_reason(reason, missing=_("Give the reason for the change."))


def _when(lesson: Lesson) -> str:
    return _("%(date)s, lesson %(slot)s") % {"date": lesson.date.strftime("%d.%m.%Y"), "slot": lesson.slot}


def _room(room: Room | None) -> str:
    return _("room %(room)s") % {"room": room} if room is not None else _("no room")


def _locked(lesson: Lesson) -> Lesson:
    """The lesson re-read under a row lock: two people changing it at once take turns."""
    locked = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("course__class_group__year__school", "course__subject", "course__subgroup", "room", "teacher")
        .get(pk=lesson.pk)
    )
    refuse_archived(locked.course.class_group.year)
    return locked


def _record(
    *, actor: User, lesson: Lesson, kind: LessonChangeKind, reason: str, before: str, after: str
) -> LessonChange:
    return LessonChange.objects.create(
        lesson=lesson, kind=kind, reason=reason, before=before[:255], after=after[:255], author=actor
    )


def _check_date_and_slot(course: Course, date: datetime.date, slot: int) -> None:
    class_group = course.class_group
    year = class_group.year
    if not teaching_days(year, date, date) or date > last_teaching_day(year):
        raise ValidationError(
            {
                "date": _(
                    "%(date)s is not a teaching day of %(year)s: a day off, a holiday or outside the academic year."
                )
                % {"date": date.strftime("%d.%m.%Y"), "year": year}
            }
        )
    slots = class_slots(class_group)
    if not slots:
        raise ValidationError({"slot": _("The school has no bell schedule yet: enter the bells first.")})
    if slot not in slots:
        raise ValidationError(
            {
                "slot": _("Lesson %(slot)s is not in the bells of class %(cls)s: lessons %(first)s–%(last)s.")
                % {"slot": slot, "cls": class_group, "first": slots[0], "last": slots[-1]}
            }
        )


def _refuse_recorded(lesson: Lesson, *, message: str) -> None:
    """A lesson that carries marks or attendance took place in the journal: it is neither cancelled nor moved,
    so what a parent reads, the grid and every figure agree about it. ``message`` names the lesson
    (``%(lesson)s``) and what is recorded (``%(recorded)s``)."""
    marks = Mark.objects.filter(lesson=lesson).count()
    entries = Attendance.objects.filter(lesson=lesson).count()
    if not marks and not entries:
        return
    recorded = []
    if marks:
        recorded.append(ngettext("%(count)s mark", "%(count)s marks", marks) % {"count": marks})
    if entries:
        recorded.append(
            ngettext("%(count)s attendance entry", "%(count)s attendance entries", entries) % {"count": entries}
        )
    raise ValidationError(message % {"lesson": describe_lesson(lesson), "recorded": _(" and ").join(recorded)})


def _refuse_clashes(messages: list[str]) -> None:
    if messages:
        raise ValidationError(messages)


@transaction.atomic
def lesson_cancel(*, actor: User, lesson: Lesson, reason: str) -> Lesson:
    """The lesson will not take place; a substitution on it is removed with it."""
    require_timetable_editor(actor)
    reason = clean_reason(reason)
    lesson = _locked(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("%(lesson)s is already cancelled.") % {"lesson": describe_lesson(lesson)})
    if lesson.status == LessonStatus.HELD:
        raise ValidationError(
            _(
                "%(lesson)s was held and cannot be cancelled: what was recorded on it stays in the journal. "
                "If it was marked held by mistake, the teacher first sets it back to planned."
            )
            % {"lesson": describe_lesson(lesson)}
        )
    _refuse_recorded(
        lesson,
        message=_(
            "%(lesson)s already has %(recorded)s in the journal: it cannot be cancelled. "
            "The teacher first removes them, or marks the lesson held."
        ),
    )
    before = [lesson.get_status_display()]
    if lesson.topic:
        before.append(_("topic: %(topic)s") % {"topic": lesson.topic})
    substitution = Substitution.objects.filter(lesson=lesson).select_related("substitute").first()
    if substitution is not None:
        before.append(_("substitute: %(name)s") % {"name": substitution.substitute.short_name})
        substitution_drop(substitution)
        lesson.refresh_from_db(fields=["teacher"])
    lesson.status = LessonStatus.CANCELLED
    lesson.topic = ""
    lesson.plan_item = None
    lesson.save(update_fields=["status", "topic", "plan_item"])
    _record(
        actor=actor,
        lesson=lesson,
        kind=LessonChangeKind.CANCEL,
        reason=reason,
        before="; ".join(before),
        after=str(LessonStatus.CANCELLED.label),
    )
    return lesson


@transaction.atomic
def lesson_restore(*, actor: User, lesson: Lesson, reason: str) -> Lesson:
    """A cancelled lesson takes place after all, if its slot is still free."""
    require_timetable_editor(actor)
    reason = clean_reason(reason)
    lesson = _locked(lesson)
    if lesson.status != LessonStatus.CANCELLED:
        raise ValidationError(_("%(lesson)s is not cancelled.") % {"lesson": describe_lesson(lesson)})
    _refuse_clashes(
        lesson_clashes(
            course=lesson.course,
            date=lesson.date,
            slot=lesson.slot,
            teacher_id=lesson.teacher_id,
            room_id=lesson.room_id,
            exclude=lesson,
        )
    )
    lesson.status = LessonStatus.PLANNED
    lesson.save(update_fields=["status"])
    _record(
        actor=actor,
        lesson=lesson,
        kind=LessonChangeKind.RESTORE,
        reason=reason,
        before=str(LessonStatus.CANCELLED.label),
        after=str(LessonStatus.PLANNED.label),
    )
    return lesson


@transaction.atomic
def lesson_move(*, actor: User, lesson: Lesson, date: datetime.date, slot: int, reason: str) -> Lesson:
    """Move the lesson to another teaching day and/or lesson number of its class's bells."""
    require_timetable_editor(actor)
    reason = clean_reason(reason)
    lesson = _locked(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(
            _("%(lesson)s is cancelled: restore it, or add an extra lesson.") % {"lesson": describe_lesson(lesson)}
        )
    if lesson.status == LessonStatus.HELD:
        raise ValidationError(_("%(lesson)s was held and cannot be moved.") % {"lesson": describe_lesson(lesson)})
    _refuse_recorded(
        lesson,
        message=_(
            "%(lesson)s already has %(recorded)s in the journal: they belong to its date, so it cannot be moved. "
            "Add an extra lesson instead."
        ),
    )
    if (lesson.date, lesson.slot) == (date, slot):
        raise ValidationError(_("The lesson is already at that date and lesson number."))
    _check_date_and_slot(lesson.course, date, slot)
    _refuse_clashes(
        lesson_clashes(
            course=lesson.course,
            date=date,
            slot=slot,
            teacher_id=lesson.teacher_id,
            room_id=lesson.room_id,
            exclude=lesson,
        )
    )
    before = f"{_when(lesson)}, {_room(lesson.room)}"
    if lesson.origin_date is None and lesson.timetable_entry_id is not None:
        # Where the timetable put it: regeneration makes no new lesson there.
        lesson.origin_date, lesson.origin_slot = lesson.date, lesson.slot
    elif (lesson.origin_date, lesson.origin_slot) == (date, slot):
        lesson.origin_date, lesson.origin_slot = None, None  # back where the timetable put it
    lesson.date = date
    lesson.slot = slot
    lesson.timetable_entry = None
    lesson.save(update_fields=["date", "slot", "timetable_entry", "origin_date", "origin_slot"])
    _record(
        actor=actor,
        lesson=lesson,
        kind=LessonChangeKind.MOVE,
        reason=reason,
        before=before,
        after=f"{_when(lesson)}, {_room(lesson.room)}",
    )
    return lesson


@transaction.atomic
def lesson_change_room(*, actor: User, lesson: Lesson, room: Room | None, reason: str) -> Lesson:
    """The lesson takes place in another room (``None``: no room)."""
    require_timetable_editor(actor)
    reason = clean_reason(reason)
    lesson = _locked(lesson)
    school = lesson.course.class_group.year.school
    if room is not None and room.school_id != school.pk:
        raise ValidationError({"room": _("Room %(room)s belongs to another school.") % {"room": room}})
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("%(lesson)s is cancelled.") % {"lesson": describe_lesson(lesson)})
    if lesson.room_id == (room.pk if room is not None else None):
        raise ValidationError({"room": _("The lesson is already in %(room)s.") % {"room": _room(room)}})
    if room is not None:
        _refuse_clashes(
            lesson_clashes(
                course=lesson.course,
                date=lesson.date,
                slot=lesson.slot,
                teacher_id=None,
                room_id=room.pk,
                exclude=lesson,
                check_class=False,
            )
        )
    before = _room(lesson.room)
    lesson.room = room
    lesson.save(update_fields=["room"])
    _record(actor=actor, lesson=lesson, kind=LessonChangeKind.ROOM, reason=reason, before=before, after=_room(room))
    return lesson


@transaction.atomic
def lesson_add_extra(
    *, actor: User, course: Course, date: datetime.date, slot: int, room: Room | None, reason: str
) -> Lesson:
    """An extra lesson of the course, outside the timetable (kept by regeneration)."""
    require_timetable_editor(actor)
    reason = clean_reason(reason)
    refuse_archived(course.class_group.year)
    school = course.class_group.year.school
    if room is not None and room.school_id != school.pk:
        raise ValidationError({"room": _("Room %(room)s belongs to another school.") % {"room": room}})
    _check_date_and_slot(course, date, slot)
    teacher = course_teacher_on(course, date)
    _refuse_clashes(
        lesson_clashes(
            course=course,
            date=date,
            slot=slot,
            teacher_id=teacher.pk if teacher is not None else None,
            room_id=room.pk if room is not None else None,
        )
    )
    lesson = Lesson.objects.create(
        course=course, date=date, slot=slot, room=room, teacher=teacher, is_extra=True, status=LessonStatus.PLANNED
    )
    _record(
        actor=actor,
        lesson=lesson,
        kind=LessonChangeKind.EXTRA,
        reason=reason,
        before="",
        after=f"{_when(lesson)}, {_room(room)}",
    )
    return lesson
