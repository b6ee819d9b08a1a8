"""A save sent twice (a double tap; the grid's retry of a save whose answer a dropped connection lost) and
two saves of one cell at the same moment, through the grid's HTTP endpoint on a real database.

Sent twice: answered saved both times, stored once, told once. Before, the repeat was refused as a
conflict naming the teacher herself. Two at once: one wins, the other is told who did; never both.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from journal.services.substitutions import substitution_assign
from messaging.models import Notification
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    """Yesterday's mathematics of 5А; ``other_teacher`` substitutes, so both may write it."""
    made = m.Lesson.objects.create(course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1)
    substitution_assign(
        actor=world.users["deputy"], lesson=made, substitute=world.users["other_teacher"], reason="Болезнь"
    )
    parent = world.users["parent"]
    parent.email = "mother@example.org"
    parent.save(update_fields=["email"])
    return made


def _post(client: Client, world: World, lesson: m.Lesson, text: str, versions: str = "{}") -> Any:
    return client.post(
        reverse("journal:course_journal_cell", args=[world.math_5a.pk]),
        {"lesson": lesson.pk, "student": world.child.pk, "text": text, "versions": versions},
    )


@pytest.mark.parametrize(
    ("text", "marks", "absences", "told"),
    [("2", 1, 0, 1), ("4/5", 2, 0, 0), ("НП", 0, 1, 1), ("н", 0, 1, 0)],
)
def test_the_same_save_sent_twice_is_saved_once_and_told_once(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client], text: str, marks: int, absences: int, told: int
) -> None:
    teacher = client_for("teacher")

    first, again = _post(teacher, world, lesson, text), _post(teacher, world, lesson, text)

    assert first.status_code == again.status_code == 200, again.content
    assert first.json()["versions"] == again.json()["versions"] and again.json()["text"] == first.json()["text"]
    assert m.Mark.objects.filter(lesson=lesson, student=world.child).count() == marks
    assert m.Mark.history.filter(lesson_id=lesson.pk).count() == marks
    assert m.Attendance.objects.filter(lesson=lesson, student=world.child).count() == absences
    assert m.Attendance.history.filter(lesson_id=lesson.pk).count() == absences
    assert Notification.objects.filter(recipient=world.users["parent"]).count() == told
    assert [message.to for message in mail.outbox] == [["mother@example.org"]] * told


def test_the_same_value_put_by_a_colleague_meanwhile_is_still_told_as_theirs(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    assert _post(client_for("other_teacher"), world, lesson, "2").status_code == 200

    refused = _post(client_for("teacher"), world, lesson, "2")

    assert refused.status_code == 409
    assert refused.json()["author"] == world.users["other_teacher"].short_name


def test_two_saves_of_one_cell_at_the_same_moment_never_both_win(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    clients = {"teacher": client_for("teacher"), "other_teacher": client_for("other_teacher")}
    values = {"teacher": "5", "other_teacher": "3"}
    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def save(persona: str) -> None:
        try:
            start.wait(10)
            answers[persona] = _post(clients[persona], world, lesson, values[persona])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(persona,)) for persona in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 409], codes
    winner = next(persona for persona, answer in answers.items() if answer.status_code == 200)
    loser = next(persona for persona in answers if persona != winner)
    assert answers[loser].json()["author"] == world.users[winner].short_name
    assert list(m.Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == [values[winner]]
    assert m.Mark.history.filter(lesson_id=lesson.pk).count() == 1
