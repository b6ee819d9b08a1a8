"""The diary week costs the same whatever the years of marks and attendance the child has before it.

A school keeps every year's marks: a week that read the child's marks of every year before keeping the
week's would slow down year by year. The rows of lessons, marks and attendance the week page's plans read
(``EXPLAIN ANALYZE`` of each of its queries, the planner kept off whole-table reads as on a large school)
are counted with this year's marks, then with four earlier years of the child in the school; they must
be the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.plans import rows_read
from journal import models as m
from tests.conftest import World
from tests.diary.conftest import MONDAY, quarter
from tests.factories import AcademicYearFactory, ClassGroupFactory, CourseFactory, SubjectFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")

SUBJECTS = ["Чтение", "Письмо", "Природоведение", "Музыка", "Труд", "История", "География", "Биология"]
JOURNAL = {m.Mark._meta.db_table, m.Attendance._meta.db_table, m.Lesson._meta.db_table}


def _week_of_lessons(world: World, course: m.Course, monday: datetime.date, slot: int = 1) -> None:
    """``course`` every day of the week of ``monday`` with a mark and an absence of the child."""
    teacher = world.users["teacher"]
    days = [monday + datetime.timedelta(days=offset) for offset in range(5)]
    lessons = m.Lesson.objects.bulk_create(m.Lesson(course=course, date=on, slot=slot) for on in days)
    m.Mark.objects.bulk_create(m.Mark(lesson=on, student=world.child, value="5", author=teacher) for on in lessons)
    m.Attendance.objects.bulk_create(
        m.Attendance(lesson=on, student=world.child, status="late", author=teacher) for on in lessons
    )


def _earlier_year(world: World, years_back: int) -> None:
    """The child's year ``years_back`` years before this one: its class, five courses, 35 weeks of lessons
    of each."""
    start = world.year.start - datetime.timedelta(weeks=52 * years_back)
    year = AcademicYearFactory(
        school=world.school,
        name=f"{2026 - years_back}/{2027 - years_back}",
        start=start,
        end=start + datetime.timedelta(weeks=39),
        is_current=False,
    )
    class_group = ClassGroupFactory(year=year, grade=5 - years_back, letter="А")
    m.Enrolment.objects.create(
        student=world.child, class_group=class_group, date_from=year.start, date_to=year.end, reason_out="promotion"
    )
    monday = start - datetime.timedelta(days=start.weekday())
    for subject in SUBJECTS[:5]:
        course = CourseFactory(class_group=class_group, subject=SubjectFactory(school=world.school, name=subject))
        for week in range(35):
            _week_of_lessons(world, course, monday + datetime.timedelta(weeks=week), slot=SUBJECTS.index(subject))


def _rows_of_the_week_page(client: Client, world: World) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(sorted(JOURNAL))}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("diary:week", args=[world.child.pk]), {"week": MONDAY.isoformat()})
    assert response.status_code == 200
    assert [len(entry.marks) for entry in response.context["week"].entries()] == [1] * 5
    return rows_read([q["sql"] for q in captured.captured_queries], JOURNAL, seqscan=False)


def test_the_week_reads_as_many_rows_with_five_years_of_marks_as_with_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    quarter(world)
    _week_of_lessons(world, world.math_5a, MONDAY)
    # The school's other lessons of the week: 6Б's, eight subjects a day.
    for slot, subject in enumerate(SUBJECTS, start=1):
        course = CourseFactory(class_group=world.class_6b, subject=SubjectFactory(school=world.school, name=subject))
        m.Lesson.objects.bulk_create(
            m.Lesson(course=course, date=MONDAY + datetime.timedelta(days=d), slot=slot) for d in range(5)
        )
    client = client_for("parent")
    client.get(reverse("diary:week", args=[world.child.pk]), {"week": MONDAY.isoformat()})  # the day's first use
    one_year = _rows_of_the_week_page(client, world)

    for years_back in range(1, 5):
        _earlier_year(world, years_back)

    assert _rows_of_the_week_page(client, world) == one_year
