"""Reading the timetable, the bells, the regime and the curriculum.

A week's grid is loaded in a fixed number of queries whatever its size: the
school's bells with their slots (2), the entries valid on the day with course,
class, subject, subgroup and room (1) and the teachers through a Prefetch of
the assignments open on that day (1).

Getting one object of these for a user (404 outside the scope, 403 read-only)
is in :mod:`journal.access`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from journal.models import (
    AcademicYear,
    BellSchedule,
    BellSlot,
    ClassGroup,
    Course,
    CurriculumItem,
    GradePeriodScheme,
    Holiday,
    Room,
    School,
    StudyPeriod,
    Subject,
    TeachingAssignment,
    TimetableEntry,
    Weekday,
)
from journal.permissions import open_assignments
from journal.selectors.calendar import teaching_days

# --- Dates -----------------------------------------------------------------------


def day_in_year(year: AcademicYear | None, day: datetime.date | None = None) -> datetime.date:
    """``day`` (today by default) moved into ``year``: a timetable outside its year is empty."""
    day = day or timezone.localdate()
    if year is None:
        return day
    return min(max(day, year.start), year.end)


def week_dates(day: datetime.date, week_days: int) -> list[tuple[int, datetime.date]]:
    """(weekday 1–6, its date) of the school week containing ``day``."""
    monday = day - datetime.timedelta(days=day.isoweekday() - 1)
    return [(n, monday + datetime.timedelta(days=n - 1)) for n in range(1, week_days + 1)]


def valid_on(day: datetime.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


# --- Bells -----------------------------------------------------------------------


def school_bells(school: School) -> list[BellSchedule]:
    """The school's bell schedules with their slots (2 queries), first shift first."""
    return list(
        BellSchedule.objects.filter(school=school)
        .order_by("shift", "name")
        .prefetch_related(Prefetch("slots", queryset=BellSlot.objects.order_by("number")))
    )


def bells_of_class(class_group: ClassGroup, bells: list[BellSchedule]) -> BellSchedule | None:
    """The class's own shift, else the school's first (as ``services.timetable.bell_schedule_for``)."""
    for schedule in bells:
        if schedule.pk == class_group.bell_schedule_id:
            return schedule
    return bells[0] if bells else None


# --- The week's grid -------------------------------------------------------------


@dataclass
class Cell:
    weekday: int
    slot: int
    entries: list[TimetableEntry] = field(default_factory=list)


@dataclass
class GridRow:
    slot: int
    bell: BellSlot | None
    cells: list[Cell]
    in_bells: bool = True


@dataclass
class WeekGrid:
    on: datetime.date
    days: list[tuple[int, str, datetime.date]]  # weekday, its name, its date in the week of ``on``
    rows: list[GridRow]
    bells: BellSchedule | None
    entry_count: int = 0

    @property
    def previous_week(self) -> datetime.date:
        return self.on - datetime.timedelta(days=7)

    @property
    def next_week(self) -> datetime.date:
        return self.on + datetime.timedelta(days=7)


def entries_on(day: datetime.date) -> QuerySet[TimetableEntry]:
    """Entries valid on ``day`` with everything a cell prints; each course carries
    ``open_assignments`` (the teachers on that day) from one prefetch query."""
    return (
        TimetableEntry.objects.filter(valid_on(day))
        .select_related("course__class_group", "course__subject", "course__subgroup", "room")
        .prefetch_related(
            Prefetch(
                "course__assignments",
                queryset=TeachingAssignment.objects.filter(open_assignments(day))
                .select_related("teacher")
                .order_by("date_from", "pk"),
                to_attr="open_assignments",
            )
        )
        .order_by("weekday", "slot", "course__subject__name", "course__subgroup__name", "pk")
    )


def _grid(
    day: datetime.date,
    week_days: int,
    schedule: BellSchedule | None,
    entries: Iterable[TimetableEntry],
    bells: list[BellSchedule] | None = None,
) -> WeekGrid:
    """Entries placed in a weekday × lesson-number grid; with ``bells`` (a teacher's or
    a room's week across shifts) each entry carries ``bell_slot``: its time in its class's bells."""
    by_cell: dict[tuple[int, int], list[TimetableEntry]] = defaultdict(list)
    slots_of = {b.pk: {s.number: s for s in b.slots.all()} for b in bells or []}
    count = 0
    for entry in entries:
        if bells:
            own = bells_of_class(entry.course.class_group, bells)
            entry.bell_slot = slots_of[own.pk].get(entry.slot) if own is not None else None  # type: ignore[attr-defined]
        if entry.weekday <= week_days:
            by_cell[(entry.weekday, entry.slot)].append(entry)
            count += 1
    bell_slots = {s.number: s for s in schedule.slots.all()} if schedule is not None else {}
    # A slot an entry uses but the bells lack (the bells were changed later) still shows, flagged.
    numbers = sorted(set(bell_slots) | {slot for _, slot in by_cell})
    names = dict(Weekday.choices)
    days = [(n, str(names[n]), date) for n, date in week_dates(day, week_days)]
    rows = [
        GridRow(
            slot=number,
            bell=bell_slots.get(number),
            cells=[Cell(weekday=n, slot=number, entries=by_cell.get((n, number), [])) for n, _, _ in days],
            in_bells=number in bell_slots,
        )
        for number in numbers
    ]
    return WeekGrid(on=day, days=days, rows=rows, bells=schedule, entry_count=count)


def class_week(class_group: ClassGroup, day: datetime.date, school: School) -> WeekGrid:
    """The class's week as of ``day``; rows are the lesson numbers of the class's bells."""
    schedule = bells_of_class(class_group, school_bells(school))
    entries = entries_on(day).filter(course__class_group=class_group)
    return _grid(day, school.week_days, schedule, entries)


def teacher_week(teacher: User, day: datetime.date, school: School) -> WeekGrid:
    """The lessons of the courses ``teacher`` has on ``day``, across the school's classes."""
    bells = school_bells(school)
    teaches = TeachingAssignment.objects.filter(open_assignments(day), course=OuterRef("course"), teacher=teacher)
    entries = entries_on(day).filter(Exists(teaches), course__class_group__year__school=school)
    return _grid(day, school.week_days, bells[0] if bells else None, entries, bells)


def room_week(room: Room, day: datetime.date, school: School) -> WeekGrid:
    bells = school_bells(school)
    entries = entries_on(day).filter(room=room)
    return _grid(day, school.week_days, bells[0] if bells else None, entries, bells)


def cell_entries(class_group: ClassGroup, weekday: int, slot: int, day: datetime.date) -> list[TimetableEntry]:
    return list(entries_on(day).filter(course__class_group=class_group, weekday=weekday, slot=slot))


# --- Lists for the pickers -------------------------------------------------------


def rooms_of_school(school: School | None) -> QuerySet[Room]:
    if school is None:
        return Room.objects.none()
    return Room.objects.filter(school=school).order_by("name")


def courses_of_class(class_group: ClassGroup) -> QuerySet[Course]:
    return (
        Course.objects.filter(class_group=class_group)
        .select_related("subject", "subgroup")
        .order_by("subject__name", "subgroup__name")
    )


def years_of_school(school: School | None) -> QuerySet[AcademicYear]:
    if school is None:
        return AcademicYear.objects.none()
    return AcademicYear.objects.filter(school=school).order_by("-start")


def subjects_of_school(school: School | None) -> QuerySet[Subject]:
    if school is None:
        return Subject.objects.none()
    return Subject.objects.filter(school=school).order_by("name")


# --- Curriculum --------------------------------------------------------------------


def curriculum_of(year: AcademicYear) -> QuerySet[CurriculumItem]:
    return CurriculumItem.objects.filter(year=year).select_related("subject").order_by("grade", "subject__name")


@dataclass
class HoursMismatch:
    subject: Subject
    subgroup: str  # the subgroup's name, empty for the whole class
    curriculum: Decimal | None  # None: the subject is not in the grade's curriculum
    timetable: int

    @property
    def difference(self) -> Decimal:
        return Decimal(self.timetable) - (self.curriculum or Decimal(0))


@dataclass
class ClassHours:
    class_group: ClassGroup
    mismatches: list[HoursMismatch]
    timetable_total: int
    curriculum_total: Decimal


def curriculum_check(year: AcademicYear, day: datetime.date) -> list[ClassHours]:
    """Per class, where the weekly hours of the timetable valid on ``day`` differ from the curriculum.

    A subject taught to the whole class counts its entries. A split subject is
    checked per subgroup: a member of the subgroup has the subgroup's entries
    plus any whole-class ones of the subject, and that must equal the
    curriculum hours. Three queries: classes, curriculum, courses with counts.
    """
    classes = list(ClassGroup.objects.filter(year=year).order_by("grade", "letter"))
    plan: dict[tuple[int, int], CurriculumItem] = {(i.grade, i.subject_id): i for i in curriculum_of(year)}
    courses = (
        Course.objects.filter(class_group__year=year)
        .select_related("subject", "subgroup")
        .annotate(
            hours=Count(
                "timetable",
                filter=Q(timetable__valid_from__lte=day)
                & (Q(timetable__valid_to__isnull=True) | Q(timetable__valid_to__gte=day)),
            )
        )
        .order_by("subject__name", "subgroup__name")
    )
    by_class: dict[int, dict[int, list[Course]]] = defaultdict(lambda: defaultdict(list))
    for course in courses:
        by_class[course.class_group_id][course.subject_id].append(course)

    result: list[ClassHours] = []
    for class_group in classes:
        subjects = by_class.get(class_group.pk, {})
        mismatches: list[HoursMismatch] = []
        timetable_total = 0
        for subject_courses in subjects.values():
            subject = subject_courses[0].subject
            item = plan.get((class_group.grade, subject.pk))
            expected = item.hours_per_week if item is not None else None
            whole = sum(c.hours for c in subject_courses if c.subgroup_id is None)  # type: ignore[attr-defined]
            split = [c for c in subject_courses if c.subgroup_id is not None]
            tracks = [(c.subgroup.name, whole + c.hours) for c in split] or [("", whole)]  # type: ignore[union-attr,attr-defined]
            timetable_total += max(hours for _, hours in tracks)
            for name, hours in tracks:
                if expected is None and hours == 0:
                    continue  # a course outside the curriculum with no lessons: nothing to report
                if expected is None or Decimal(hours) != expected:
                    mismatches.append(HoursMismatch(subject, name, expected, hours))
        for (grade, subject_id), item in plan.items():
            if grade == class_group.grade and subject_id not in subjects:
                mismatches.append(HoursMismatch(item.subject, "", item.hours_per_week, 0))
        curriculum_total = sum(
            (i.hours_per_week for (g, _), i in plan.items() if g == class_group.grade), start=Decimal(0)
        )
        mismatches.sort(key=lambda m: (m.subject.name, m.subgroup))
        result.append(ClassHours(class_group, mismatches, timetable_total, curriculum_total))
    return result


# --- Regime --------------------------------------------------------------------------


@dataclass
class PeriodDays:
    period: StudyPeriod
    days: int
    weeks: float


@dataclass
class Regime:
    year: AcademicYear | None
    bells: list[BellSchedule]
    periods: list[PeriodDays]
    holidays: list[Holiday]
    schemes: list[GradePeriodScheme]
    year_days: int = 0


def regime(school: School, year: AcademicYear | None) -> Regime:
    """Bells, periods with their teaching days (dates minus weekends and holidays), holidays, schemes."""
    bells = school_bells(school)
    if year is None:
        return Regime(None, bells, [], [], [])
    periods = [
        PeriodDays(p, days, round(days / school.week_days, 1))
        for p in StudyPeriod.objects.filter(year=year).order_by("kind", "number")
        for days in [len(teaching_days(year, p.start, p.end))]
    ]
    holidays = list(Holiday.objects.filter(year=year).order_by("start"))
    schemes = list(GradePeriodScheme.objects.filter(year=year).order_by("grade"))
    return Regime(year, bells, periods, holidays, schemes, len(teaching_days(year)))
