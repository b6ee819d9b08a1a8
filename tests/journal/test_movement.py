"""Movement of students (§4.1, §4.3): asked for by the class teacher, confirmed by the administrator with
the director's order; the enrolments change only then."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from journal import models as m
from journal.services.movement import movement_confirm, movement_refuse, movement_request
from tests.conftest import World
from tests.factories import StudentFactory

ON = datetime.date(2026, 11, 30)
ORDER_DAY = datetime.date(2026, 11, 27)


def _classes(student: m.Student) -> list[tuple[str, datetime.date, datetime.date | None, str]]:
    return [
        (str(e.class_group), e.date_from, e.date_to, e.note)
        for e in m.Enrolment.objects.filter(student=student).select_related("class_group").order_by("date_from")
    ]


def test_a_transfer_asked_by_the_class_teacher_changes_the_class_once_confirmed(world: World) -> None:
    movement = movement_request(
        actor=world.users["class_teacher"], student=world.child, kind="transfer", on=ON, to_class=world.class_6b
    )
    assert (movement.from_class, movement.to_class, movement.status) == (world.class_5a, world.class_6b, "requested")
    assert [c[0] for c in _classes(world.child)] == ["5А"]  # nothing changes yet

    with pytest.raises(ValidationError, match="приказ"):
        movement_confirm(actor=world.users["administrator"], movement=movement, order_number="", order_date=ORDER_DAY)
    movement_confirm(actor=world.users["administrator"], movement=movement, order_number="41", order_date=ORDER_DAY)

    rows = _classes(world.child)
    assert [(c[0], c[1], c[2]) for c in rows][-2:] == [
        ("5А", rows[0][1], ON - datetime.timedelta(days=1)),
        ("6Б", ON, None),
    ]
    assert "Приказ № 41 от 27.11.2026" in rows[-1][3]
    movement.refresh_from_db()
    assert (movement.status, movement.decided_by) == ("confirmed", world.users["administrator"])


def test_only_the_class_teacher_and_the_administrator_ask_and_only_the_administrator_decides(world: World) -> None:
    with pytest.raises(PermissionDenied):
        movement_request(actor=world.users["teacher"], student=world.child, kind="departure", on=ON)
    movement = movement_request(actor=world.users["administrator"], student=world.child, kind="departure", on=ON)
    with pytest.raises(ValidationError, match="ждёт"):
        movement_request(actor=world.users["class_teacher"], student=world.child, kind="departure", on=ON)
    for persona in ("class_teacher", "deputy", "director"):
        with pytest.raises(PermissionDenied):
            movement_confirm(actor=world.users[persona], movement=movement, order_number="1", order_date=ORDER_DAY)


def test_a_departure_ends_the_enrolment_and_a_refusal_keeps_its_reason(world: World) -> None:
    leave = movement_request(
        actor=world.users["class_teacher"], student=world.child, kind="departure", on=ON, other_school="Школа № 7"
    )
    movement_confirm(actor=world.users["administrator"], movement=leave, order_number="42", order_date=ORDER_DAY)
    (row,) = _classes(world.child)
    assert row[2] == ON - datetime.timedelta(days=1) and "Школа № 7" in row[3]

    other = movement_request(actor=world.users["class_teacher"], student=world.other_child, kind="departure", on=ON)
    with pytest.raises(ValidationError):
        movement_refuse(actor=world.users["administrator"], movement=other, reason="")
    movement_refuse(actor=world.users["administrator"], movement=other, reason="Заявление отозвано")
    other.refresh_from_db()
    assert (other.status, other.refusal) == ("refused", "Заявление отозвано")
    assert _classes(world.other_child)[0][2] is None  # still in 5А


def test_an_arrival_enrols_a_new_student_from_the_day(world: World) -> None:
    newcomer = StudentFactory(school=world.school, last_name="Новенький")
    arrival = movement_request(
        actor=world.users["class_teacher"],
        student=newcomer,
        kind="arrival",
        on=ON,
        to_class=world.class_5a,
        other_school="Гимназия № 3",
    )
    movement_confirm(actor=world.users["administrator"], movement=arrival, order_number="43", order_date=ORDER_DAY)
    enrolment = m.Enrolment.objects.get(student=newcomer)
    assert (enrolment.class_group, enrolment.date_from, enrolment.reason_in) == (world.class_5a, ON, "arrival")


def test_the_pages_ask_and_confirm(world: World, client_for: Callable[[str], Client]) -> None:
    page = client_for("class_teacher").get(reverse("journal:class_movement", args=[world.class_5a.pk]))
    assert world.child.full_name in page.content.decode()
    asked = client_for("class_teacher").post(
        reverse("journal:class_movement", args=[world.class_5a.pk]),
        {"kind": "transfer", "student": world.child.pk, "on": ON.isoformat(), "to_class": world.class_6b.pk},
    )
    assert asked.status_code == 302
    movement = m.Movement.objects.get()
    admin = client_for("administrator")
    assert f'data-testid="confirm-{movement.pk}"' in admin.get(reverse("journal:movement_list")).content.decode()
    done = admin.post(
        reverse("journal:movement_confirm", args=[movement.pk]), {"order_number": "41", "order_date": "2026-11-27"}
    )
    assert done.status_code == 302
    assert m.Enrolment.objects.filter(student=world.child, class_group=world.class_6b, date_from=ON).exists()
    bad = client_for("class_teacher").post(
        reverse("journal:class_movement", args=[world.class_5a.pk]),
        {"kind": "transfer", "student": world.other_child.pk, "on": "31.02.2026", "to_class": world.class_6b.pk},
    )
    assert bad.status_code == 400 and not m.Movement.objects.filter(student=world.other_child).exists()


def test_a_departure_from_15_december_is_printed_as_the_order_gives_it(world: World) -> None:
    """Asked and ordered from 15.12 (the enrolment's last day is the 14th): the movement report of the
    quarter starting that day lists the departure on 15.12, not 14.12, and the quarter before does not."""
    from reports.builders import ReportParams
    from reports.kinds import KINDS

    day = datetime.date(2026, 12, 15)
    leave = movement_request(
        actor=world.users["class_teacher"], student=world.child, kind="departure", on=day, other_school="Школа № 7"
    )
    movement_confirm(actor=world.users["administrator"], movement=leave, order_number="44", order_date=day)
    before = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 5), end=datetime.date(2026, 12, 14)
    )
    after = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=3, start=day, end=datetime.date(2027, 3, 20)
    )

    def left(period: m.StudyPeriod) -> list[list[str]]:
        params = ReportParams(school=world.school, year=world.year, class_group=world.class_5a, period=period)
        (section,) = KINDS["movement"].build(params, None).sections
        return [[cell.text for cell in row] for row in section.tables[1].body]

    (row,) = left(after)
    assert row[4] == "15.12.2026"
    assert left(before) == []
