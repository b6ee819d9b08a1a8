"""A parent reads any past year of their child's diary (§2.5 «за весь период обучения»)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.services.marks import mark_set
from journal.services.structure import enrolment_create, teaching_assignment_create
from tests.conftest import World
from tests.factories import AcademicYearFactory, ClassGroupFactory, CourseFactory


def _last_year(world: World) -> tuple[m.StudyPeriod, m.Course]:
    year = AcademicYearFactory(
        school=world.school,
        name="2025/2026",
        start=datetime.date(2025, 9, 1),
        end=datetime.date(2026, 5, 31),
        is_current=False,
        is_archived=True,
    )
    quarter = m.StudyPeriod.objects.create(
        year=year, kind="quarter", number=4, start=datetime.date(2026, 3, 30), end=datetime.date(2026, 5, 29)
    )
    four_a = ClassGroupFactory(year=year, grade=4, letter="А")
    course = CourseFactory(class_group=four_a, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=year.start)
    enrolment = m.Enrolment.objects.get(student=world.child)
    enrolment_create(
        actor=None,
        student=world.child,
        class_group=four_a,
        date_from=year.start,
        date_to=year.end,
        reason_out="promotion",
    )
    assert enrolment.class_group == world.class_5a
    year.is_archived = False  # the marks were given while the year was open
    year.save()
    lesson = m.Lesson.objects.create(course=course, date=datetime.date(2026, 4, 14), slot=1, status="held")
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5")
    year.is_archived = True
    year.save()
    return quarter, course


def test_a_parent_opens_last_years_marks_of_their_child(world: World, client_for: Callable[[str], Client]) -> None:
    quarter, course = _last_year(world)
    parent = client_for("parent")

    page = parent.get(reverse("diary:subjects", args=[world.child.pk]))
    html = page.content.decode()
    assert 'data-testid="diary-years"' in html and "2025/2026 · 4А" in html

    last_year = parent.get(reverse("diary:subjects", args=[world.child.pk]) + f"?period={quarter.pk}")
    assert last_year.status_code == 200
    assert last_year.context["period"] == quarter
    assert f'data-testid="subject-{course.pk}"' in last_year.content.decode()
    week = parent.get(reverse("diary:week", args=[world.child.pk]) + "?week=2026-04-13").content.decode()
    assert "5" in week and "Математика" in week

    # Another family's parent reads none of it.
    other = client_for("other_parent").get(reverse("diary:subjects", args=[world.child.pk]) + f"?period={quarter.pk}")
    assert other.status_code == 404
