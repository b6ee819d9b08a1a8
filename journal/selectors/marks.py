"""Which marks count, and reading them for :mod:`journal.statistics`.

A mark counts towards a student's figures unless its lesson was cancelled (the lesson did not take
place). A lesson that carries marks or attendance cannot be cancelled
(:func:`journal.services.lessons.lesson_cancel`), so this only keeps older data out; every screen reads
through :data:`COUNTED` or :func:`counts`, and they agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q

from core.compiled import CompiledQuery
from journal.models import Course, CurriculumItem, GradingPolicy, LessonStatus, Mark
from journal.selectors.grading import policy_for
from journal.statistics import NOT_ASSESSED, MarkFacts, Summary, summarise

# The same rule twice, for SQL and for rows already read: a mark of a cancelled lesson does not count.
COUNTED = ~Q(lesson__status=LessonStatus.CANCELLED)
# The same for a query of the lessons themselves (the lessons a student had on a day).
LESSON_COUNTS = ~Q(status=LessonStatus.CANCELLED)
# :func:`journal.statistics.assessing_count` in SQL: the marks that count and assess (not н/а, not осв.).
ASSESSING = COUNTED & ~Q(value__in=sorted(NOT_ASSESSED))


def counts(lesson_status: str) -> bool:
    return lesson_status != LessonStatus.CANCELLED


def course_marks(
    course_ids: Iterable[int],
    start: datetime.date,
    end: datetime.date,
    *,
    student_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], list[MarkFacts]]:
    """(course id, student id) → the marks that count of the courses' lessons dated ``start``–``end``, in
    lesson order (one query, two columns a mark)."""
    rows = Mark.objects.filter(
        COUNTED, lesson__course_id__in=list(course_ids), lesson__date__gte=start, lesson__date__lte=end
    )
    if student_ids is not None:
        rows = rows.filter(student_id__in=list(student_ids))
    found: dict[tuple[int, int], list[MarkFacts]] = defaultdict(list)
    for course_id, student_id, value, weight in rows.order_by("lesson__date", "lesson__slot", "position").values_list(
        "lesson__course_id", "student_id", "value", "weight"
    ):
        found[(course_id, student_id)].append(MarkFacts(value, weight))
    return found


def assessing_counts(course_ids: Iterable[int], start: datetime.date, end: datetime.date) -> dict[tuple[int, int], int]:
    """(course id, student id) → how many marks count towards the minimum over ``start``–``end`` (one
    query, counted in the database: a whole school's courses without reading their marks)."""
    rows = (
        Mark.objects.filter(
            ASSESSING, lesson__course_id__in=list(course_ids), lesson__date__gte=start, lesson__date__lte=end
        )
        .values_list("lesson__course_id", "student_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(course_id, student_id): n for course_id, student_id, n in rows}


_STUDENT_MARKS = CompiledQuery(
    lambda course_id, student_id, start, end: Mark.objects.filter(
        COUNTED, lesson__course_id=course_id, student_id=student_id, lesson__date__gte=start, lesson__date__lte=end
    ).values_list("value", "weight"),
    course_id=int,
    student_id=int,
    start=datetime.date,
    end=datetime.date,
)


def student_course_marks(course_id: int, student_id: int, start: datetime.date, end: datetime.date) -> list[MarkFacts]:
    """The marks that count of one student in one course over ``start``–``end`` (a saved cell's row)."""
    return [
        MarkFacts(value, weight)
        for value, weight in _STUDENT_MARKS.rows(course_id=course_id, student_id=student_id, start=start, end=end)
    ]


def weekly_hours(courses: Iterable[Course]) -> dict[int, Decimal | None]:
    """Course id → the subject's weekly hours in the curriculum of its grade (one query), for the minimum."""
    courses = list(courses)
    if not courses:
        return {}
    keys = {(c.class_group.year_id, c.class_group.grade, c.subject_id) for c in courses}
    rows = CurriculumItem.objects.filter(
        year_id__in={year for year, _grade, _subject in keys},
        grade__in={grade for _year, grade, _subject in keys},
        subject_id__in={subject for _year, _grade, subject in keys},
    ).order_by()
    hours = {
        (year, grade, subject): h
        for year, grade, subject, h in rows.values_list("year", "grade", "subject", "hours_per_week")
    }
    return {c.pk: hours.get((c.class_group.year_id, c.class_group.grade, c.subject_id)) for c in courses}


def period_policy(course: Course, start: datetime.date) -> GradingPolicy:
    """The policy a period's figures are computed by: the one in force at its start."""
    return policy_for(course.class_group.year.school, start)


def course_summaries(
    course: Course,
    start: datetime.date,
    end: datetime.date,
    *,
    policy: GradingPolicy,
    student_ids: Iterable[int] | None = None,
    hours: Decimal | None = None,
) -> dict[int, Summary]:
    """Student id → the figures of each student with marks in the course over ``start``–``end``."""
    marks = course_marks([course.pk], start, end, student_ids=student_ids)
    return {student_id: summarise(own, policy, hours) for (_course, student_id), own in marks.items()}
