"""The desks (the home page of each role): what is left to fill, the class at a glance, the school's day,
the children side by side; queries per desk do not grow with the rows."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import desks
from journal import models as m
from journal.services.homework import homework_save
from journal.services.marks import attendance_set
from journal.services.structure import enrolment_create, parent_link_create
from journal.services.substitutions import substitution_assign
from tests.conftest import World
from tests.factories import YEAR_START, StudentFactory, quarter_around_today

TODAY = timezone.localdate()


@pytest.fixture
def quarter(world: World) -> m.StudyPeriod:
    return quarter_around_today(world.year, before=40, after=40)


def _lessons(world: World, count: int, first_slot: int = 1) -> list[m.Lesson]:
    teacher = world.users["teacher"]
    return [
        m.Lesson.objects.create(course=world.math_5a, date=TODAY, slot=first_slot + i, teacher=teacher)
        for i in range(count)
    ]


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(captured)


def test_a_lesson_shows_what_is_left_and_nothing_once_filled(world: World, quarter: m.StudyPeriod) -> None:
    teacher = world.users["teacher"]
    (lesson,) = _lessons(world, 1)
    test = m.Lesson.objects.create(
        course=world.math_5a, date=TODAY - datetime.timedelta(days=1), slot=2, teacher=teacher, kind="test"
    )
    later = m.Lesson.objects.create(
        course=world.math_5a, date=TODAY + datetime.timedelta(days=1), slot=1, teacher=teacher
    )

    rows = {
        row.lesson.pk: row
        for row in desks.teacher_lessons(
            teacher, world.school, TODAY - datetime.timedelta(7), TODAY + datetime.timedelta(7)
        )
    }
    assert rows[lesson.pk].todo == ("attendance", "topic", "homework")
    assert rows[test.pk].todo == ("attendance", "topic", "homework", "marks")
    assert rows[later.pk].todo == ()  # a lesson still ahead has nothing left yet

    lesson.topic = "Дроби"
    lesson.save()
    homework_save(actor=teacher, lesson=lesson, text="№ 1")
    attendance_set(actor=teacher, lesson=lesson, student=world.child, status="absent")
    (row,) = [r for r in desks.teacher_lessons(teacher, world.school, TODAY, TODAY) if r.lesson.pk == lesson.pk]
    assert row.todo == ()


def test_a_substitution_is_on_the_substitutes_desk_and_not_on_the_absent_teachers(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    lesson = m.Lesson.objects.create(course=world.russian_6b, date=TODAY, slot=4, teacher=world.users["other_teacher"])
    substitution_assign(actor=world.users["deputy"], lesson=lesson, substitute=world.users["teacher"], reason="Курсы")

    teacher_html = client_for("teacher").get(reverse("home")).content.decode()
    assert f'data-testid="desk-lesson-{lesson.pk}"' in teacher_html
    assert 'data-testid="desk-substitutions"' in teacher_html
    assert (
        f'data-testid="desk-lesson-{lesson.pk}"'
        not in client_for("other_teacher").get(reverse("home")).content.decode()
    )


@pytest.mark.dated
def test_the_class_teacher_sees_todays_absences_and_the_weeks_unexcused(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = _lessons(world, 1)
    attendance_set(
        actor=world.users["teacher"], lesson=lesson, student=world.child, status="absent", reason="unexcused"
    )
    glance = desks.class_at_glance(world.class_5a, TODAY)
    assert glance.absent_today == [world.child]
    assert glance.unexcused_week == [(world.child, 1)]
    html = client_for("class_teacher").get(reverse("home")).content.decode()
    assert 'data-testid="desk-class"' in html and world.child.short_name in html
    # A subject teacher who leads no class has no class card.
    assert 'data-testid="desk-class"' not in client_for("teacher").get(reverse("home")).content.decode()


def test_the_school_day_lists_cancelled_and_substituted_lessons(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    other = world.users["other_teacher"]
    m.Lesson.objects.create(course=world.russian_6b, date=TODAY, slot=1, teacher=other, status=m.LessonStatus.CANCELLED)
    held = m.Lesson.objects.create(course=world.russian_6b, date=TODAY, slot=2, teacher=other)
    substitution_assign(actor=world.users["deputy"], lesson=held, substitute=world.users["teacher"], reason="Болезнь")
    day = desks.school_day(world.school, world.year, TODAY)
    assert [lesson.slot for lesson in day.cancelled] == [1]
    assert [s.lesson_id for s in day.substitutions] == [held.pk]
    assert day.lessons == 1
    for persona in ("deputy", "director"):
        assert 'data-testid="desk-school-day"' in client_for(persona).get(reverse("home")).content.decode()
    for persona in ("teacher", "administrator"):
        assert 'data-testid="desk-school-day"' not in client_for(persona).get(reverse("home")).content.decode()


def test_a_parent_sees_their_children_side_by_side_and_no_other_child(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    parent_link_create(
        actor=None, parent=world.users["other_parent"], student=world.child, relation="mother", consent_given=True
    )
    html = client_for("other_parent").get(reverse("home")).content.decode()
    assert f'data-testid="child-{world.child.pk}"' in html
    assert f'data-testid="child-{world.other_child.pk}"' in html
    assert f'data-testid="child-{world.student_6b.pk}"' not in html
    # The parent of one child reads that child's week on the home page itself.
    response = client_for("parent").get(reverse("home"))
    assert response.context["week"].student == world.child


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "deputy", "director", "administrator"])
def test_a_desks_queries_do_not_grow_with_its_rows(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client], persona: str
) -> None:
    client = client_for(persona)
    _lessons(world, 1)
    _queries(client)  # the session and the caches are warm
    few = _queries(client)
    lessons = _lessons(world, 4, first_slot=2)
    for i in range(6):
        student = StudentFactory(school=world.school, last_name=f"Новый{i}")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
        attendance_set(actor=world.users["teacher"], lesson=lessons[i % 4], student=student, status="absent")
    other = world.users["other_teacher"]
    for slot in (1, 2, 3):
        m.Lesson.objects.create(course=world.russian_6b, date=TODAY, slot=slot, teacher=other, status="cancelled")
    assert _queries(client) == few


def test_a_parent_desks_queries_do_not_grow_with_the_children(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    parent = world.users["other_parent"]
    parent_link_create(actor=None, parent=parent, student=world.child, relation="mother", consent_given=True)
    client = client_for("other_parent")
    _queries(client)
    two = _queries(client)
    parent_link_create(actor=None, parent=parent, student=world.student_6b, relation="mother", consent_given=True)
    assert _queries(client) == two


def test_the_week_shows_the_days_gone_only_where_something_is_left(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    if TODAY.weekday() == 0:
        pytest.skip("no day of this week has gone on a Monday")
    teacher = world.users["teacher"]
    yesterday = TODAY - datetime.timedelta(days=1)
    filled = m.Lesson.objects.create(course=world.math_5a, date=yesterday, slot=1, teacher=teacher, topic="Дроби")
    filled.attendance_taken_at = timezone.now()
    filled.save()
    homework_save(actor=teacher, lesson=filled, text="№ 3")
    open_one = m.Lesson.objects.create(course=world.math_5a, date=yesterday, slot=2, teacher=teacher)

    html = client_for("teacher").get(reverse("home")).content.decode()
    assert f'data-testid="desk-lesson-{open_one.pk}"' in html
    assert f'data-testid="desk-lesson-{filled.pk}"' not in html
    assert 'data-testid="week-filled"' in html
