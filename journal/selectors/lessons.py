"""Reading lessons, their one-off changes and the substitution log, scoped to the asking user."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    BellSlot,
    ClassGroup,
    Course,
    Lesson,
    LessonChange,
    LessonStatus,
    School,
    Substitution,
    TeachingAssignment,
)
from journal.permissions import open_assignments
from journal.rules import reads_whole_school
from journal.services.timetable import bell_schedule_for

LESSON_RELATED = (
    "course__class_group",
    "course__subject",
    "course__subgroup",
    "room",
    "teacher",
)


def describe_lesson(lesson: Lesson) -> str:
    """«5А · Математика, 05.10.2026, урок 3»: how messages and the log name a lesson."""
    return _("%(course)s, %(date)s, lesson %(slot)s") % {
        "course": lesson.course,
        "date": lesson.date.strftime("%d.%m.%Y"),
        "slot": lesson.slot,
    }


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the week holding ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def month_label(month: datetime.date) -> str:
    """«октябрь 2026» in the active language."""
    return date_format(month, "F Y")


def course_teacher_on(course: Course, day: datetime.date) -> User | None:
    """Who teaches ``course`` on ``day``: the assignment open that day, else the one without an end."""
    assignment = (
        TeachingAssignment.objects.filter(open_assignments(day), course=course).select_related("teacher").first()
        or TeachingAssignment.objects.filter(course=course, date_to__isnull=True)
        .select_related("teacher")
        .order_by("-date_from")
        .first()
    )
    return assignment.teacher if assignment is not None else None


def class_slots(class_group: ClassGroup) -> list[int]:
    """Lesson numbers of the class's bells (its shift's, or the school's first shift)."""
    bells = bell_schedule_for(class_group)
    if bells is None:
        return []
    return list(BellSlot.objects.filter(schedule=bells).order_by("number").values_list("number", flat=True))


def _subgroup_members(course: Course) -> set[int] | None:
    if course.subgroup_id is None:
        return None
    return set(course.subgroup.members.values_list("pk", flat=True))  # type: ignore[union-attr]


def lesson_clashes(
    *,
    course: Course,
    date: datetime.date,
    slot: int,
    teacher_id: int | None,
    room_id: int | None,
    exclude: Lesson | None = None,
    check_class: bool = True,
) -> list[str]:
    """Messages naming every lesson that already holds the class, the teacher or the room
    at ``date``/``slot`` (cancelled lessons hold nothing). Empty: the slot is free.

    Two subgroups of one class clash only if they share students, as in the
    timetable's check. Slots compare by number, like the timetable's.
    """
    same_slot = Lesson.objects.filter(date=date, slot=slot)
    if exclude is not None:
        same_slot = same_slot.exclude(pk=exclude.pk)
    messages: list[str] = []
    cancelled_here = (
        same_slot.filter(course=course, status=LessonStatus.CANCELLED)
        .select_related("course__class_group", "course__subject", "course__subgroup")
        .first()
    )
    if cancelled_here is not None:
        # The database allows one lesson of a course per date and slot.
        messages.append(
            _("%(lesson)s already exists (cancelled): restore it instead.")
            % {"lesson": describe_lesson(cancelled_here)}
        )
    others = (
        same_slot.filter(course__class_group__year__school_id=_school_id(course))
        .exclude(status=LessonStatus.CANCELLED)
        .select_related(*LESSON_RELATED)
        .order_by("pk")
    )
    members: set[int] | None | bool = False  # not looked up yet
    for other in others:
        if check_class and other.course.class_group_id == course.class_group_id:
            if members is False:
                members = _subgroup_members(course)
            other_members = _subgroup_members(other.course)
            if members is None or other_members is None or members & other_members:  # type: ignore[operator]
                messages.append(
                    _("Class %(cls)s already has a lesson then: %(lesson)s.")
                    % {"cls": course.class_group, "lesson": describe_lesson(other)}
                )
                continue
        if teacher_id is not None and other.teacher_id == teacher_id:
            messages.append(
                _("Teacher %(teacher)s already has a lesson then: %(lesson)s.")
                % {"teacher": other.teacher.short_name, "lesson": describe_lesson(other)}  # type: ignore[union-attr]
            )
            continue
        if room_id is not None and other.room_id == room_id:
            messages.append(
                _("Room %(room)s is taken then: %(lesson)s.") % {"room": other.room, "lesson": describe_lesson(other)}
            )
    return messages


def _school_id(course: Course) -> int:
    return course.class_group.year.school_id


# --- The changes page ---------------------------------------------------------------


def lessons_of_class(class_group: ClassGroup, start: datetime.date, end: datetime.date) -> QuerySet[Lesson]:
    """Every lesson of the class's courses (cancelled too) between ``start`` and ``end``, with what the page shows."""
    return (
        Lesson.objects.filter(course__class_group=class_group, date__gte=start, date__lte=end)
        .select_related(*LESSON_RELATED, "substitution__substitute", "substitution__absent_teacher")
        .order_by("date", "slot", "course__subject__name", "course__subgroup__name")
    )


def changes_of_class(class_group: ClassGroup, start: datetime.date, end: datetime.date) -> QuerySet[LessonChange]:
    """The recorded one-off changes of the class's lessons dated between ``start`` and ``end``, newest first."""
    return (
        LessonChange.objects.filter(
            lesson__course__class_group=class_group, lesson__date__gte=start, lesson__date__lte=end
        )
        .select_related("author", "lesson__course__subject", "lesson__course__subgroup", "lesson__course__class_group")
        .order_by("-created_at", "-pk")
    )


# --- The substitution log (журнал замещения, §4.4) ----------------------------------


def substitutions_visible_to(user: User, school: School | None) -> QuerySet[Substitution]:
    """The administration reads the whole log; a teacher the rows where they are absent or substitute."""
    if school is None:
        return Substitution.objects.none()
    qs = Substitution.objects.filter(lesson__course__class_group__year__school=school)
    if reads_whole_school(user):
        return qs
    return qs.filter(Q(absent_teacher=user) | Q(substitute=user))


def substitution_log(
    user: User, school: School | None, start: datetime.date, end: datetime.date
) -> QuerySet[Substitution]:
    """Log rows of lessons dated ``start``–``end`` that ``user`` may read, in date, lesson and class order."""
    return (
        substitutions_visible_to(user, school)
        .filter(lesson__date__gte=start, lesson__date__lte=end)
        .select_related(
            "lesson__course__class_group",
            "lesson__course__subject",
            "lesson__course__subgroup",
            "absent_teacher",
            "substitute",
        )
        .order_by(
            "lesson__date", "lesson__slot", "lesson__course__class_group__grade", "lesson__course__class_group__letter"
        )
    )
