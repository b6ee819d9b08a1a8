"""«Ознакомлен»: once per week, only by a parent of that child; the class teacher sees who has."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from diary.models import WeekAcknowledgement
from diary.services.acknowledgements import week_acknowledge
from tests.conftest import World
from tests.diary.conftest import MONDAY


def test_a_parent_acknowledges_a_week_once(world: World) -> None:
    first = week_acknowledge(actor=world.users["parent"], student=world.child, week_start=MONDAY)
    again = week_acknowledge(actor=world.users["parent"], student=world.child, week_start=MONDAY)

    assert again.pk == first.pk and again.acknowledged_at == first.acknowledged_at
    assert WeekAcknowledgement.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_parent", "student", "class_teacher", "deputy"])
def test_only_a_parent_of_that_child_can_acknowledge(world: World, persona: str) -> None:
    with pytest.raises(ValidationError):
        week_acknowledge(actor=world.users[persona], student=world.child, week_start=MONDAY)

    assert not WeekAcknowledgement.objects.exists()


def test_a_week_starts_on_a_monday_and_must_have_begun(world: World) -> None:
    parent = world.users["parent"]
    with pytest.raises(ValidationError, match="понедельник"):
        week_acknowledge(actor=parent, student=world.child, week_start=MONDAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="ещё не началась"):
        week_acknowledge(actor=parent, student=world.child, week_start=datetime.date(2030, 1, 7))

    assert not WeekAcknowledgement.objects.exists()


def test_pressing_the_button_twice_keeps_one_acknowledgement_and_shows_when(world: World, client_for) -> None:
    client = client_for("parent")
    url = reverse("diary:acknowledge", kwargs={"student_id": world.child.pk})

    first = client.post(url, {"week": MONDAY.isoformat()})
    second = client.post(url, {"week": MONDAY.isoformat()}, follow=True)

    assert first.status_code == 302
    assert WeekAcknowledgement.objects.filter(parent=world.users["parent"], student=world.child).count() == 1
    text = second.content.decode()
    assert "Прочитано, подтверждено " in text and "Подтвердить:" not in text
    assert 'data-testid="acknowledge"' not in text


def test_a_bad_week_in_the_form_is_refused_in_russian(world: World, client_for) -> None:
    response = client_for("parent").post(
        reverse("diary:acknowledge", kwargs={"student_id": world.child.pk}), {"week": "вчера"}
    )

    assert response.status_code == 400
    assert "«вчера» — не дата." in response.content.decode()
    assert not WeekAcknowledgement.objects.exists()


def test_the_other_parent_cannot_acknowledge_for_child(world: World, client_for) -> None:
    response = client_for("other_parent").post(
        reverse("diary:acknowledge", kwargs={"student_id": world.child.pk}), {"week": MONDAY.isoformat()}
    )

    assert response.status_code == 404
    assert not WeekAcknowledgement.objects.exists()


def test_the_class_teacher_sees_who_has_acknowledged(world: World, client_for) -> None:
    week_acknowledge(actor=world.users["parent"], student=world.child, week_start=MONDAY)

    response = client_for("class_teacher").get(
        reverse("diary:acknowledgements", kwargs={"class_id": world.class_5a.pk}), {"week": MONDAY.isoformat()}
    )

    assert response.status_code == 200
    rows = {row.student: row for row in response.context["rows"]}
    assert rows[world.child].acknowledged
    assert rows[world.child].parents[0].parent == world.users["parent"]
    assert not rows[world.other_child].acknowledged
    assert [p.parent for p in rows[world.other_child].parents] == [world.users["other_parent"]]
    assert "ознакомлены: 1 из 2" in response.content.decode()


def test_the_class_page_links_to_the_acknowledgements(world: World, client_for) -> None:
    response = client_for("class_teacher").get(reverse("journal:class_detail", kwargs={"class_id": world.class_5a.pk}))

    assert reverse("diary:acknowledgements", kwargs={"class_id": world.class_5a.pk}) in response.content.decode()
