"""Two teachers save the same cell at once, each on their own database connection.

Exactly one save wins; the other is refused with :class:`StaleEdit` carrying
the winner's value and author; the stored value is the winner's and the
history holds exactly one change. No silent overwrite, ever.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from journal import models as m
from journal.services.conflicts import StaleEdit
from journal.services.marks import attendance_set, mark_set
from journal.services.substitutions import substitution_assign
from tests.conftest import World

pytestmark = pytest.mark.usefixtures("transactional_db")

WAIT = 10  # seconds: only reached when something is wrong


class Worker(threading.Thread):
    """Runs ``target`` on its own thread, hence on its own database connection."""

    def __init__(self, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self.error = exc
        finally:
            connection.close()


def _lesson(world: World) -> m.Lesson:
    """Yesterday's lesson of 5А mathematics: its teacher and ``other_teacher``, its substitute, write it."""
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )
    substitution_assign(
        actor=world.users["deputy"], lesson=lesson, substitute=world.users["other_teacher"], reason="Болезнь"
    )
    return lesson


def _race_while_first_holds_its_transaction(
    first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Worker, Worker]:
    """``first`` saves inside a transaction it keeps open; ``second`` starts then and must wait for it."""
    first_saved = threading.Event()
    release = threading.Event()
    second_started = threading.Event()

    def hold() -> Any:
        with transaction.atomic():
            result = first()
            first_saved.set()
            assert release.wait(WAIT)
        return result

    def follow() -> Any:
        assert first_saved.wait(WAIT)
        second_started.set()
        return second()

    a, b = Worker(hold), Worker(follow)
    a.start()
    b.start()
    assert second_started.wait(WAIT)
    time.sleep(0.5)
    assert b.is_alive(), "the second save must wait for the first one's row lock"
    release.set()
    a.join(WAIT)
    b.join(WAIT)
    assert not a.is_alive() and not b.is_alive()
    return a, b


def test_two_saves_of_the_same_version_one_wins_the_other_sees_the_winner(world: World) -> None:
    lesson = _lesson(world)
    teacher, substitute = world.users["teacher"], world.users["other_teacher"]
    mark = mark_set(actor=teacher, lesson=lesson, student=world.child, value="3")
    assert mark.version == 1

    a, b = _race_while_first_holds_its_transaction(
        lambda: mark_set(actor=teacher, lesson=lesson, student=world.child, value="4", expected_version=1),
        lambda: mark_set(actor=substitute, lesson=lesson, student=world.child, value="5", expected_version=1),
    )

    assert a.error is None
    assert isinstance(b.error, StaleEdit)
    assert (b.error.value, b.error.author, b.error.current_version) == ("4", teacher, 2)
    stored = m.Mark.objects.get(pk=mark.pk)
    assert (stored.value, stored.version, stored.author) == ("4", 2, teacher)
    changes = m.Mark.history.filter(id=mark.pk, history_type="~")
    assert [(h.value, h.history_user) for h in changes] == [("4", teacher)]


def test_two_first_marks_in_an_empty_cell_one_wins_the_other_sees_the_winner(world: World) -> None:
    lesson = _lesson(world)
    teacher, substitute = world.users["teacher"], world.users["other_teacher"]

    a, b = _race_while_first_holds_its_transaction(
        lambda: mark_set(actor=teacher, lesson=lesson, student=world.child, value="4"),
        lambda: mark_set(actor=substitute, lesson=lesson, student=world.child, value="5"),
    )

    assert a.error is None
    assert isinstance(b.error, StaleEdit)
    assert (b.error.value, b.error.author) == ("4", teacher)
    assert list(m.Mark.objects.filter(lesson=lesson).values_list("value", "author")) == [("4", teacher.pk)]
    assert m.Mark.history.filter(lesson_id=lesson.pk).count() == 1


def test_two_attendance_changes_of_the_same_version_one_wins(world: World) -> None:
    lesson = _lesson(world)
    teacher, substitute = world.users["teacher"], world.users["other_teacher"]
    row = attendance_set(actor=teacher, lesson=lesson, student=world.child, status="absent")

    a, b = _race_while_first_holds_its_transaction(
        lambda: attendance_set(
            actor=substitute,
            lesson=lesson,
            student=world.child,
            status="absent",
            reason="illness",
            expected_version=1,
        ),
        lambda: attendance_set(actor=teacher, lesson=lesson, student=world.child, status="late", expected_version=1),
    )

    assert a.error is None
    assert isinstance(b.error, StaleEdit)
    assert (b.error.value, b.error.author) == ("Б", substitute)
    stored = m.Attendance.objects.get(pk=row.pk)
    assert (stored.status, stored.reason, stored.version) == ("absent", "illness", 2)
    assert m.Attendance.history.filter(id=row.pk, history_type="~").count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_saves_released_at_the_same_moment_never_both_win(world: World, round_: int) -> None:
    lesson = _lesson(world)
    users = [world.users["teacher"], world.users["other_teacher"]]
    mark = mark_set(actor=users[0], lesson=lesson, student=world.child, value="3")
    start = threading.Barrier(2, timeout=WAIT)

    def save(index: int) -> Callable[[], m.Mark]:
        def run() -> m.Mark:
            start.wait()
            return mark_set(
                actor=users[index], lesson=lesson, student=world.child, value=str(4 + index), expected_version=1
            )

        return run

    workers = [Worker(save(0)), Worker(save(1))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)

    winners = [i for i, w in enumerate(workers) if w.error is None]
    losers = [w for w in workers if w.error is not None]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0].error, StaleEdit)
    winner = winners[0]
    assert (losers[0].error.value, losers[0].error.author) == (str(4 + winner), users[winner])
    stored = m.Mark.objects.get(pk=mark.pk)
    assert (stored.value, stored.version) == (str(4 + winner), 2)
    assert m.Mark.history.filter(id=mark.pk, history_type="~").count() == 1
