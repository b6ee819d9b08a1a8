"""The weekly paper printout of the diary (§1.10, §8.3): a class's week, one page per student.

For parents who asked for the diary on paper (``ParentLink.wants_paper_printout``):
each school day's lessons with subject, topic and homework, the student's marks
(work type, the teacher's comment: «замечания») and attendance, and per subject
the weighted average of the current period up to the week's end with the mark it
rounds to under the policy in force at the period's start (as
:func:`journal.selectors.periods.period_summary` computes it).

Everything for all the class's students is read in a fixed number of queries
(``tests/reports/test_printout_queries.py`` lists them); nothing is read per
student or per lesson.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import (
    Attendance,
    ClassGroup,
    Course,
    Enrolment,
    GradingPolicy,
    Lesson,
    Mark,
    ParentLink,
    School,
    Student,
    StudyPeriod,
    Subgroup,
)
from journal.models.planning import LessonStatus
from journal.selectors.grading import attendance_letter, marks_allowed, policy_for
from journal.selectors.periods import period_kind_for_grade
from journal.selectors.scope import enrolled_on
from journal.statistics import suggested_mark, weighted_average

# How the printout writes the non-numeric marks.
MARK_LABELS = {"зч": "зач.", "нз": "незач.", "на": "н/а", "осв": "осв."}

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


def printout_students(class_group: ClassGroup, monday: datetime.date) -> list[Student]:
    """Students of the class at some day of the week whose parent (active link) asked for the printout."""
    sunday = monday + datetime.timedelta(days=6)
    flagged = ParentLink.objects.filter(student=OuterRef("pk"), ended_at__isnull=True, wants_paper_printout=True)
    in_class = Enrolment.objects.filter(
        Q(date_to__isnull=True) | Q(date_to__gte=monday),
        student=OuterRef("pk"),
        class_group=class_group,
        date_from__lte=sunday,
    )
    return list(
        Student.objects.filter(Exists(flagged), Exists(in_class)).order_by("last_name", "first_name", "middle_name")
    )


def class_students_in_week(class_group: ClassGroup, monday: datetime.date) -> list[Student]:
    """Every student of the class at some day of the week (the benchmark's --all-students)."""
    sunday = monday + datetime.timedelta(days=6)
    in_class = Enrolment.objects.filter(
        Q(date_to__isnull=True) | Q(date_to__gte=monday),
        student=OuterRef("pk"),
        class_group=class_group,
        date_from__lte=sunday,
    )
    return list(Student.objects.filter(Exists(in_class)).order_by("last_name", "first_name", "middle_name"))


def classes_with_printouts(school: School | None, monday: datetime.date) -> list[ClassGroup]:
    """Classes of the school's current year with a printout student in the week (one query)."""
    sunday = monday + datetime.timedelta(days=6)
    flagged = Enrolment.objects.filter(
        Q(date_to__isnull=True) | Q(date_to__gte=monday),
        class_group=OuterRef("pk"),
        date_from__lte=sunday,
        student__parent_links__ended_at__isnull=True,
        student__parent_links__wants_paper_printout=True,
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
    lesson: Lesson
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
    absent_illness: int = 0
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
    kind = period_kind_for_grade(class_group.year, class_group.grade)
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


def _enrolled_days(enrolments: Iterable[Enrolment], days: list[datetime.date]) -> set[datetime.date]:
    return {
        day
        for enrolment in enrolments
        for day in days
        if enrolment.date_from <= day and (enrolment.date_to is None or day <= enrolment.date_to)
    }


def weekly_printout(
    class_group: ClassGroup,
    monday: datetime.date,
    *,
    students: list[Student] | None = None,
) -> WeeklyPrintout:
    """The printout of the class's week; ``students`` default to the printout students of the week.

    ``monday`` may be any day of the week. A student is shown the lessons of the days they were
    enrolled in the class, and of a subgroup course only if they are its member.
    """
    monday, sunday = week_bounds(monday)
    class_group = ClassGroup.objects.select_related("year__school", "class_teacher").get(pk=class_group.pk)
    school = class_group.year.school
    if students is None:
        students = printout_students(class_group, monday)
    student_ids = [student.pk for student in students]
    week_policy = policy_for(school, monday)
    period = _period_of_week(class_group, monday, sunday)
    until = min(sunday, period.end) if period is not None else None
    period_policy = policy_for(school, period.start) if period is not None else week_policy

    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in Enrolment.objects.filter(
        Q(date_to__isnull=True) | Q(date_to__gte=monday),
        class_group=class_group,
        date_from__lte=sunday,
        student_id__in=student_ids,
    ):
        enrolments[enrolment.student_id].append(enrolment)
    courses = list(
        Course.objects.filter(class_group=class_group).select_related("subject").order_by("subject__name", "pk")
    )
    members: dict[int, set[int]] = defaultdict(set)  # subgroup → students
    for subgroup_id, student_id in Subgroup.members.through.objects.filter(
        subgroup__class_group=class_group, student_id__in=student_ids
    ).values_list("subgroup_id", "student_id"):
        members[subgroup_id].add(student_id)
    lessons = list(
        Lesson.objects.filter(course__class_group=class_group, date__gte=monday, date__lte=sunday)
        .exclude(status=LessonStatus.CANCELLED)
        .select_related("course__subject", "homework")
        .order_by("date", "slot", "course__subject__name", "pk")
    )
    week_marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for mark in (
        Mark.objects.filter(
            lesson__course__class_group=class_group,
            lesson__date__gte=monday,
            lesson__date__lte=sunday,
            student_id__in=student_ids,
        )
        .select_related("work_type")
        .order_by("lesson_id", "position")
    ):
        week_marks[(mark.lesson_id, mark.student_id)].append(mark)
    attendance = {
        (row.lesson_id, row.student_id): row
        for row in Attendance.objects.filter(
            lesson__course__class_group=class_group,
            lesson__date__gte=monday,
            lesson__date__lte=sunday,
            student_id__in=student_ids,
        )
    }
    period_marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)  # (student, subject) → marks
    if period is not None and until is not None:
        # Marks of the period so far in any class (a student who moved keeps theirs), not of cancelled lessons.
        for mark in (
            Mark.objects.filter(student_id__in=student_ids, lesson__date__gte=period.start, lesson__date__lte=until)
            .exclude(lesson__status=LessonStatus.CANCELLED)
            .annotate(subject_id=F("lesson__course__subject_id"))
            .only("value", "weight", "student_id")
        ):
            period_marks[(mark.student_id, mark.subject_id)].append(mark)  # type: ignore[attr-defined]

    days = _school_days(monday, school.week_days)
    pages = []
    for student in students:
        own_days = _enrolled_days(enrolments.get(student.pk, []), days)
        own_courses = [c for c in courses if c.subgroup_id is None or student.pk in members.get(c.subgroup_id, set())]
        own_course_ids = {c.pk for c in own_courses}
        page = StudentPage(student=student, days=[DayBlock(date=day) for day in days], averages=[])
        by_day = {block.date: block for block in page.days}
        for lesson in lessons:
            if lesson.course_id not in own_course_ids or lesson.date not in own_days:
                continue
            marks = week_marks.get((lesson.pk, student.pk), [])
            absence = attendance.get((lesson.pk, student.pk))
            homework = getattr(lesson, "homework", None)
            homework_text = ""
            if homework is not None:
                homework_text = _short(homework.text)
            line = LessonLine(
                lesson=lesson,
                subject=lesson.course.subject.short_name or lesson.course.subject.name,
                topic=_short(lesson.topic),
                homework=homework_text,
                due=homework.due_date if homework is not None else None,
                marks=[
                    MarkCell(
                        value=MARK_LABELS.get(mark.value, mark.value),
                        work_type=mark.work_type.name if mark.work_type is not None else "",
                        comment=_short(mark.comment),
                    )
                    for mark in marks
                ],
                attendance=attendance_letter(week_policy, absence.status, absence.reason) if absence else "",
            )
            page.marks_count += len(marks)
            if absence is not None:
                if absence.status == "late":
                    page.late += 1
                else:
                    page.absent += 1
                    page.absent_illness += absence.reason == "illness"
            by_day[lesson.date].lessons.append(line)
        seen_subjects: set[int] = set()
        for course in own_courses:
            if course.subject_id in seen_subjects:
                continue
            seen_subjects.add(course.subject_id)
            own_marks = period_marks.get((student.pk, course.subject_id), [])
            average = weighted_average(own_marks)
            page.averages.append(
                SubjectAverage(
                    subject=course.subject.short_name or course.subject.name,
                    average=average,
                    suggested=suggested_mark(average, period_policy),
                    marks_count=len(own_marks),
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
        letters=_letters(week_policy),
        pages=pages,
    )


def student_class_in_week(student: Student, monday: datetime.date) -> ClassGroup | None:
    """The class the student was in during the week (the latest enrolment if they moved), ``None`` if none."""
    monday, sunday = week_bounds(monday)
    enrolment = (
        Enrolment.objects.filter(
            Q(date_to__isnull=True) | Q(date_to__gte=monday), student=student, date_from__lte=sunday
        )
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
            Exists(ParentLink.objects.filter(student=OuterRef("pk"), ended_at__isnull=True, wants_paper_printout=True)),
        ).order_by("last_name", "first_name", "middle_name")
    )
    links: dict[int, list[ParentLink]] = defaultdict(list)
    for link in ParentLink.objects.filter(
        student__in=[s.pk for s in students], ended_at__isnull=True, wants_paper_printout=True
    ).select_related("parent"):
        links[link.student_id].append(link)
    return [(student, links[student.pk]) for student in students]
