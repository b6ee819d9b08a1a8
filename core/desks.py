"""What each role's home page (the desk) shows: today's work, read in a fixed number of queries.

- The teacher: their lessons today and this week (substitutions given to them included), each with
  what is left to fill; the figures come from the monitoring's rule of a lesson's filling
  (:func:`monitoring.selectors.with_filling`), so the desk and the deputy's monitoring agree.
- The class teacher: their class at a glance: absences today, unexcused this week, students at risk
  (:func:`journal.selectors.class_facts.period_forecast`, the rule of the class's forecast report).
- The deputy and the director: the school's day: lessons cancelled, moved or substituted, the week's
  journal filling, the deadlines of final marks.
- The parent of several children: each child's week side by side (the diary's read model).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors.logins import never_signed_in
from diary.selectors.week import DiaryLesson, DiaryWeek, student_weeks
from journal.models import AcademicYear, ClassGroup, Lesson, LessonKind, LessonStatus, School, Student, StudyPeriod
from journal.models.planning import Substitution
from journal.selectors.class_facts import (
    Risk,
    attendance_by_student,
    class_absences,
    class_facts,
    lessons_per_day,
    period_forecast,
)
from journal.selectors.grading import policy_for
from journal.selectors.lessons import week_of
from journal.selectors.periods import default_period, grade_periods
from journal.services.marks import late_deadline
from monitoring.selectors import MissingFinals, TeacherWeek, missing_finals, teacher_weeks, with_filling

# The kinds of lesson whose written work is marked: such a lesson without marks has them still to come.
MARKED_WORK = (LessonKind.TEST, LessonKind.LAB, LessonKind.PRACTICAL, LessonKind.DICTATION, LessonKind.ESSAY)

TODO_LABELS = {
    "attendance": _("attendance"),
    "topic": _("topic"),
    "homework": _("homework"),
    "marks": _("marks of the work"),
}


@dataclass(frozen=True)
class DeskLesson:
    """One of the teacher's lessons and what is left to fill in it (nothing for a lesson still ahead)."""

    lesson: Lesson
    substitution: Substitution | None  # the lesson is given to the teacher as a substitute
    todo: tuple[str, ...]  # codes of TODO_LABELS
    marks_overdue: bool  # a marked work whose marks are past their term (§4.4)

    @property
    def todo_labels(self) -> list[str]:
        return [str(TODO_LABELS[code]) for code in self.todo]

    @property
    def cancelled(self) -> bool:
        return self.lesson.status == LessonStatus.CANCELLED


def _lesson_todo(lesson: Lesson, today: datetime.date, deadline: datetime.date) -> tuple[tuple[str, ...], bool]:
    if lesson.status == LessonStatus.CANCELLED or lesson.date > today:
        return (), False
    todo = []
    if not (lesson.attendance_taken_at or lesson.has_attendance):  # type: ignore[attr-defined]
        todo.append("attendance")
    if not lesson.topic:
        todo.append("topic")
    if not lesson.has_homework:  # type: ignore[attr-defined]
        todo.append("homework")
    no_marks = lesson.kind in MARKED_WORK and not lesson.marks_count  # type: ignore[attr-defined]
    if no_marks:
        todo.append("marks")
    return tuple(todo), no_marks and deadline < today


def teacher_lessons(user: User, school: School, start: datetime.date, end: datetime.date) -> list[DeskLesson]:
    """The lessons ``user`` gives ``start``–``end`` (theirs and those they substitute), in time order, with
    what is left to fill in each (one query, and the policy's)."""
    today = timezone.localdate()
    lessons = (
        with_filling(Lesson.objects.filter(teacher=user, date__gte=start, date__lte=end))
        .filter(course__class_group__year__school=school)
        .select_related(
            "course__class_group", "course__subject", "course__subgroup", "room", "substitution__absent_teacher"
        )
        .annotate(marks_count=Count("marks"))
        .order_by("date", "slot")
    )
    policy = policy_for(school, today)
    found = []
    for lesson in lessons:
        substitution = getattr(lesson, "substitution", None)
        if substitution is not None and substitution.substitute_id != user.pk:
            substitution = None
        todo, overdue = _lesson_todo(lesson, today, late_deadline(lesson, policy))
        found.append(DeskLesson(lesson, substitution, todo, overdue))
    return found


# --- The class teacher's class --------------------------------------------------------------------------------


@dataclass
class ClassAtGlance:
    class_group: ClassGroup
    absent_today: list[Student] = field(default_factory=list)
    unexcused_week: list[tuple[Student, int]] = field(default_factory=list)  # lessons missed without excuse
    unconfirmed_week: int = 0  # absences whose reason the class teacher has still to confirm (§4.3)
    period: StudyPeriod | None = None
    at_risk: list[tuple[Student, list[Risk]]] = field(default_factory=list)


def class_at_glance(class_group: ClassGroup, today: datetime.date) -> ClassAtGlance:
    """The class's absences today and this week and the students at risk in the current period."""
    monday, sunday = week_of(today)
    facts = class_facts(class_group, monday, sunday)
    students = {entry.student.pk: entry.student for entry in facts.roster}
    absences = class_absences(facts)
    glance = ClassAtGlance(class_group)
    absent_ids = sorted({a.student_id for a in absences if a.day == today and a.status == "absent"})
    glance.absent_today = sorted((students[i] for i in absent_ids if i in students), key=lambda s: s.short_name)
    by_student = attendance_by_student(facts, absences, lessons_per_day(facts))
    for sid, attendance in by_student.items():
        glance.unconfirmed_week += attendance.counts.unknown
        if attendance.counts.unexcused:
            glance.unexcused_week.append((students[sid], attendance.counts.unexcused))
    glance.unexcused_week.sort(key=lambda row: (-row[1], row[0].short_name))
    glance.period = default_period(grade_periods(class_group.year_id, class_group.grade), today)
    if glance.period is not None and glance.period.start <= today:
        last = min(glance.period.end, today)
        period_facts = class_facts(class_group, glance.period.start, last)
        _forecast, risks = period_forecast(period_facts, glance.period.end)
        names = {entry.student.pk: entry.student for entry in period_facts.roster}
        risks_of: dict[int, list[Risk]] = {}
        for risk in risks:
            risks_of.setdefault(risk.student_id, []).append(risk)
        glance.at_risk = sorted(
            ((names[sid], sorted(found, key=lambda r: r.subject.name)) for sid, found in risks_of.items()),
            key=lambda row: row[0].short_name,
        )
    return glance


# --- The school's day (deputy, director) ---------------------------------------------------------------------


@dataclass
class SchoolDay:
    day: datetime.date
    lessons: int = 0
    cancelled: list[Lesson] = field(default_factory=list)
    moved: list[Lesson] = field(default_factory=list)  # moved to today from another day or lesson
    substitutions: list[Substitution] = field(default_factory=list)
    week: TeacherWeek | None = None  # the whole school's filling of the week so far
    teachers_behind: int = 0  # teachers with something left to fill this week
    finals: list[MissingFinals] = field(default_factory=list)


def school_day(school: School, year: AcademicYear, today: datetime.date) -> SchoolDay:
    """Today's lessons of the school and what changed in them, the week's filling, the final marks due."""
    day = SchoolDay(today)
    todays = Lesson.objects.filter(course__class_group__year=year, date=today)
    day.lessons = todays.exclude(status=LessonStatus.CANCELLED).count()
    related = ("course__class_group", "course__subject", "course__subgroup", "teacher")
    day.cancelled = list(
        todays.filter(status=LessonStatus.CANCELLED).select_related(*related).order_by("slot", "course__class_group")
    )
    day.moved = list(
        todays.exclude(status=LessonStatus.CANCELLED)
        .filter(~Q(origin_date=None) & (~Q(origin_date=today) | ~Q(origin_slot=None)))
        .select_related(*related)
        .order_by("slot", "course__class_group")
    )
    day.substitutions = list(
        Substitution.objects.filter(lesson__in=todays)
        .select_related(
            "lesson__course__class_group", "lesson__course__subject", "lesson__course__subgroup", "substitute"
        )
        .order_by("lesson__slot", "lesson__course__class_group")
    )
    monday, _sunday = week_of(today)
    weeks = teacher_weeks(year, monday, today, today)
    total = TeacherWeek(0)
    for week in weeks:
        for name in ("due", "held", "no_topic", "no_homework", "no_attendance", "marks", "late_marks"):
            setattr(total, name, getattr(total, name) + getattr(week, name))
        day.teachers_behind += bool(week.findings)
    day.week = total
    day.finals = missing_finals(year, today)
    return day


# --- A parent's children ----------------------------------------------------------------------------------------


@dataclass
class ChildWeek:
    """A child's week so far, as the diary has it: marks, absences, the next homework."""

    student: Student
    week: DiaryWeek
    marks: list[tuple[DiaryLesson, str]] = field(default_factory=list)  # (lesson, mark) in date order
    absences: list[DiaryLesson] = field(default_factory=list)
    homework: list[DiaryLesson] = field(default_factory=list)  # due from today on


def children_weeks(children: list[Student], today: datetime.date) -> list[ChildWeek]:
    """Each child's week holding ``today`` (the diary's read model, a constant number of queries)."""
    weeks = student_weeks(children, today)
    found = []
    for child in children:
        week = weeks[child.pk]
        row = ChildWeek(child, week)
        for lesson in week.entries():
            row.marks.extend((lesson, mark.value) for mark in lesson.marks)
            if lesson.absence is not None:
                row.absences.append(lesson)
            if lesson.homework is not None and (lesson.homework.due_date or lesson.date) >= today:
                row.homework.append(lesson)
        row.homework.sort(key=lambda lesson: (lesson.homework.due_date or lesson.date, lesson.slot))  # type: ignore[union-attr]
        found.append(row)
    return found


# --- The administrator ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    total: int
    never_logged_in: int  # issued and not used yet: the families still to reach in September
    inactive: int


def school_accounts(school: School) -> Accounts:
    """The school's accounts: how many, how many never used, how many disabled (one query)."""
    counts = User.objects.filter(memberships__school=school).aggregate(
        total=Count("pk", distinct=True),
        never=Count("pk", filter=never_signed_in() & Q(is_active=True), distinct=True),
        inactive=Count("pk", filter=Q(is_active=False), distinct=True),
    )
    return Accounts(counts["total"], counts["never"], counts["inactive"])
