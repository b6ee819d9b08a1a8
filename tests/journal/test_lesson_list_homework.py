"""The course's lesson list is the right-hand page of the paper journal: topic, homework and its files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal import models as m
from journal.services.homework import homework_file_add, homework_set
from tests.conftest import World
from tests.journal.test_plans import make_lessons, weekdays

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _with_homework(world: World, lessons: list[m.Lesson]) -> None:
    for i, lesson in enumerate(lessons):
        homework = homework_set(actor=world.users["teacher"], lesson=lesson, text=f"§ {i + 1}, № 3–5")
        homework_file_add(
            actor=world.users["teacher"], homework=homework, upload=SimpleUploadedFile(f"Задание {i + 1}.pdf", PDF)
        )


def test_the_lesson_list_shows_each_lessons_homework_and_its_files(
    world: World, client_for: Callable[[str], Client]
) -> None:
    lessons = make_lessons(world.math_5a, weekdays(3))
    _with_homework(world, lessons[:2])

    html = client_for("class_teacher").get(reverse("journal:course_lessons", args=[world.math_5a.pk])).content.decode()

    assert "§ 1, № 3–5" in html and "§ 2, № 3–5" in html
    file = m.HomeworkFile.objects.get(homework__lesson=lessons[1])
    assert reverse("journal:homework_file", args=[file.pk]) in html
    assert "Задание 2.pdf" in html
    assert f'data-testid="homework-{lessons[2].pk}"></td>' in html  # no homework: an empty cell


def test_the_lesson_list_takes_as_many_queries_for_many_homeworks_as_for_few(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    url = reverse("journal:course_lessons", args=[world.math_5a.pk])
    lessons = make_lessons(world.math_5a, weekdays(12))
    _with_homework(world, lessons[:1])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _with_homework(world, lessons[1:])
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)
