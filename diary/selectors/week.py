"""A week of a student's diary: each day's lessons with everything a parent reads (§2.9, §3.10).

A constant number of queries whatever the number of lessons and marks:
enrolments, lessons (with subject, room, teacher, substitution, homework), homework files,
marks (with work type), attendance, lesson changes, the policy, holidays, events, bells.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from diary.models import Event
from diary.selectors.common import enrolment_on, overlapping, student_course_filter, student_enrolments
from diary.selectors.events import events_between
from journal.models import (
    Attendance,
    BellSlot,
    ClassGroup,
    Holiday,
    Homework,
    HomeworkFile,
    Lesson,
    LessonChange,
    LessonChangeKind,
    LessonStatus,
    Mark,
    Student,
    Substitution,
)
from journal.selectors.grading import attendance_letter, policy_for
from journal.selectors.lessons import week_of
from journal.services.timetable import bell_schedule_for


def monday_of(day: datetime.date) -> datetime.date:
    return week_of(day)[0]


@dataclass
class DiaryLesson:
    lesson: Lesson
    marks: list[Mark] = field(default_factory=list)
    attendance_letter: str = ""
    attendance_reason: str = ""
    files: list[HomeworkFile] = field(default_factory=list)
    change_reason: str = ""
    # Shown on the day a moved lesson was taken from: it now takes place on ``lesson.date``.
    moved_away: bool = False
    start: datetime.time | None = None
    end: datetime.time | None = None

    @property
    def times(self) -> str:
        """«08:30–09:15» from the class's bells ("" without them)."""
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.lesson.status == LessonStatus.CANCELLED

    @property
    def is_moved_here(self) -> bool:
        return self.lesson.origin_date is not None and not self.moved_away

    @property
    def slot(self) -> int:
        if self.moved_away and self.lesson.origin_slot is not None:
            return self.lesson.origin_slot
        return self.lesson.slot

    @property
    def homework(self) -> Homework | None:
        return getattr(self.lesson, "homework", None)

    @property
    def substitution(self) -> Substitution | None:
        return getattr(self.lesson, "substitution", None)


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


def _slot_times(class_group: ClassGroup) -> dict[int, tuple[datetime.time, datetime.time]]:
    schedule = bell_schedule_for(class_group)
    if schedule is None:
        return {}
    return {s.number: (s.start, s.end) for s in BellSlot.objects.filter(schedule=schedule)}


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
    lessons = list(
        Lesson.objects.filter(student_course_filter(student, class_ids))
        .filter(Q(date__gte=monday, date__lte=sunday) | Q(origin_date__gte=monday, origin_date__lte=sunday))
        # Only what the day card shows: a wide JOIN (teachers, the absent one) costs more than it reads.
        .select_related("course__subject", "course__subgroup", "room", "homework", "substitution__substitute")
        .order_by("date", "slot")
    )
    # Only the lessons of the days the student was in that class: an arrival mid-week sees their days only.
    entries: list[tuple[datetime.date, DiaryLesson]] = []
    for lesson in lessons:
        for shown_on, moved_away in ((lesson.date, False), (lesson.origin_date, True)):
            if shown_on is None or not (monday <= shown_on <= sunday):
                continue
            enrolment = enrolment_on(enrolments, shown_on)
            if enrolment is None or enrolment.class_group_id != lesson.course.class_group_id:
                continue
            entries.append((shown_on, DiaryLesson(lesson=lesson, moved_away=moved_away)))
    lesson_ids = {entry.lesson.pk for _day, entry in entries}

    files: dict[int, list[HomeworkFile]] = defaultdict(list)
    for row in HomeworkFile.objects.filter(homework__lesson_id__in=lesson_ids).order_by("pk"):
        files[row.homework_id].append(row)
    marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in (
        Mark.objects.filter(student=student, lesson_id__in=lesson_ids).select_related("work_type").order_by("position")
    ):
        marks[mark.lesson_id].append(mark)
    attendance = {a.lesson_id: a for a in Attendance.objects.filter(student=student, lesson_id__in=lesson_ids)}
    reasons: dict[int, str] = {}
    for change in LessonChange.objects.filter(
        lesson_id__in=lesson_ids, kind__in=[LessonChangeKind.CANCEL, LessonChangeKind.MOVE]
    ).order_by("created_at", "pk"):
        reasons[change.lesson_id] = change.reason
    policy = policy_for(school, monday)
    times = _slot_times(class_group)

    by_day: dict[datetime.date, list[DiaryLesson]] = defaultdict(list)
    for shown_on, entry in entries:
        lesson = entry.lesson
        homework = getattr(lesson, "homework", None)
        if homework is not None:
            entry.files = files.get(homework.pk, [])
        entry.marks = marks.get(lesson.pk, [])
        absence = attendance.get(lesson.pk)
        if absence is not None:
            entry.attendance_letter = attendance_letter(policy, absence.status, absence.reason)
            entry.attendance_reason = str(absence.get_reason_display())
        entry.change_reason = reasons.get(lesson.pk, "")
        entry.start, entry.end = times.get(entry.slot, (None, None))
        by_day[shown_on].append(entry)

    holidays = list(
        Holiday.objects.filter(year_id=class_group.year_id, start__lte=sunday, end__gte=monday).order_by("start")
    )
    events = events_between(school, class_ids, monday, sunday)
    days = []
    for d in dates:
        holiday = next((h.name for h in holidays if h.start <= d <= h.end), "")
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
