"""Events: the deputy (director, administrator) for the school or any class, a class teacher for their class."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from diary.models import Event
from diary.services.events import event_create, event_delete, event_update
from tests.conftest import World

DAY = datetime.date(2026, 12, 10)


def _create(world: World, persona: str, class_attr: str | None) -> Event:
    class_group = getattr(world, class_attr) if class_attr else None
    return event_create(
        actor=world.users[persona], school=world.school, class_group=class_group, title="Собрание", date=DAY
    )


@pytest.mark.parametrize("persona", ["deputy", "director", "administrator"])
@pytest.mark.parametrize("class_attr", [None, "class_5a", "class_6b"])
def test_the_administration_creates_school_and_class_events(world: World, persona: str, class_attr: str) -> None:
    event = _create(world, persona, class_attr)

    assert event.created_by == world.users[persona]
    assert Event.objects.count() == 1


def test_a_class_teacher_creates_events_of_their_class_only(world: World) -> None:
    assert _create(world, "class_teacher", "class_5a").class_group == world.class_5a
    for class_attr in (None, "class_6b"):
        with pytest.raises(PermissionDenied):
            _create(world, "class_teacher", class_attr)
    assert Event.objects.count() == 1


@pytest.mark.parametrize("persona", ["teacher", "parent", "student", "foreign_admin"])
def test_others_create_no_events(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(world, persona, "class_5a")
    assert not Event.objects.exists()


def test_a_class_teacher_cannot_move_their_event_to_the_whole_school(world: World) -> None:
    event = _create(world, "class_teacher", "class_5a")
    with pytest.raises(PermissionDenied):
        event_update(actor=world.users["class_teacher"], event=event, class_group=None, title="Бал", date=DAY)
    with pytest.raises(PermissionDenied):
        event_delete(actor=world.users["class_teacher"], event=_create(world, "deputy", None))
    event.refresh_from_db()
    assert event.class_group == world.class_5a


def test_an_end_before_the_start_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="раньше первого дня"):
        event_create(
            actor=world.users["deputy"],
            school=world.school,
            class_group=None,
            title="Каникулы",
            date=DAY,
            end_date=DAY - datetime.timedelta(days=1),
        )
    assert not Event.objects.exists()


def test_class_teacher_creates_an_event_through_the_form(world: World, client_for) -> None:
    client = client_for("class_teacher")
    url = reverse("diary:event_create")

    refused = client.post(url, {"class_group": world.class_6b.pk, "title": "Чужое", "date": "2026-12-10"})
    created = client.post(
        url, {"class_group": world.class_5a.pk, "title": "Экскурсия", "date": "2026-12-10", "time": "10:00"}
    )

    assert refused.status_code == 400
    assert created.status_code == 302
    assert list(Event.objects.values_list("title", "class_group", "created_by")) == [
        ("Экскурсия", world.class_5a.pk, world.users["class_teacher"].pk)
    ]


def test_parents_see_school_and_their_childs_class_events(world: World, client_for) -> None:
    today = timezone.localdate()
    Event.objects.create(school=world.school, title="Новогодний концерт", date=today)
    Event.objects.create(school=world.school, class_group=world.class_5a, title="Собрание 5А", date=today)
    Event.objects.create(school=world.school, class_group=world.class_6b, title="Собрание 6Б", date=today)
    Event.objects.create(school=world.foreign_school, title="Чужой праздник", date=today)

    parent_titles = {e.title for e in client_for("parent").get(reverse("diary:event_list")).context["events"]}
    deputy_titles = {e.title for e in client_for("deputy").get(reverse("diary:event_list")).context["events"]}

    assert parent_titles == {"Новогодний концерт", "Собрание 5А"}
    assert deputy_titles == {"Новогодний концерт", "Собрание 5А", "Собрание 6Б"}


def test_the_deputy_edits_and_a_class_teacher_deletes_through_the_pages(world: World, client_for) -> None:
    school_event = _create(world, "deputy", None)
    class_event = _create(world, "class_teacher", "class_5a")

    edited = client_for("deputy").post(
        reverse("diary:event_edit", kwargs={"event_id": school_event.pk}),
        {"title": "Новогодний концерт", "date": "2026-12-25", "end_date": "2026-12-24"},
    )
    assert edited.status_code == 400
    assert "раньше первого дня" in edited.content.decode()
    edited = client_for("deputy").post(
        reverse("diary:event_edit", kwargs={"event_id": school_event.pk}),
        {"title": "Новогодний концерт", "date": "2026-12-25", "time": "17:00", "place": "Актовый зал"},
    )
    deleted = client_for("class_teacher").post(reverse("diary:event_delete", kwargs={"event_id": class_event.pk}))

    assert (edited.status_code, deleted.status_code) == (302, 302)
    school_event.refresh_from_db()
    assert (school_event.title, school_event.date, school_event.place) == (
        "Новогодний концерт",
        datetime.date(2026, 12, 25),
        "Актовый зал",
    )
    assert list(Event.objects.values_list("pk", flat=True)) == [school_event.pk]


def test_past_events_are_listed_apart(world: World, client_for) -> None:
    today = timezone.localdate()
    Event.objects.create(school=world.school, title="Прошедшее", date=today - datetime.timedelta(days=3))
    Event.objects.create(
        school=world.school,
        title="Идут каникулы",
        date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=3),
    )
    client = client_for("student")

    coming = [e.title for e in client.get(reverse("diary:event_list")).context["events"]]
    past = [e.title for e in client.get(reverse("diary:event_list"), {"past": "1"}).context["events"]]

    assert coming == ["Идут каникулы"]
    assert past == ["Прошедшее"]
