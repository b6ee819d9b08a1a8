"""A cell's history and the administrator's «changes by user X since T» with revert (issue 4)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from tests.factories import YEAR_START


@pytest.fixture
def lesson(world) -> m.Lesson:
    return m.Lesson.objects.create(course=world.math_5a, date=YEAR_START, slot=1, status="held")


def _mark(world, lesson, value: str) -> m.Mark:
    teacher = world.users["teacher"]
    mark = m.Mark(lesson=lesson, student=world.child, value="4", weight=Decimal(1), author=teacher)
    mark._history_user = teacher
    mark.save()
    mark.value = value
    mark._history_user = teacher
    mark.save(update_fields=["value"])
    return mark


def test_the_cell_history_lists_a_change_with_old_and_new_values(world, lesson, client_for):
    _mark(world, lesson, "2")

    response = client_for("class_teacher").get(reverse("journal:cell_history", args=[lesson.pk, world.child.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "4 → 2" in html
    assert "Иванова" in html
    assert "<html" in html


def test_the_cell_history_is_a_fragment_for_htmx(world, lesson, client_for):
    _mark(world, lesson, "2")

    response = client_for("teacher").get(
        reverse("journal:cell_history", args=[lesson.pk, world.child.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "4 → 2" in response.content.decode()


def test_the_cell_history_shows_only_that_student(world, lesson, client_for):
    _mark(world, lesson, "2")

    response = client_for("teacher").get(reverse("journal:cell_history", args=[lesson.pk, world.other_child.pk]))

    assert "4 → 2" not in response.content.decode()


def _since() -> str:
    return timezone.localtime(timezone.now() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")


def test_the_administrator_lists_a_users_changes_and_reverts_one_after_confirming(world, lesson, client_for):
    mark = _mark(world, lesson, "2")
    client = client_for("administrator")
    teacher = world.users["teacher"]
    page = client.get(reverse("journal:history"), {"user": teacher.pk, "since": _since()})
    assert page.status_code == 200
    assert "4 → 2" in page.content.decode()
    change = page.context["entries"][-1][0]
    assert change.type == "~"
    data = {
        "user": teacher.pk,
        "since": _since(),
        "model_label": "journal.Mark",
        "history_id": change.record.history_id,
    }

    confirm = client.post(reverse("journal:history_revert"), data)
    mark.refresh_from_db()
    assert confirm.status_code == 200 and mark.value == "2"

    done = client.post(reverse("journal:history_revert"), {**data, "confirm": "on"})
    assert done.status_code == 302
    mark.refresh_from_db()
    assert mark.value == "4"


def test_revert_all_after_confirming_removes_what_the_user_made(world, lesson, client_for):
    _mark(world, lesson, "2")
    client = client_for("administrator")
    data = {"user": world.users["teacher"].pk, "since": _since()}

    client.post(reverse("journal:history_revert_all"), data)
    assert m.Mark.objects.exists()
    client.post(reverse("journal:history_revert_all"), {**data, "confirm": "on"})

    assert not m.Mark.objects.exists()


@pytest.mark.parametrize("persona", ["deputy", "teacher", "parent"])
def test_only_the_administrator_reverts_and_nothing_changes_otherwise(world, lesson, client_for, persona):
    mark = _mark(world, lesson, "2")
    data = {"user": world.users["teacher"].pk, "since": _since(), "confirm": "on"}

    response = client_for(persona).post(reverse("journal:history_revert_all"), data)

    assert response.status_code == 403
    mark.refresh_from_db()
    assert mark.value == "2"


def test_a_user_of_another_school_is_not_offered(world, client_for):
    response = client_for("administrator").post(
        reverse("journal:history_revert_all"),
        {"user": world.users["foreign_teacher"].pk, "since": _since(), "confirm": "on"},
    )

    assert response.status_code == 404
