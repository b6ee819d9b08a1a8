"""The Russian of the substitution messages and of the printed log (журнал замещения)."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from journal import models as m
from journal.services.substitutions import substitution_assign
from tests.conftest import World

MONDAY = datetime.date(2026, 10, 5)

pytestmark = pytest.mark.usefixtures("bells")


@pytest.fixture(autouse=True)
def russian() -> Iterator[None]:
    with translation.override("ru"):
        if translation.gettext("Lesson substitution log") == "Lesson substitution log":
            pytest.skip("the Russian catalog is not compiled with the substitution messages yet")
        yield


@pytest.fixture
def lesson(world: World) -> m.Lesson:
    return m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=2, teacher=world.users["teacher"])


def assign(world: World, lesson: m.Lesson, substitute: str) -> m.Substitution:
    return substitution_assign(
        actor=world.users["deputy"], lesson=lesson, substitute=world.users[substitute], reason="Болезнь"
    )


def test_the_log_pdf_is_titled_and_numbered_in_russian(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    assign(world, lesson, "other_teacher")

    response = client_for("deputy").get(f"{reverse('journal:substitution_log_pdf')}?month=2026-10")

    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Журнал замещения уроков" in text
    assert "Школа № 1" in text
    assert "Период: Октябрь 2026" in text
    assert "Отсутствующий" in text  # the column head wraps onto two lines
    assert "Петров" in text
    assert "стр. 1 из 1" in text


def test_a_busy_substitute_is_refused_in_russian(world: World, lesson: m.Lesson) -> None:
    m.Lesson.objects.create(course=world.russian_6b, date=MONDAY, slot=2, teacher=world.users["other_teacher"])

    with pytest.raises(ValidationError) as refused:
        assign(world, lesson, "other_teacher")

    name = world.users["other_teacher"].short_name
    assert refused.value.messages == [
        f"У учителя {name} в это время уже есть урок: 6Б · Русский язык, 05.10.2026, урок 2."
    ]


def test_the_absent_teacher_as_substitute_is_refused_in_russian(world: World, lesson: m.Lesson) -> None:
    with pytest.raises(ValidationError) as refused:
        assign(world, lesson, "teacher")

    name = world.users["teacher"].short_name
    assert refused.value.messages == [
        f"{name} не может замещать собственный урок: 5А · Математика, 05.10.2026, урок 2."
    ]
