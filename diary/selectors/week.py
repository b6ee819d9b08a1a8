"""A week of a student's diary: each day's lessons with everything a parent reads (§2.9, §3.10).

A constant number of queries whatever the number of lessons and marks: enrolments, lessons
(with subject, subgroup, room, homework, substitute, the student's absence and the change reason),
homework files, marks (with work type), the policy, bells, holidays, events.

The rows are read as values into small records holding what the day card prints, its texts
(times and room, mark titles) made here once: the card needs a few columns of seven tables, and
model instances and template lookups per lesson cost more than the queries themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext

from accounts.models import User
from diary.models import Event
from diary.selectors.common import enrolment_on, overlapping, student_course_filter, student_enrolments
from diary.selectors.events import events_between
from journal.models import (
    Attendance,
    BellSchedule,
    BellSlot,
    ClassGroup,
    Holiday,
    HomeworkFile,
    Lesson,
    LessonChange,
    LessonChangeKind,
    LessonStatus,
    Mark,
    School,
    Student,
    Substitution,
)
from journal.selectors.grading import attendance_letter, policy_for
from journal.selectors.lessons import week_of


def monday_of(day: datetime.date) -> datetime.date:
    return week_of(day)[0]


@dataclass(slots=True)
class DiaryMark:
    value: str
    work_type: str  # its name, "" without one
    comment: str
    title: str  # the badge's tooltip: «work type: comment»
    detail: str  # the line under the lesson: «5 — work type; comment», "" with neither


def _diary_mark(value: str, work_type_id: int | None, work_type: str | None, comment: str) -> DiaryMark:
    name = work_type or ""
    title = f"{name}: {comment}" if comment else name
    detail = ""
    if work_type_id is not None or comment:
        detail = f"{value} — {name}"
        if comment:
            detail += f"; {comment}" if work_type_id is not None else comment
    return DiaryMark(value=value, work_type=name, comment=comment, title=title, detail=detail)


@dataclass(slots=True)
class DiaryHomework:
    pk: int
    text: str
    due_date: datetime.date | None

    @property
    def due(self) -> str:
        """«dd.mm» of the due date ("" without one)."""
        return f"{self.due_date:%d.%m}" if self.due_date else ""


@dataclass(slots=True)
class DiaryFile:
    pk: int
    original_name: str


@dataclass(slots=True)
class DiaryLesson:
    """One lesson on one day card; a moved lesson is on two: where it is now and, ``moved_away``, where it was."""

    pk: int
    class_group_id: int
    date: datetime.date  # the day it takes place
    lesson_slot: int  # its lesson number on that day
    origin_date: datetime.date | None
    origin_slot: int | None
    status: str
    topic: str
    subject: str
    subgroup: str | None  # the subgroup's name, None for a whole-class course
    room: str | None  # the room's name, None without a room
    homework: DiaryHomework | None
    substitute: str  # the substitute teacher's short name, "" without a substitution
    absence: dict[str, str] | None  # the student's attendance row: status and reason
    change_reason: str  # the reason of the lesson's last cancel or move
    moved_away: bool = False
    marks: list[DiaryMark] = field(default_factory=list)
    attendance_letter: str = ""
    attendance_reason: str = ""
    files: list[DiaryFile] = field(default_factory=list)
    times: str = ""  # «08:30–09:15» from the class's bells, "" without them
    place: str = ""  # the times and the room as the card prints them

    @property
    def slot(self) -> int:
        """The lesson number on this card: the original one on the day a lesson was moved away from."""
        if self.moved_away and self.origin_slot is not None:
            return self.origin_slot
        return self.lesson_slot

    @property
    def number(self) -> str:
        """«3.»: the lesson number as the card prints it."""
        return f"{self.slot}."

    @property
    def testid(self) -> str:
        return f"lesson-{self.pk}-moved-away" if self.moved_away else f"lesson-{self.pk}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == LessonStatus.CANCELLED

    @property
    def is_moved_here(self) -> bool:
        return self.origin_date is not None and not self.moved_away

    @property
    def muted(self) -> bool:
        """Shown greyed and struck through: cancelled, or moved to another day."""
        return self.moved_away or self.status == LessonStatus.CANCELLED


@dataclass
class DiaryDay:
    date: datetime.date
    enrolled: bool
    holiday: str = ""
    lessons: list[DiaryLesson] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class DiaryWeek:
    student: Student
    monday: datetime.date
    sunday: datetime.date
    class_group: ClassGroup | None
    days: list[DiaryDay]
    events: list[Event]

    @property
    def previous(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)


def _slot_times(class_group: ClassGroup, school: School) -> dict[int, str]:
    """«08:30–09:15» by lesson number: the class's bells, else the school's first schedule (one query).

    The same choice as ``journal.services.timetable.bell_schedule_for``, made inside the slots' query.
    """
    slots = BellSlot.objects.order_by()
    if class_group.bell_schedule_id:
        slots = slots.filter(schedule_id=class_group.bell_schedule_id)
    else:
        first = BellSchedule.objects.filter(school=school).order_by("shift", "name").values("pk")[:1]
        slots = slots.filter(schedule_id=Subquery(first))
    return {number: f"{start:%H:%M}–{end:%H:%M}" for number, start, end in slots.values_list("number", "start", "end")}


_LESSON_COLUMNS = (
    "pk",
    "course__class_group_id",
    "date",
    "slot",
    "origin_date",
    "origin_slot",
    "status",
    "topic",
    "course__subject__name",
    "course__subgroup__name",
    "room_id",
    "room__name",
    "homework__pk",
    "homework__text",
    "homework__due_date",
    "substitute",
    "absence",
    "change_reason",
)


def _substitute_name(substitute: dict[str, str] | None) -> str:
    """The short name of the substitute (``substitute`` holds the name columns), "" without one."""
    return User(**substitute).short_name if substitute else ""


def _week_lessons(
    student: Student, class_ids: set[int], monday: datetime.date, sunday: datetime.date
) -> list[DiaryLesson]:
    """The lessons of the student's courses held in the week or moved away from it (one query).

    With each lesson its substitute, the student's absence and the reason of its last cancel or move
    as scalar subqueries (one row each at most), not JOINs: joining them made the planner's search
    over the tables cost more than reading the lessons.
    """
    substitute = (
        Substitution.objects.filter(lesson=OuterRef("pk"))
        .order_by()
        .values(
            json=JSONObject(
                username="substitute__username",
                last_name="substitute__last_name",
                first_name="substitute__first_name",
                middle_name="substitute__middle_name",
            )
        )[:1]
    )
    absence = (
        Attendance.objects.filter(lesson=OuterRef("pk"), student=student)
        .order_by()
        .values(json=JSONObject(status="status", reason="reason"))[:1]
    )
    change = (
        LessonChange.objects.filter(lesson=OuterRef("pk"), kind__in=[LessonChangeKind.CANCEL, LessonChangeKind.MOVE])
        .order_by("-created_at", "-pk")
        .values("reason")[:1]
    )
    rows = (
        Lesson.objects.filter(student_course_filter(student, class_ids))
        .filter(Q(date__gte=monday, date__lte=sunday) | Q(origin_date__gte=monday, origin_date__lte=sunday))
        .annotate(substitute=Subquery(substitute), absence=Subquery(absence), change_reason=Subquery(change))
        .order_by("date", "slot")
        .values_list(*_LESSON_COLUMNS)
    )
    return [
        DiaryLesson(
            pk=pk,
            class_group_id=class_group_id,
            date=date,
            lesson_slot=slot,
            origin_date=origin_date,
            origin_slot=origin_slot,
            status=status,
            topic=topic,
            subject=subject,
            subgroup=subgroup,
            room=room if room_id is not None else None,
            homework=DiaryHomework(pk=homework_id, text=text, due_date=due_date) if homework_id is not None else None,
            substitute=_substitute_name(substitute),
            absence=absence,
            change_reason=change_reason or "",
        )
        for (
            pk,
            class_group_id,
            date,
            slot,
            origin_date,
            origin_slot,
            status,
            topic,
            subject,
            subgroup,
            room_id,
            room,
            homework_id,
            text,
            due_date,
            substitute,
            absence,
            change_reason,
        ) in rows
    ]


def student_week(student: Student, day: datetime.date) -> DiaryWeek:
    """The school week (Monday to the school's last day) holding ``day``."""
    monday, sunday = week_of(day)
    enrolments = overlapping(student_enrolments(student), monday, sunday)
    school = student.school
    week_days = school.week_days
    dates = [monday + datetime.timedelta(days=i) for i in range(week_days)]
    if not enrolments:
        days = [DiaryDay(date=d, enrolled=False) for d in dates]
        return DiaryWeek(student=student, monday=monday, sunday=sunday, class_group=None, days=days, events=[])

    class_ids = {e.class_group_id for e in enrolments}
    # The class of the week's last enrolment: a transfer mid-week shows the new class's bells.
    class_group = enrolments[-1].class_group
    # Only the lessons of the days the student was in that class: an arrival mid-week sees their days only.
    entries: list[tuple[datetime.date, DiaryLesson]] = []
    for lesson in _week_lessons(student, class_ids, monday, sunday):
        for shown_on, moved_away in ((lesson.date, False), (lesson.origin_date, True)):
            if shown_on is None or not (monday <= shown_on <= sunday):
                continue
            enrolment = enrolment_on(enrolments, shown_on)
            if enrolment is None or enrolment.class_group_id != lesson.class_group_id:
                continue
            entries.append((shown_on, replace(lesson, moved_away=True) if moved_away else lesson))
    lesson_ids = {entry.pk for _day, entry in entries}
    homework_ids = {entry.homework.pk for _day, entry in entries if entry.homework is not None}

    files: dict[int, list[DiaryFile]] = defaultdict(list)
    for homework_id, pk, name in (
        HomeworkFile.objects.filter(homework_id__in=homework_ids)
        .order_by("pk")
        .values_list("homework_id", "pk", "original_name")
    ):
        files[homework_id].append(DiaryFile(pk=pk, original_name=name))
    marks: dict[int, list[DiaryMark]] = defaultdict(list)
    for lesson_id, value, work_type_id, work_type, comment in (
        Mark.objects.filter(student=student, lesson_id__in=lesson_ids)
        .order_by("position")
        .values_list("lesson_id", "value", "work_type_id", "work_type__name", "comment")
    ):
        marks[lesson_id].append(_diary_mark(value, work_type_id, work_type, comment))
    # The policy gives the absences their letters, the bells the lessons their times: asked only when needed.
    policy = policy_for(school, monday) if any(entry.absence for _day, entry in entries) else None
    times = _slot_times(class_group, school) if entries else {}
    reason_labels = dict(Attendance._meta.get_field("reason").flatchoices)
    room_word = gettext("room")

    by_day: dict[datetime.date, list[DiaryLesson]] = defaultdict(list)
    for shown_on, entry in entries:
        if entry.homework is not None:
            entry.files = files.get(entry.homework.pk, [])
        entry.marks = marks.get(entry.pk, [])
        if entry.absence is not None and policy is not None:
            status, reason = entry.absence["status"], entry.absence["reason"]
            entry.attendance_letter = attendance_letter(policy, status, reason)
            entry.attendance_reason = str(reason_labels.get(reason, reason))
        entry.times = times.get(entry.slot, "")
        if entry.room is None:
            entry.place = entry.times
        else:
            entry.place = f"{entry.times} · {room_word} {entry.room}" if entry.times else f"{room_word} {entry.room}"
        by_day[shown_on].append(entry)

    holidays = list(
        Holiday.objects.filter(year_id=class_group.year_id, start__lte=sunday, end__gte=monday)
        .order_by("start")
        .values_list("name", "start", "end")
    )
    events = events_between(school, class_ids, monday, sunday)
    days = []
    for d in dates:
        holiday = next((name for name, start, end in holidays if start <= d <= end), "")
        day_lessons = sorted(by_day.get(d, []), key=lambda e: (e.slot, e.moved_away))
        day_events = [e for e in events if e.date <= d <= e.last_day]
        days.append(
            DiaryDay(
                date=d,
                enrolled=enrolment_on(enrolments, d) is not None,
                holiday=holiday,
                lessons=day_lessons,
                events=day_events,
            )
        )
    return DiaryWeek(student=student, monday=monday, sunday=sunday, class_group=class_group, days=days, events=events)
