"""The timetable: entries with their conflicts, and lessons generated from it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    AcademicYear,
    BellSchedule,
    BellSlot,
    ClassGroup,
    Course,
    Lesson,
    LessonStatus,
    Room,
    TeachingAssignment,
    TimetableEntry,
)
from journal.permissions import open_assignments
from journal.selectors.calendar import teaching_days
from journal.services.guards import refuse_archived


@dataclass(frozen=True)
class Clash:
    """Why an entry cannot stand: who or what is already busy in that slot."""

    kind: str  # "teacher", "room", "class", "student"
    other: TimetableEntry
    message: str


def bell_schedule_for(class_group: ClassGroup) -> BellSchedule | None:
    if class_group.bell_schedule_id:
        return class_group.bell_schedule
    return BellSchedule.objects.filter(school=class_group.year.school).order_by("shift", "name").first()


def _overlapping(valid_from: datetime.date, valid_to: datetime.date | None) -> Q:
    q = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        q &= Q(valid_from__lte=valid_to)
    return q


def _teachers_of(course: Course, on: datetime.date) -> set[int]:
    assignments = TeachingAssignment.objects.filter(open_assignments(on), course=course)
    teachers = set(assignments.values_list("teacher_id", flat=True))
    if not teachers:
        # Not yet started assignments still count: the timetable is built in August.
        teachers = set(
            TeachingAssignment.objects.filter(course=course, date_to__isnull=True).values_list("teacher_id", flat=True)
        )
    return teachers


def _members(course: Course) -> set[int] | None:
    """Students of a subgroup course; ``None`` means the whole class."""
    if course.subgroup_id is None:
        return None
    return set(course.subgroup.members.values_list("pk", flat=True))  # type: ignore[union-attr]


def find_clashes(
    *,
    course: Course,
    weekday: int,
    slot: int,
    room: Room | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    exclude: TimetableEntry | None = None,
) -> list[Clash]:
    """Every entry that would meet in the same weekday and slot with the same teacher,
    room, class or (for subgroups) students, on overlapping dates."""
    school = course.class_group.year.school
    same_slot = (
        TimetableEntry.objects.filter(
            _overlapping(valid_from, valid_to),
            weekday=weekday,
            slot=slot,
            course__class_group__year__school=school,
        )
        .select_related("course__class_group", "course__subject", "course__subgroup", "room")
        .order_by("pk")
    )
    if exclude is not None and exclude.pk:
        same_slot = same_slot.exclude(pk=exclude.pk)
    clashes: list[Clash] = []
    teachers = _teachers_of(course, valid_from)
    members = _members(course)
    for other in same_slot:
        other_course = other.course
        if other_course.class_group_id == course.class_group_id:
            other_members = _members(other_course)
            if members is None or other_members is None:
                clashes.append(
                    Clash(
                        "class",
                        other,
                        _("Class %(cls)s already has %(subject)s in this slot.")
                        % {"cls": course.class_group, "subject": other_course},
                    )
                )
                continue
            common = members & other_members
            if common:
                clashes.append(
                    Clash(
                        "student",
                        other,
                        _("%(count)s students of this subgroup also attend %(subject)s in this slot.")
                        % {"count": len(common), "subject": other_course},
                    )
                )
                continue
        if room is not None and other.room_id == room.pk:
            clashes.append(
                Clash(
                    "room",
                    other,
                    _("Room %(room)s is taken by %(subject)s in this slot.") % {"room": room, "subject": other_course},
                )
            )
            continue
        shared = teachers & _teachers_of(other_course, valid_from)
        if shared:
            teacher = User.objects.get(pk=next(iter(shared)))
            clashes.append(
                Clash(
                    "teacher",
                    other,
                    _("Teacher %(teacher)s already teaches %(subject)s in this slot.")
                    % {"teacher": teacher.short_name, "subject": other_course},
                )
            )
    return clashes


def _validate_slot(course: Course, weekday: int, slot: int) -> None:
    school = course.class_group.year.school
    if not 1 <= weekday <= school.week_days:
        raise ValidationError(
            _("The school works %(days)s days a week: weekday %(day)s is not a school day.")
            % {"days": school.week_days, "day": weekday}
        )
    bells = bell_schedule_for(course.class_group)
    if bells is None:
        raise ValidationError(_("The school has no bell schedule yet: enter the bells first."))
    if not BellSlot.objects.filter(schedule=bells, number=slot).exists():
        raise ValidationError(
            _("Lesson %(slot)s is not in the bell schedule «%(bells)s».") % {"slot": slot, "bells": bells}
        )


@transaction.atomic
def timetable_entry_create(
    *,
    actor: User | None,
    course: Course,
    weekday: int,
    slot: int,
    room: Room | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> TimetableEntry:
    """Add a course to the timetable; refuses a clash with a message naming it."""
    year = course.class_group.year
    refuse_archived(year)
    valid_from = valid_from or year.start
    _validate_slot(course, weekday, slot)
    clashes = find_clashes(
        course=course, weekday=weekday, slot=slot, room=room, valid_from=valid_from, valid_to=valid_to
    )
    if clashes:
        raise ValidationError([c.message for c in clashes])
    entry = TimetableEntry(
        course=course, weekday=weekday, slot=slot, room=room, valid_from=valid_from, valid_to=valid_to
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def timetable_entry_end(*, actor: User | None, entry: TimetableEntry, last_day: datetime.date) -> TimetableEntry | None:
    """The entry stops after ``last_day``; an entry not yet started is removed. Past weeks keep it."""
    refuse_archived(entry.course.class_group.year)
    if entry.valid_to is not None and last_day > entry.valid_to:
        raise ValidationError(
            _("The entry already ends on %(end)s: it cannot be extended to %(day)s.")
            % {"end": entry.valid_to.strftime("%d.%m.%Y"), "day": last_day.strftime("%d.%m.%Y")}
        )
    if last_day < entry.valid_from:
        entry.delete()
        return None
    entry.valid_to = last_day
    entry.full_clean()
    entry.save(update_fields=["valid_to"])
    return entry


@transaction.atomic
def timetable_entry_change(
    *,
    actor: User | None,
    entry: TimetableEntry,
    from_date: datetime.date,
    weekday: int | None = None,
    slot: int | None = None,
    room: Room | None | bool = False,
) -> TimetableEntry:
    """Change an entry from ``from_date`` on: the old one ends the day before, a new one starts."""
    refuse_archived(entry.course.class_group.year)
    if not entry.valid_on(from_date):
        raise ValidationError(
            _("The entry is not in force on %(day)s: choose a date between %(start)s and %(end)s.")
            % {
                "day": from_date.strftime("%d.%m.%Y"),
                "start": entry.valid_from.strftime("%d.%m.%Y"),
                "end": entry.valid_to.strftime("%d.%m.%Y") if entry.valid_to else "…",
            }
        )
    new_weekday = entry.weekday if weekday is None else weekday
    new_slot = entry.slot if slot is None else slot
    new_room = entry.room if room is False else room
    old_to = entry.valid_to
    timetable_entry_end(actor=actor, entry=entry, last_day=from_date - datetime.timedelta(days=1))
    return timetable_entry_create(
        actor=actor,
        course=entry.course,
        weekday=new_weekday,
        slot=new_slot,
        room=new_room,  # type: ignore[arg-type]
        valid_from=from_date,
        valid_to=old_to,
    )


@dataclass
class GenerationResult:
    created: int = 0
    removed: int = 0
    kept: int = 0


@transaction.atomic
def lessons_generate(
    *,
    actor: User | None,
    year: AcademicYear,
    courses: QuerySet[Course] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> GenerationResult:
    """Make the lessons the timetable implies over the teaching days of ``year``.

    Idempotent: existing lessons stay; untouched planned lessons that the
    timetable no longer implies are removed; a lesson with a topic, a plan
    item, a status other than planned, or marked extra is never touched.
    """
    refuse_archived(year)
    courses = courses if courses is not None else Course.objects.filter(class_group__year=year)
    days = teaching_days(year, start, end)
    result = GenerationResult()
    if not days:
        return result
    entries = list(
        TimetableEntry.objects.filter(_overlapping(days[0], days[-1]), course__in=courses).select_related("course")
    )
    by_weekday: dict[int, list[TimetableEntry]] = defaultdict(list)
    for entry in entries:
        by_weekday[entry.weekday].append(entry)
    wanted: dict[tuple[int, datetime.date, int], TimetableEntry] = {}
    for day in days:
        for entry in by_weekday.get(day.isoweekday(), ()):
            if entry.valid_on(day):
                wanted[(entry.course_id, day, entry.slot)] = entry
    moved_away = Lesson.objects.filter(
        course__in=courses, origin_date__gte=days[0], origin_date__lte=days[-1]
    ).values_list("course_id", "origin_date", "origin_slot")
    for course_id, origin_date, origin_slot in moved_away:
        if origin_date is not None and origin_slot is not None:
            wanted.pop((course_id, origin_date, origin_slot), None)
    existing = Lesson.objects.filter(course__in=courses, date__gte=days[0], date__lte=days[-1]).only(
        "pk",
        "course_id",
        "date",
        "slot",
        "topic",
        "status",
        "plan_item_id",
        "is_extra",
        "timetable_entry_id",
        "room_id",
    )
    stale: list[int] = []
    retimed: list[Lesson] = []
    for lesson in existing:
        key = (lesson.course_id, lesson.date, lesson.slot)
        if key in wanted:
            entry = wanted.pop(key)
            result.kept += 1
            if lesson.timetable_entry_id != entry.pk and not lesson.is_touched and not lesson.is_extra:
                # The timetable changed from a date (say, another room): an
                # untouched lesson follows the entry now in force.
                lesson.timetable_entry_id = entry.pk
                lesson.room_id = entry.room_id
                retimed.append(lesson)
        elif lesson.is_extra or lesson.is_touched or lesson.timetable_entry_id is None:
            result.kept += 1
        else:
            stale.append(lesson.pk)
    if retimed:
        Lesson.objects.bulk_update(retimed, ["timetable_entry", "room"], batch_size=2000)
    if stale:
        # Lessons with marks or attendance are touched by definition (is_touched
        # grows with the journal); only planned, empty ones are removed.
        result.removed = Lesson.objects.filter(pk__in=stale, status=LessonStatus.PLANNED).delete()[0]
    teachers = _current_teachers({course_id for course_id, _, _ in wanted})
    Lesson.objects.bulk_create(
        [
            Lesson(
                course_id=course_id,
                date=day,
                slot=slot,
                room_id=entry.room_id,
                teacher_id=teachers.get(course_id),
                timetable_entry=entry,
            )
            for (course_id, day, slot), entry in wanted.items()
        ],
        batch_size=2000,
    )
    result.created = len(wanted)
    return result


def _current_teachers(course_ids: set[int]) -> dict[int, int]:
    rows = (
        TeachingAssignment.objects.filter(course_id__in=course_ids, date_to__isnull=True)
        .order_by("course_id", "date_from")
        .values_list("course_id", "teacher_id")
    )
    return dict(rows)
