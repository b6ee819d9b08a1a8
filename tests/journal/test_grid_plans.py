"""The course grid reads its own students' rows, not every student of the server's schools.

On a server of many schools a join of the class's enrolments to the students can be planned as a read of
the whole students' table (hashed, then joined) while a school is small enough for that to look cheap:
then each grid's cost grows with the server instead of the class. A school of 30 in the class and 1,500
students elsewhere on the server, as on the benchmarks' large school: the grid's plans
(``EXPLAIN``, with the tables' statistics) read no whole table of students or enrolments.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.plans import seq_scans
from journal import models as m
from tests.conftest import World
from tests.factories import YEAR_START

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")

PEOPLE = {m.Student._meta.db_table, m.Enrolment._meta.db_table}


def _school_of_1500(world: World) -> None:
    """28 more students in 5А (30 in all), 1,500 in the other school's class, then the statistics."""
    students = m.Student.objects.bulk_create(
        [m.Student(school=world.school, last_name=f"Ученик{i:02d}", first_name="Иван") for i in range(28)]
        + [m.Student(school=world.foreign_school, last_name=f"Дальний{i:04d}", first_name="Олег") for i in range(1500)]
    )
    m.Enrolment.objects.bulk_create(
        m.Enrolment(
            student=student,
            class_group=world.class_5a if student.school_id == world.school.pk else world.foreign_class,
            date_from=YEAR_START,
        )
        for student in students
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(sorted(PEOPLE))}")


def test_the_grid_reads_no_whole_table_of_students_or_enrolments(
    world: World, client_for: Callable[[str], Client]
) -> None:
    period = m.StudyPeriod.objects.create(
        year=world.year,
        kind=m.PeriodKind.QUARTER,
        number=2,
        start=datetime.date(2026, 11, 5),
        end=datetime.date(2026, 12, 28),
    )
    _school_of_1500(world)
    client = client_for("teacher")
    url = reverse("journal:course_journal", args=[world.math_5a.pk]) + f"?period={period.pk}&month=all"

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["grid"].rows) == 30
    assert seq_scans([q["sql"] for q in captured.captured_queries], PEOPLE) == {}
