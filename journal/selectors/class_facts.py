"""What the class's screens and reports read about a class over a span of days, in a constant number of
queries.

The reports (reports app), the class teacher's overview and attendance desk are built from these facts by
the functions of :mod:`journal.statistics` (the same ones the grid, the diary and the final marks call),
so a figure in a report is the figure of every other screen. Which students belong to the class and
which courses each attends is the rule of :mod:`journal.selectors.membership`; which marks and absences
count (not those of a cancelled lesson) that of :mod:`journal.selectors.marks`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import (
    Attendance,
    ClassGroup,
    Course,
    CurriculumItem,
    FinalMark,
    GradingPolicy,
    Lesson,
    Student,
    StudyPeriod,
    Subject,
)
from journal.models.marks import MarkValue, short_label
from journal.models.structure import Assessment
from journal.selectors.grading import policy_for
from journal.selectors.marks import COUNTED, LESSON_COUNTS, course_marks
from journal.selectors.membership import (
    Memberships,
    RosterEntry,
    attends_course,
    classes_rosters_between,
    subgroups_of,
)
from journal.statistics import (
    AttendanceCounts,
    Forecast,
    MarkFacts,
    Summary,
    count_attendance,
    forecast_mark,
    full_days_missed,
    summarise,
)


@dataclass(frozen=True, slots=True)
class Absence:
    """A student absent from (or late to) one lesson of the class."""

    id: int
    student_id: int
    day: datetime.date
    slot: int
    course_id: int
    status: str
    reason: str
    version: int


@dataclass
class ClassFacts:
    """A class over ``start``–``end``: its students (with the spans they were in it), its courses and the
    subjects they make, the subgroups of its students."""

    class_group: ClassGroup
    start: datetime.date
    end: datetime.date
    roster: list[RosterEntry]
    courses: list[Course]
    subgroups: dict[int, Memberships]  # student id → their subgroups over the span, with the days
    assessments: dict[int, str]  # subject id → how the curriculum assesses it in the class's grade
    hours: dict[int, Decimal] = field(default_factory=dict)  # subject id → weekly hours

    @property
    def students(self) -> list[Student]:
        return [entry.student for entry in self.roster]

    @property
    def subjects(self) -> list[Subject]:
        """The subjects of the class's courses, by name (a subject split into subgroups once)."""
        seen: dict[int, Subject] = {}
        for course in self.courses:
            seen.setdefault(course.subject_id, course.subject)
        return sorted(seen.values(), key=lambda subject: (subject.name, subject.pk))

    def assessed_subjects(self) -> list[Subject]:
        """The subjects the curriculum assesses in the class's grade (by marks or pass/fail)."""
        return [s for s in self.subjects if self.assessments.get(s.pk, Assessment.MARKS) != Assessment.NONE]

    def attends(self, student_id: int, course: Course, day: datetime.date | None = None) -> bool:
        """The student attends the course (on ``day``; without one, on some day of the span)."""
        return attends_course(course.subgroup_id, self.subgroups.get(student_id, {}), day)

    @cached_property
    def _courses_by_subject(self) -> dict[int, list[Course]]:
        by_subject: dict[int, list[Course]] = defaultdict(list)
        for course in self.courses:
            by_subject[course.subject_id].append(course)
        return by_subject

    def courses_of(self, student_id: int, subject_id: int, day: datetime.date | None = None) -> list[Course]:
        """The student's course(s) of the subject (on ``day``, or over the span): the whole class's, or their
        subgroup's."""
        return [c for c in self._courses_by_subject.get(subject_id, ()) if self.attends(student_id, c, day)]

    def narrowed(self, start: datetime.date, end: datetime.date) -> ClassFacts:
        """The same class over ``start``–``end`` (a month or a period of the span), without a query: its
        students are those in the class on some day of it."""
        roster = [e for e in self.roster if any(s <= end and (u is None or u >= start) for s, u in e.spans)]
        return replace(self, start=start, end=end, roster=roster)

    def in_class_at_end(self, entry: RosterEntry) -> bool:
        """Still in the class on the span's last day: the students a period's results count (N)."""
        return entry.attends(self.end)


def class_facts(class_group: ClassGroup, start: datetime.date, end: datetime.date) -> ClassFacts:
    """The class's facts over ``start``–``end`` (four queries: the roster, the courses, the subgroups of its
    students, the curriculum of its grade)."""
    return classes_facts([class_group], start, end)[class_group.pk]


def classes_facts(classes: list[ClassGroup], start: datetime.date, end: datetime.date) -> dict[int, ClassFacts]:
    """Class id → :func:`class_facts` of each class, in the same four queries however many classes (the
    classes of one year)."""
    ids = [c.pk for c in classes]
    rosters = classes_rosters_between(ids, start, end)
    courses: dict[int, list[Course]] = defaultdict(list)
    for course in (
        Course.objects.filter(class_group_id__in=ids).select_related("subject", "subgroup").order_by("subject__name")
    ):
        courses[course.class_group_id].append(course)
    assessments: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    hours: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    curriculum = CurriculumItem.objects.filter(
        year_id__in={c.year_id for c in classes}, grade__in={c.grade for c in classes}
    ).values_list("year_id", "grade", "subject_id", "assessment", "hours_per_week")
    for year_id, grade, subject_id, assessment, weekly in curriculum:
        assessments[(year_id, grade)][subject_id] = assessment
        hours[(year_id, grade)][subject_id] = weekly
    subgroups = subgroups_of([entry.student.pk for roster in rosters.values() for entry in roster], start, end)
    found = {}
    for class_group in classes:
        roster = rosters.get(class_group.pk, [])
        for course in courses[class_group.pk]:
            course.class_group = class_group  # the course's name reads it: no query a course
        found[class_group.pk] = ClassFacts(
            class_group=class_group,
            start=start,
            end=end,
            roster=roster,
            courses=courses[class_group.pk],
            subgroups={e.student.pk: subgroups.get(e.student.pk, {}) for e in roster},
            assessments=assessments[(class_group.year_id, class_group.grade)],
            hours=hours[(class_group.year_id, class_group.grade)],
        )
    return found


def final_values(facts: ClassFacts, kinds: list[str], periods: list[StudyPeriod]) -> dict[tuple[int, int, str], str]:
    """(student id, subject id, key) → the final mark's value, where key is a period's id as text for a
    period mark, else the kind ("year", "exam", "final"); one query."""
    wanted = Q(kind__in=kinds, period__isnull=True)
    if periods:
        wanted |= Q(period__in=periods)
    rows = FinalMark.objects.filter(wanted, course__in=[c.pk for c in facts.courses]).values_list(
        "student_id", "course__subject_id", "kind", "period_id", "value"
    )
    return {
        (student_id, subject_id, str(period_id) if period_id else kind): value
        for student_id, subject_id, kind, period_id, value in rows
    }


def marks_by_subject(facts: ClassFacts) -> dict[tuple[int, int], list[MarkFacts]]:
    """(student id, subject id) → the marks that count over the span, from the student's own course of
    the subject (one query)."""
    return _by_subject(facts, course_marks([c.pk for c in facts.courses], facts.start, facts.end))


def _by_subject(
    facts: ClassFacts, marks: dict[tuple[int, int], list[MarkFacts]]
) -> dict[tuple[int, int], list[MarkFacts]]:
    subject_of = {c.pk: c.subject_id for c in facts.courses}
    found: dict[tuple[int, int], list[MarkFacts]] = defaultdict(list)
    for (course_id, student_id), own in marks.items():
        if course_id in subject_of:
            found[(student_id, subject_of[course_id])].extend(own)
    return found


def class_absences(facts: ClassFacts) -> list[Absence]:
    """The absences and late arrivals of the class's students on the class's lessons that count over the
    span, in date and lesson order (one query)."""
    rows = (
        Attendance.objects.filter(
            COUNTED,
            lesson__course__class_group=facts.class_group,
            lesson__date__gte=facts.start,
            lesson__date__lte=facts.end,
        )
        .order_by("lesson__date", "lesson__slot", "student_id")
        .values_list(
            "pk", "student_id", "lesson__date", "lesson__slot", "lesson__course_id", "status", "reason", "version"
        )
    )
    return [Absence(*row) for row in rows]


def lessons_per_day(facts: ClassFacts) -> dict[int, dict[datetime.date, int]]:
    """Student id → day → the lessons of the class the student had that day (not cancelled, up to today):
    what a day missed whole is measured against (one query)."""
    last = min(facts.end, timezone.localdate())
    lessons = Lesson.objects.filter(
        LESSON_COUNTS, course__class_group=facts.class_group, date__gte=facts.start, date__lte=last
    ).values_list("date", "course_id")
    course_of = {c.pk: c for c in facts.courses}
    found: dict[int, dict[datetime.date, int]] = {entry.student.pk: defaultdict(int) for entry in facts.roster}
    entries = {entry.student.pk: entry for entry in facts.roster}
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for day, course_id in lessons:
        by_day[day].append(course_id)
    for day, course_ids in by_day.items():
        for student_id, entry in entries.items():
            if not entry.attends(day):
                continue
            had = sum(1 for course_id in course_ids if facts.attends(student_id, course_of[course_id], day))
            if had:
                found[student_id][day] = had
    return found


@dataclass(frozen=True, slots=True)
class StudentAttendance:
    """A student's attendance over the span: lessons missed by reason, late arrivals, days missed whole."""

    counts: AttendanceCounts
    full_days: int


def attendance_by_student(
    facts: ClassFacts, absences: list[Absence], lessons: dict[int, dict[datetime.date, int]]
) -> dict[int, StudentAttendance]:
    """Student id → their attendance over the span, from the class's absences (none read here)."""
    rows: dict[int, list[tuple[str, str]]] = defaultdict(list)
    missed: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for absence in absences:
        rows[absence.student_id].append((absence.status, absence.reason))
        if absence.status == "absent":
            missed[absence.student_id][absence.day] += 1
    return {
        entry.student.pk: StudentAttendance(
            counts=count_attendance(rows.get(entry.student.pk, [])),
            full_days=full_days_missed(lessons.get(entry.student.pk, {}), missed.get(entry.student.pk, {})),
        )
        for entry in facts.roster
    }


def period_policy(facts: ClassFacts) -> GradingPolicy:
    """The policy the span's figures are computed by: the one in force on its first day."""
    return policy_for(facts.class_group.year.school, facts.start)


def subject_summaries(facts: ClassFacts) -> dict[tuple[int, int], Summary]:
    """(student id, subject id) → the student's figures in the subject over the span (the policy of its
    first day, the minimum by the curriculum's weekly hours), for every student in a course of the
    subject (two queries: the policy, the marks)."""
    return _summaries(facts, period_policy(facts), marks_by_subject(facts))


def _summaries(
    facts: ClassFacts, policy: GradingPolicy, marks: dict[tuple[int, int], list[MarkFacts]]
) -> dict[tuple[int, int], Summary]:
    return {
        (entry.student.pk, subject.pk): summarise(
            marks.get((entry.student.pk, subject.pk), []), policy, facts.hours.get(subject.pk)
        )
        for subject in facts.assessed_subjects()
        for entry in facts.roster
        if facts.courses_of(entry.student.pk, subject.pk)
    }


def marks_shown(facts: ClassFacts) -> dict[tuple[int, int], list[str]]:
    """(student id, subject id) → the values of the marks that count over the span, in lesson order (the
    student's card; one query)."""
    return {key: [mark.value for mark in own] for key, own in marks_by_subject(facts).items()}


def absence_rows(class_group: ClassGroup, start: datetime.date, end: datetime.date) -> QuerySet[Attendance]:
    """The class's absences and late arrivals that count over ``start``–``end`` with the lesson, its
    subject, the student and who set the reason last: the rows of the attendance desk (one query)."""
    return (
        Attendance.objects.filter(
            COUNTED, lesson__course__class_group=class_group, lesson__date__gte=start, lesson__date__lte=end
        )
        .select_related("student", "author", "lesson__course__subject", "lesson__course__subgroup")
        .order_by("lesson__date", "lesson__slot", "student__last_name", "student__first_name", "pk")
    )


def class_attendance_rows(class_group: ClassGroup, ids: list[int]) -> dict[int, Attendance]:
    """Id → the attendance rows of the class's lessons among ``ids`` (with their lessons): what its desk may
    change; a row of another class is simply not found."""
    rows = Attendance.objects.filter(pk__in=ids, lesson__course__class_group=class_group).select_related("lesson")
    return {row.pk: row for row in rows}


def counted_students(facts: ClassFacts, subject: Subject) -> list[int]:
    """The students a period's results of the subject count: in the class at the period's end and in a
    course of the subject (those who left before the end are out, DESIGN.md)."""
    return [
        entry.student.pk
        for entry in facts.roster
        if facts.in_class_at_end(entry) and facts.courses_of(entry.student.pk, subject.pk, facts.end)
    ]


@dataclass(frozen=True, slots=True)
class Risk:
    """A student whose figures in a subject point to a «2» (or 1, незачёт) or to н/а (too few marks for the
    lessons left), :func:`journal.statistics.forecast_mark`."""

    student_id: int
    subject: Subject
    summary: Summary
    forecast: Forecast

    @property
    def value(self) -> str:
        return self.forecast.value

    @property
    def label(self) -> str:
        """The forecast as the report and the desk print it: «2», «н/а», «2, few marks»."""
        if self.forecast.few_marks:
            return _("%(mark)s, few marks") % {"mark": short_label(self.value)}
        return str(short_label(self.value))


RISK_VALUES = ("1", "2", MarkValue.FAIL.value, MarkValue.NOT_ATTESTED.value)


def lessons_left(facts: ClassFacts, until: datetime.date) -> dict[tuple[int, int], int]:
    """(student id, subject id) → the lessons of the student's course(s) of the subject after the span's
    last day up to ``until`` (the period's end), not cancelled: the marks a forecast may still count on
    (one query)."""
    rows = (
        Lesson.objects.filter(LESSON_COUNTS, course__in=[c.pk for c in facts.courses], date__gt=facts.end)
        .filter(date__lte=until)
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    per_course = dict(rows)
    return {
        (entry.student.pk, subject.pk): sum(
            per_course.get(c.pk, 0) for c in facts.courses_of(entry.student.pk, subject.pk, facts.end)
        )
        for subject in facts.assessed_subjects()
        for entry in facts.roster
    }


def period_forecast(facts: ClassFacts, period_end: datetime.date) -> tuple[dict[tuple[int, int], Forecast], list[Risk]]:
    """The period mark each counted student's figures point to now in each assessed subject, projected over
    the lessons left up to ``period_end`` (:func:`journal.statistics.forecast_mark`), and the students at
    risk among them: the class's forecast report and the class teacher's desk read both from here."""
    policy = period_policy(facts)
    marks = marks_by_subject(facts)
    summaries = _summaries(facts, policy, marks)
    left = lessons_left(facts, period_end)
    forecast: dict[tuple[int, int], Forecast] = {}
    risks: list[Risk] = []
    for subject in facts.assessed_subjects():
        pass_fail = facts.assessments.get(subject.pk) == Assessment.PASS_FAIL
        for sid in counted_students(facts, subject):
            key = (sid, subject.pk)
            found = forecast[key] = forecast_mark(
                marks.get(key, []), summaries[key], left.get(key, 0), pass_fail=pass_fail
            )
            if found.value in RISK_VALUES:
                risks.append(Risk(sid, subject, summaries[key], found))
    return forecast, risks
