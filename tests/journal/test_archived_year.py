"""An archived year is read-only everywhere (§4.5): every write refuses with a message in Russian, nothing
changes, and the year stays readable."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.services.final_marks import final_mark_set
from journal.services.homework import homework_save
from journal.services.lessons import lesson_add_extra, lesson_cancel
from journal.services.marks import mark_set
from journal.services.plans import lesson_set_topic
from journal.services.substitutions import substitution_assign
from journal.services.timetable import lessons_generate, timetable_entry_create
from tests.conftest import World

DAY = datetime.date(2026, 10, 6)


@pytest.fixture
def archived(world: World) -> m.Lesson:
    """A held lesson of 5А with a mark, then the year archived."""
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=DAY, slot=1, teacher=world.users["teacher"], status="held"
    )
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    world.year.is_archived = True
    world.year.save()
    return lesson


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    text = " ".join(caught.value.messages)
    assert "архив" in text, text
    return text


def test_every_write_of_an_archived_year_refuses_with_a_message(world: World, archived: m.Lesson) -> None:
    teacher, deputy = world.users["teacher"], world.users["deputy"]
    writes: list[Callable[[], object]] = [
        lambda: mark_set(actor=teacher, lesson=archived, student=world.other_child, value="5"),
        lambda: homework_save(actor=teacher, lesson=archived, text="№ 1"),
        lambda: lesson_set_topic(actor=teacher, lesson=archived, topic="Дроби"),
        lambda: lesson_cancel(actor=deputy, lesson=archived, reason="Карантин"),
        lambda: lesson_add_extra(
            actor=deputy, course=world.math_5a, date=DAY, slot=5, room=None, reason="Консультация"
        ),
        lambda: substitution_assign(
            actor=deputy, lesson=archived, substitute=world.users["other_teacher"], reason="Болезнь"
        ),
        lambda: timetable_entry_create(actor=deputy, course=world.math_5a, weekday=2, slot=3),
        lambda: lessons_generate(actor=deputy, year=world.year),
        lambda: final_mark_set(
            actor=teacher, course=world.math_5a, student=world.child, kind="year", period=None, value="4", reason=""
        ),
    ]
    before = (
        m.Mark.objects.count(),
        m.Lesson.objects.count(),
        m.TimetableEntry.objects.count(),
        m.Homework.objects.count(),
    )
    for write in writes:
        _refused(write)
    after = (
        m.Mark.objects.count(),
        m.Lesson.objects.count(),
        m.TimetableEntry.objects.count(),
        m.Homework.objects.count(),
    )
    assert after == before
    archived.refresh_from_db()
    assert (archived.status, archived.topic) == ("held", "")


def test_the_archived_journal_answers_a_write_with_a_message_not_an_error_page(
    world: World, archived: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    teacher = client_for("teacher")
    save = teacher.post(
        reverse("journal:course_journal_cell", args=[world.math_5a.pk]),
        {"lesson": archived.pk, "student": world.other_child.pk, "text": "5", "versions": "{}"},
    )
    assert save.status_code in (400, 403, 409)
    assert "архив" in save.json()["error"]
    # Still readable: the grid, the lesson, the child's diary of that week.
    grid = teacher.get(reverse("journal:course_journal", args=[world.math_5a.pk]) + "?month=all")
    assert grid.status_code == 200
    assert teacher.get(reverse("journal:lesson_detail", args=[archived.pk])).status_code == 200
    week = client_for("parent").get(reverse("diary:week", args=[world.child.pk]) + f"?week={DAY.isoformat()}")
    assert week.status_code == 200 and "4" in week.content.decode()
