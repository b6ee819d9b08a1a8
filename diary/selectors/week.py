"""A student's week: each day's lessons with everything a parent reads (§2.9, §3.10), one read model for
the diary's week page and the weekly paper printout (§8.3).

:func:`student_weeks` reads the weeks of several students at once (a class's printout) in a constant
number of queries whatever the number of students, lessons and marks: enrolments, subgroup memberships,
lessons (with subject, subgroup, room, homework, substitute and the change reason), homework files,
marks (with work type), attendance, the policy, bells, holidays, events. The rules are the journal's: a
student is shown the lessons of the courses they attend on the days they attend them
(:mod:`journal.selectors.membership`: a student who moved between classes sees each class's lessons on
its own days); a cancelled lesson is shown with its reason, a moved one on its new day and, struck
through, on the day it was moved from. Each reader decides what it prints of that: the printout leaves
the cancelled and moved-away entries out.

The rows are read as values into small records holding what the day card prints, its texts (times and
room, mark titles) made here once: the card needs a few columns of seven tables, and model instances and
template lookups per lesson cost more than the queries themselves.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext

from accounts.models import User
from core.compiled import CompiledQuery, RowModel
from core.expressions import InIds
from diary.models import Event
from diary.selectors.common import enrolment_on
from diary.selectors.events import events_between
from journal.models import (
    Attendance,
    BellSchedule,
    BellSlot,
    ClassGroup,
    Course,
    Enrolment,
    GradingPolicy,
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
from journal.models.marks import short_label
from journal.selectors.grading import attendance_letter, policies_on
from journal.selectors.lessons import week_of
from journal.selectors.membership import attends_course, enrolled_between, subgroups_of


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
        detail = f"{short_label(value)} — {name}"
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
    change_reason: str  # the reason of the lesson's last cancel or move
    course_id: int = 0
    subgroup_id: int | None = None
    subject_short: str = ""  # the subject's short name ("" without one): the printout's narrow column
    absence: tuple[str, str] | None = None  # the student's attendance row: (status, reason)
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
    # The courses the student attends on some day of the week (the printout's averages), in subject order.
    courses: list[int] = field(default_factory=list)

    def entries(self) -> list[DiaryLesson]:
        """The lessons of the week as the days list them."""
        return [entry for day in self.days for entry in day.lessons]

    @property
    def previous(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)


def _week_in(prefix: str, monday: datetime.date, sunday: datetime.date) -> Q:
    """Rows of the lessons held in the week or moved away from it (``prefix``: the path to the lesson)."""
    return Q(**{f"{prefix}date__gte": monday, f"{prefix}date__lte": sunday}) | Q(
        **{f"{prefix}origin_date__gte": monday, f"{prefix}origin_date__lte": sunday}
    )


# The queries of the diary's week, on every parent's evening: compiled once per process (core.compiled).
_SLOTS = CompiledQuery(
    lambda school_id, schedule_ids: (
        BellSlot.objects.filter(
            Q(schedule_id__in=schedule_ids)
            | Q(
                schedule_id=Subquery(
                    BellSchedule.objects.filter(school_id=school_id).order_by("shift", "name").values("pk")[:1]
                )
            )
        )
        .order_by()
        .values_list("schedule_id", "number", "start", "end", "schedule__shift", "schedule__name")
    ),
    school_id=int,
    schedule_ids=list,
)
_ENROLMENT_ROW = RowModel(Enrolment, "class_group")
_ENROLMENTS = CompiledQuery(
    lambda student_ids, monday, sunday: (
        Enrolment.objects.filter(enrolled_between(monday, sunday), student_id__in=student_ids)
        .order_by("date_from", "pk")
        .values_list(*_ENROLMENT_ROW.columns)
    ),
    student_ids=list,
    monday=datetime.date,
    sunday=datetime.date,
)
# The files of the week's homework, by the homework's ids: no lesson is read again.
_FILES = CompiledQuery(
    lambda homework_ids: (
        HomeworkFile.objects.filter(homework_id__in=homework_ids)
        .order_by("pk")
        .values_list("homework_id", "pk", "original_name")
    ),
    homework_ids=list,
)
# The students' marks and absences on the week's lessons, by the lessons' ids: the rows of the week only,
# found through the cell's index (lesson, student), whatever the years of marks the students have.
_MARKS = CompiledQuery(
    lambda student_ids, lesson_ids: (
        Mark.objects.filter(lesson_id__in=lesson_ids, student_id__in=student_ids)
        .order_by("position")
        .values_list("student_id", "lesson_id", "value", "work_type_id", "work_type__name", "comment")
    ),
    student_ids=list,
    lesson_ids=list,
)
_ABSENCES = CompiledQuery(
    lambda student_ids, lesson_ids: (
        Attendance.objects.filter(lesson_id__in=lesson_ids, student_id__in=student_ids)
        .order_by()
        .values_list("student_id", "lesson_id", "status", "reason")
    ),
    student_ids=list,
    lesson_ids=list,
)
_HOLIDAYS = CompiledQuery(
    lambda school_id, monday, sunday: (
        Holiday.objects.filter(year__school_id=school_id, start__lte=sunday, end__gte=monday)
        .order_by("start")
        .values_list("year_id", "name", "start", "end")
    ),
    school_id=int,
    monday=datetime.date,
    sunday=datetime.date,
)


def _slot_times(schedule_ids: set[int], school: School) -> dict[int | None, dict[int, str]]:
    """«08:30–09:15» by lesson number, per bell schedule (``None``: the school's first one) (one query)."""
    rows = _SLOTS.rows(school_id=school.pk, schedule_ids=sorted(schedule_ids))
    by_schedule: dict[int | None, dict[int, str]] = defaultdict(dict)
    # The school's first schedule is among the rows and, being the first, the least by (shift, name).
    default = min(((shift, name, sid) for sid, _n, _s, _e, shift, name in rows), default=None)
    for schedule_id, number, start, end, _shift, _name in rows:
        text = f"{start:%H:%M}–{end:%H:%M}"
        by_schedule[schedule_id][number] = text
        if default is not None and schedule_id == default[2]:
            by_schedule[None][number] = text
    return by_schedule


_LESSON_COLUMNS = (
    "pk",
    "course__class_group_id",
    "course_id",
    "course__subgroup_id",
    "date",
    "slot",
    "origin_date",
    "origin_slot",
    "status",
    "topic",
    "course__subject__name",
    "course__subject__short_name",
    "course__subgroup__name",
    "room_id",
    "room__name",
    "homework__pk",
    "homework__text",
    "homework__due_date",
    "substitute",
    "change_reason",
)


def _substitute_name(substitute: dict[str, str] | str | None) -> str:
    """The short name of the substitute (``substitute`` holds the name columns, as JSON text when the row
    came through a compiled query), "" without one."""
    names: dict[str, str] | None = json.loads(substitute) if isinstance(substitute, str) else substitute
    return User(**names).short_name if names else ""


def _week_lesson_rows(
    class_ids: list[int], subgroup_ids: list[int], monday: datetime.date, sunday: datetime.date
) -> QuerySet[Lesson, Any]:
    """The lessons of the classes' whole-class courses and of the given subgroups' held in the week or moved
    away from it.

    Found from the courses' ids (:class:`core.expressions.InIds`) through the lessons' (course, date) and
    (course, origin date) indexes: the class's lessons of the week alone, not every lesson of the server's
    schools dated that week, nor the course's lessons of other weeks. With each lesson its substitute and
    the reason of its last cancel or move as scalar subqueries (one row each at most), not JOINs: joining
    them made the planner's search over the tables cost more than reading the lessons.
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
    change = (
        LessonChange.objects.filter(lesson=OuterRef("pk"), kind__in=[LessonChangeKind.CANCEL, LessonChangeKind.MOVE])
        .order_by("-created_at", "-pk")
        .values("reason")[:1]
    )
    attended = Q(subgroup__isnull=True) | Q(subgroup_id__in=subgroup_ids)
    courses = Course.objects.filter(attended, class_group_id__in=class_ids).order_by().values("pk")
    return (
        # The courses' own rows are joined by the class too: through its index, not a hash of every course.
        Lesson.objects.filter(InIds("course_id", courses), course__class_group_id__in=class_ids)
        .filter(_week_in("", monday, sunday))
        .annotate(substitute=Subquery(substitute), change_reason=Subquery(change))
        .order_by("date", "slot")
        .values_list(*_LESSON_COLUMNS)
    )


_LESSONS = CompiledQuery(
    _week_lesson_rows, class_ids=list, subgroup_ids=list, monday=datetime.date, sunday=datetime.date
)


def _week_lessons(
    class_ids: set[int], subgroup_ids: set[int], monday: datetime.date, sunday: datetime.date
) -> list[DiaryLesson]:
    """The lessons of the classes' whole-class courses and of the given subgroups' held in the week or moved
    away from it (one query)."""
    rows = _LESSONS.rows(class_ids=sorted(class_ids), subgroup_ids=sorted(subgroup_ids), monday=monday, sunday=sunday)
    return [
        DiaryLesson(
            pk=pk,
            class_group_id=class_group_id,
            course_id=course_id,
            subgroup_id=subgroup_id,
            date=date,
            lesson_slot=slot,
            origin_date=origin_date,
            origin_slot=origin_slot,
            status=status,
            topic=topic,
            subject=subject,
            subject_short=subject_short,
            subgroup=subgroup,
            room=room if room_id is not None else None,
            homework=DiaryHomework(pk=homework_id, text=text, due_date=due_date) if homework_id is not None else None,
            substitute=_substitute_name(substitute),
            change_reason=change_reason or "",
        )
        for (
            pk,
            class_group_id,
            course_id,
            subgroup_id,
            date,
            slot,
            origin_date,
            origin_slot,
            status,
            topic,
            subject,
            subject_short,
            subgroup,
            room_id,
            room,
            homework_id,
            text,
            due_date,
            substitute,
            change_reason,
        ) in rows
    ]


def student_week(student: Student, day: datetime.date) -> DiaryWeek:
    """The school week (Monday to the school's last day) holding ``day``, of one student."""
    return student_weeks([student], day)[student.pk]


def student_weeks(
    students: list[Student],
    day: datetime.date,
    *,
    policy: GradingPolicy | None = None,
    calendar: bool = True,
) -> dict[int, DiaryWeek]:
    """The weeks of ``students`` (of one school) holding ``day``, by student id, in a constant number of
    queries.

    ``policy``: the one in force on Monday if the caller has it (the attendance letters); ``calendar``:
    also the lessons' times, the holidays and the events (the paper printout prints none of them).
    """
    monday, sunday = week_of(day)
    if not students:
        return {}
    school = students[0].school
    student_ids = [s.pk for s in students]
    dates = [monday + datetime.timedelta(days=i) for i in range(school.week_days)]
    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    for row in _ENROLMENTS.rows(student_ids=student_ids, monday=monday, sunday=sunday):
        enrolment = _ENROLMENT_ROW.build(row)
        enrolments[enrolment.student_id].append(enrolment)
    memberships = subgroups_of(student_ids, monday, sunday) if enrolments else {}
    class_ids = {e.class_group_id for spans in enrolments.values() for e in spans}
    subgroup_ids = {subgroup_id for own in memberships.values() for subgroup_id in own}
    lessons = _week_lessons(class_ids, subgroup_ids, monday, sunday)
    # Each student's entries: the lessons of the courses they attend, on the days they attend them.
    entries: dict[int, list[tuple[datetime.date, DiaryLesson]]] = defaultdict(list)
    for student_id, own in enrolments.items():
        own_subgroups = memberships.get(student_id, {})
        for lesson in lessons:
            if not attends_course(lesson.subgroup_id, own_subgroups):
                continue
            for shown_on, moved_away in ((lesson.date, False), (lesson.origin_date, True)):
                if shown_on is None or not (monday <= shown_on <= sunday):
                    continue
                if not attends_course(lesson.subgroup_id, own_subgroups, shown_on):
                    continue
                holding = enrolment_on(own, shown_on)
                if holding is None or holding.class_group_id != lesson.class_group_id:
                    continue
                entries[student_id].append((shown_on, replace(lesson, moved_away=moved_away, marks=[], files=[])))
    lesson_ids = {entry.pk for own in entries.values() for _day, entry in own}
    homework_ids = {entry.homework.pk for own in entries.values() for _day, entry in own if entry.homework}

    # Files, marks and absences of the week's lessons (those of the students' entries are picked below).
    files: dict[int, list[DiaryFile]] = defaultdict(list)
    if homework_ids:
        for homework_id, pk, name in _FILES.rows(homework_ids=sorted(homework_ids)):
            files[homework_id].append(DiaryFile(pk=pk, original_name=name))
    marks: dict[tuple[int, int], list[DiaryMark]] = defaultdict(list)
    absences: dict[tuple[int, int], tuple[str, str]] = {}
    if lesson_ids:
        week_lessons = sorted(lesson_ids)
        for student_id, lesson_id, value, work_type_id, work_type, comment in _MARKS.rows(
            student_ids=student_ids, lesson_ids=week_lessons
        ):
            marks[(student_id, lesson_id)].append(_diary_mark(value, work_type_id, work_type, comment))
        for student_id, lesson_id, status, reason in _ABSENCES.rows(student_ids=student_ids, lesson_ids=week_lessons):
            absences[(student_id, lesson_id)] = (status, reason)
    # The policy gives the absences their letters, the bells the lessons their times: asked only when needed.
    if policy is None and absences:
        policy = policies_on(school, [monday])[monday]
    last_class = {sid: own[-1].class_group for sid, own in enrolments.items()}
    schedules = {c.bell_schedule_id for c in last_class.values() if c.bell_schedule_id}
    times = _slot_times(schedules, school) if entries and calendar else {}
    reason_labels = dict(Attendance._meta.get_field("reason").flatchoices)
    room_word = gettext("room")
    holidays = _HOLIDAYS.rows(school_id=school.pk, monday=monday, sunday=sunday) if calendar else []
    events = events_between(school, class_ids, monday, sunday) if class_ids and calendar else []

    weeks = {}
    for student in students:
        own = enrolments.get(student.pk, [])
        class_group = own[-1].class_group if own else None
        # The class of the week's last enrolment: a transfer mid-week shows the new class's bells.
        slot_times = times.get(class_group.bell_schedule_id if class_group else None) or times.get(None, {})
        by_day: dict[datetime.date, list[DiaryLesson]] = defaultdict(list)
        courses: dict[int, str] = {}
        for shown_on, entry in entries.get(student.pk, []):
            if entry.homework is not None:
                entry.files = files.get(entry.homework.pk, [])
            entry.marks = marks.get((student.pk, entry.pk), [])
            entry.absence = absences.get((student.pk, entry.pk))
            if entry.absence is not None and policy is not None:
                status, reason = entry.absence
                entry.attendance_letter = attendance_letter(policy, status, reason)
                entry.attendance_reason = str(reason_labels.get(reason, reason))
            entry.times = slot_times.get(entry.slot, "")
            if entry.room is None:
                entry.place = entry.times
            else:
                entry.place = (
                    f"{entry.times} · {room_word} {entry.room}" if entry.times else f"{room_word} {entry.room}"
                )
            by_day[shown_on].append(entry)
            courses.setdefault(entry.course_id, entry.subject)
        class_ids_of = {e.class_group_id for e in own}
        year_ids = {e.class_group.year_id for e in own}
        own_events = [e for e in events if e.class_group_id is None or e.class_group_id in class_ids_of] if own else []
        days = []
        for d in dates:
            holiday = next(
                (name for year_id, name, start, end in holidays if year_id in year_ids and start <= d <= end), ""
            )
            days.append(
                DiaryDay(
                    date=d,
                    enrolled=enrolment_on(own, d) is not None,
                    holiday=holiday,
                    lessons=sorted(by_day.get(d, []), key=lambda e: (e.slot, e.moved_away)),
                    events=[e for e in own_events if e.date <= d <= e.last_day],
                )
            )
        weeks[student.pk] = DiaryWeek(
            student=student,
            monday=monday,
            sunday=sunday,
            class_group=class_group,
            days=days,
            events=own_events,
            courses=sorted(courses, key=lambda course_id: (courses[course_id], course_id)),
        )
    return weeks
