"""The weekly paper printout of the diary (§1.10, §8.3): a class's week, one page per student.

For parents who asked for the diary on paper (``ParentLink.wants_paper_printout``) or gave no consent to
the electronic one (:func:`gets_paper`): each school day's
lessons with subject, topic and homework, the student's marks (work type, the teacher's comment:
«замечания») and attendance, and per course the weighted average of the current period up to the week's
end with the mark it rounds to under the policy in force at the period's start.

The week is the diary's own read model (:func:`diary.selectors.week.student_weeks`): the same lessons,
marks and attendance a parent reads online, of the courses the student attends on the days they attend
them; the paper leaves out the cancelled lessons and the days lessons were moved away from. The figures
are the journal's (:func:`journal.statistics.summarise` over :func:`journal.selectors.marks.course_marks`),
as the grid and the final-marks page show them. Everything for all the class's students is read in a
fixed number of queries (``tests/reports/test_printout_queries.py`` lists them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from diary.selectors.week import DiaryLesson, student_weeks
from journal.models import (
    ClassGroup,
    Enrolment,
    GradingPolicy,
    ParentLink,
    School,
    Student,
    StudyPeriod,
)
from journal.models.marks import short_label
from journal.selectors.grading import attendance_letter, marks_allowed, policies_on
from journal.selectors.marks import course_marks
from journal.selectors.membership import enrolled_between, enrolled_on
from journal.selectors.periods import period_kind_expr
from journal.statistics import MarkFacts, count_attendance, summarise

# How the printout writes the non-numeric marks.

# Longer texts are cut here already; the template cuts further to fit the page (reports.printouts).
MAX_CHARS = 300


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the week holding ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def week_label(monday: datetime.date) -> str:
    """«30 ноября – 6 декабря 2026 г.» (the month in the genitive) in the active language."""
    sunday = monday + datetime.timedelta(days=6)
    if monday.year != sunday.year:
        start = date_format(monday, "j E Y")
        end = date_format(sunday, "j E")
    elif monday.month != sunday.month:
        start, end = date_format(monday, "j E"), date_format(sunday, "j E")
    else:
        start, end = date_format(monday, "j"), date_format(sunday, "j E")
    return _("%(start)s – %(end)s %(year)s") % {"start": start, "end": end, "year": sunday.year}


def week_short_label(monday: datetime.date) -> str:
    """«30.11–06.12.2026», for file names."""
    sunday = monday + datetime.timedelta(days=6)
    return f"{monday:%d.%m}–{sunday:%d.%m.%Y}"


def gets_paper(prefix: str = "") -> Q:
    """Active parent links whose family gets the weekly paper printout (§8.3): asked for it, or without the
    consent to personal-data processing that the electronic diary needs (§1.9). ``prefix``: the path from
    the queried model ("student__parent_links__")."""
    # The link must exist: through a join, a student without parents has NULLs that would match.
    return Q(**{f"{prefix}id__isnull": False, f"{prefix}ended_at__isnull": True}) & (
        Q(**{f"{prefix}wants_paper_printout": True}) | Q(**{f"{prefix}consent_given_at__isnull": True})
    )


def printout_students(class_group: ClassGroup, monday: datetime.date) -> list[Student]:
    """Students of the class at some day of the week whose parent (active link) asked for the printout."""
    sunday = monday + datetime.timedelta(days=6)
    flagged = ParentLink.objects.filter(gets_paper(), student=OuterRef("pk"))
    in_class = Enrolment.objects.filter(
        enrolled_between(monday, sunday),
        student=OuterRef("pk"),
        class_group=class_group,
    )
    return list(
        Student.objects.filter(Exists(flagged), Exists(in_class)).order_by("last_name", "first_name", "middle_name")
    )


def class_students_in_week(class_group: ClassGroup, monday: datetime.date) -> list[Student]:
    """Every student of the class at some day of the week (the benchmark's --all-students)."""
    sunday = monday + datetime.timedelta(days=6)
    in_class = Enrolment.objects.filter(
        enrolled_between(monday, sunday),
        student=OuterRef("pk"),
        class_group=class_group,
    )
    return list(Student.objects.filter(Exists(in_class)).order_by("last_name", "first_name", "middle_name"))


def classes_with_printouts(school: School | None, monday: datetime.date) -> list[ClassGroup]:
    """Classes of the school's current year with a printout student in the week (one query)."""
    sunday = monday + datetime.timedelta(days=6)
    flagged = Enrolment.objects.filter(
        enrolled_between(monday, sunday),
        gets_paper("student__parent_links__"),
        class_group=OuterRef("pk"),
    )
    classes = ClassGroup.objects.filter(Exists(flagged), year__is_current=True)
    if school is not None:
        classes = classes.filter(year__school=school)
    return list(classes.select_related("year__school").order_by("year__school_id", "grade", "letter"))


@dataclass
class MarkCell:
    value: str
    work_type: str
    comment: str


@dataclass
class LessonLine:
    lesson: DiaryLesson  # the week's entry: its date and lesson number
    subject: str
    topic: str
    homework: str
    due: datetime.date | None = None
    marks: list[MarkCell] = field(default_factory=list)
    attendance: str = ""


@dataclass
class DayBlock:
    date: datetime.date
    lessons: list[LessonLine] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return max(1, len(self.lessons))


@dataclass
class SubjectAverage:
    course_id: int
    subject: str
    average: Decimal | None
    suggested: str
    marks_count: int


@dataclass
class StudentPage:
    student: Student
    days: list[DayBlock]
    averages: list[SubjectAverage]
    marks_count: int = 0
    absent: int = 0
    absent_by_reason: list[tuple[str, int]] = field(default_factory=list)  # (letter, lessons): Б, УП, НП, Н
    late: int = 0


@dataclass
class WeeklyPrintout:
    school: School
    class_group: ClassGroup
    class_teacher: User | None
    monday: datetime.date
    sunday: datetime.date
    week_label: str
    period: StudyPeriod | None
    averages_until: datetime.date | None
    marks_given: bool
    letters: dict[str, str]
    pages: list[StudentPage]


def _period_of_week(class_group: ClassGroup, monday: datetime.date, sunday: datetime.date) -> StudyPeriod | None:
    """The grade's period the week lies in (the later one if it spans two), ``None`` in the holidays."""
    kind = period_kind_expr(class_group.year_id, class_group.grade)
    return (
        StudyPeriod.objects.filter(year_id=class_group.year_id, kind=kind, start__lte=sunday, end__gte=monday)
        .order_by("-start")
        .first()
    )


def _letters(policy: GradingPolicy) -> dict[str, str]:
    return {
        "absent": policy.letter_absent,
        "illness": policy.letter_illness,
        "excused": policy.letter_excused,
        "unexcused": policy.letter_unexcused,
        "late": policy.letter_late,
    }


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(MAX_CHARS)


def _school_days(monday: datetime.date, week_days: int) -> list[datetime.date]:
    return [monday + datetime.timedelta(days=n) for n in range(week_days)]


def weekly_printout(
    class_group: ClassGroup,
    monday: datetime.date,
    *,
    students: list[Student] | None = None,
) -> WeeklyPrintout:
    """The printout of the class's week; ``students`` default to the printout students of the week.

    ``monday`` may be any day of the week.
    """
    monday, sunday = week_bounds(monday)
    class_group = ClassGroup.objects.select_related("year__school", "class_teacher").get(pk=class_group.pk)
    school = class_group.year.school
    if students is None:
        students = printout_students(class_group, monday)
    for student in students:
        student.school = school  # the week reader reads the school of its students: no query each
    period = _period_of_week(class_group, monday, sunday)
    policies = policies_on(school, [monday] + ([period.start] if period is not None else []))
    week_policy = policies[monday]
    period_policy = policies[period.start] if period is not None else week_policy
    until = min(sunday, period.end) if period is not None else None
    weeks = student_weeks(students, monday, policy=week_policy, calendar=False)
    course_ids = {course_id for week in weeks.values() for course_id in week.courses}
    marks: dict[tuple[int, int], list[MarkFacts]] = {}
    if period is not None and until is not None and course_ids:
        marks = course_marks(course_ids, period.start, until, student_ids=[s.pk for s in students])
    letters = _letters(week_policy)

    days = _school_days(monday, school.week_days)
    pages = []
    for student in students:
        week = weeks[student.pk]
        page = StudentPage(student=student, days=[DayBlock(date=day) for day in days], averages=[])
        by_day = {block.date: block for block in page.days}
        shown: list[DiaryLesson] = []
        for day in week.days:
            for entry in day.lessons:
                if entry.muted or day.date not in by_day:  # cancelled, or moved away from this day
                    continue
                shown.append(entry)
                homework = entry.homework
                by_day[day.date].lessons.append(
                    LessonLine(
                        lesson=entry,
                        subject=entry.subject_short or entry.subject,
                        topic=_short(entry.topic),
                        homework=_short(homework.text) if homework is not None else "",
                        due=homework.due_date if homework is not None else None,
                        marks=[
                            MarkCell(
                                value=short_label(m.value),
                                work_type=m.work_type,
                                comment=_short(m.comment),
                            )
                            for m in entry.marks
                        ],
                        attendance=attendance_letter(week_policy, *entry.absence) if entry.absence else "",
                    )
                )
        attendance = count_attendance(entry.absence for entry in shown if entry.absence)
        page.marks_count = sum(len(entry.marks) for entry in shown)
        page.absent, page.late = attendance.missed, attendance.late
        page.absent_by_reason = [
            (attendance_letter(week_policy, "absent", reason), n) for reason, n in attendance.by_reason() if n
        ]
        subjects = {entry.course_id: entry.subject_short or entry.subject for entry in week.entries()}
        for course_id in week.courses:
            summary = summarise(marks.get((course_id, student.pk), []), period_policy, None)
            page.averages.append(
                SubjectAverage(
                    course_id=course_id,
                    subject=subjects[course_id],
                    average=summary.average,
                    suggested=summary.suggested,
                    marks_count=summary.count,
                )
            )
        pages.append(page)

    return WeeklyPrintout(
        school=school,
        class_group=class_group,
        class_teacher=class_group.class_teacher,
        monday=monday,
        sunday=sunday,
        week_label=week_label(monday),
        period=period,
        averages_until=until,
        marks_given=marks_allowed(period_policy, class_group.grade),
        letters=letters,
        pages=pages,
    )


def student_class_in_week(student: Student, monday: datetime.date) -> ClassGroup | None:
    """The class the student was in during the week (the latest enrolment if they moved), ``None`` if none."""
    monday, sunday = week_bounds(monday)
    enrolment = (
        Enrolment.objects.filter(enrolled_between(monday, sunday), student=student)
        .select_related("class_group")
        .order_by("-date_from")
        .first()
    )
    return enrolment.class_group if enrolment is not None else None


def printout_students_today(class_group: ClassGroup, day: datetime.date) -> list[tuple[Student, list[ParentLink]]]:
    """The class's students today whose parents get the printout, with those parents' links (two queries)."""
    students = list(
        Student.objects.filter(
            Exists(Enrolment.objects.filter(enrolled_on(day), student=OuterRef("pk"), class_group=class_group)),
            Exists(ParentLink.objects.filter(gets_paper(), student=OuterRef("pk"))),
        ).order_by("last_name", "first_name", "middle_name")
    )
    links: dict[int, list[ParentLink]] = defaultdict(list)
    for link in ParentLink.objects.filter(gets_paper(), student__in=[s.pk for s in students]).select_related("parent"):
        links[link.student_id].append(link)
    return [(student, links[student.pk]) for student in students]
