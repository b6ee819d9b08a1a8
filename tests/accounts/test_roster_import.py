"""The roster import (§4.1): a dry run of a 30-row file says what each row would do and writes nothing; the
confirmation creates the students and their parents once; a second run of the same file changes nothing;
bad rows and files are refused with a message, nothing half-written."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from journal import models as m
from journal.selectors.schools import users_with_role
from tests.conftest import World

HEADER = (
    "Класс;Фамилия;Имя;Отчество;Дата рождения;"
    "Фамилия родителя;Имя родителя;Отчество родителя;Кем приходится;Телефон;E-mail"
)
NAMES = ["Абрамов", "Белов", "Волков", "Гусев", "Давыдов", "Егоров", "Жуков", "Зайцев", "Ильин", "Козлов",
         "Лебедев", "Морозов", "Никитин", "Орлов", "Павлов"]  # fmt: skip


def _file() -> bytes:
    """15 students of 5А, each with a mother and a father: 30 rows; the second row of a student repeats them."""
    lines = [HEADER]
    for number, name in enumerate(NAMES, start=1):
        child = f"5А;{name};Сергей;Петрович;{number:02d}.04.2015"
        lines.append(f"{child};{name}а;Анна;Ивановна;мать;+7 900 000-{number:02d}-01;mother{number}@example.ru")
        lines.append(f"{child};{name};Пётр;Олегович;отец;8 (900) 000-{number:02d}-02;")
    return "\n".join(lines).encode("utf-8")


def _upload(client: Client, data: bytes, name: str = "roster.csv") -> object:
    return client.post(reverse("journal:roster_import"), {"file": SimpleUploadedFile(name, data)})


def _counts(world: World) -> tuple[int, int, int]:
    parents = users_with_role(world.school, Role.PARENT).count()
    return m.Student.objects.count(), parents, m.ParentLink.objects.count()


def test_a_30_row_file_creates_students_and_parents_once(world: World, client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    before = _counts(world)
    response = _upload(admin, _file())
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.new_students, plan.new_parents, plan.new_links) == (15, 30, 30)
    assert _counts(world) == before  # the dry run writes nothing

    response = admin.post(reverse("journal:roster_import_confirm"), {"token": response.context["token"]}, follow=True)
    assert "15 новых учащихся, 30 новых родителей" in response.content.decode()
    students, parents, links = _counts(world)
    assert (students - before[0], parents - before[1], links - before[2]) == (15, 30, 30)
    pavlov = m.Student.objects.get(last_name="Павлов")
    assert m.Enrolment.objects.get(student=pavlov).class_group == world.class_5a
    mother = m.ParentLink.objects.get(student=pavlov, relation="mother").parent
    assert (mother.full_name, mother.email, mother.has_usable_password()) == (
        "Павлова Анна Ивановна",
        "mother15@example.ru",
        False,
    )

    # The same file again: every row is found, nothing changes.
    again = _upload(admin, _file())
    plan = again.context["plan"]
    assert (plan.new_students, plan.new_parents, plan.new_links, plan.unchanged) == (0, 0, 0, 30)
    admin.post(reverse("journal:roster_import_confirm"), {"token": again.context["token"]})
    assert _counts(world) == (students, parents, links)


def test_rows_with_errors_are_shown_and_nothing_is_written(world: World, client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    bad = "\n".join(
        [
            HEADER,
            "5А;Ершов;Иван;;31.02.2015;;;;;;",
            "9Я;Юдин;Олег;;01.01.2014;;;;;;",
            "5А;Яшин;;;01.01.2014;Яшина;;;тётя;;x",
        ]
    ).encode()
    before = _counts(world)
    response = _upload(admin, bad)
    page = response.content.decode()
    assert response.status_code == 400 and 'data-testid="roster-has-errors"' in page
    assert "«31.02.2015» — не дата рождения" in page and "Нет класса «9Я»" in page and "тётя" in page
    assert 'data-testid="roster-confirm"' not in page
    assert _counts(world) == before
    # Stale confirmation without a checked file: a message, nothing written.
    assert admin.post(reverse("journal:roster_import_confirm"), {"token": "x"}).status_code == 302
    assert _counts(world) == before


def test_a_file_that_is_not_a_roster_is_refused_before_parsing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")
    response = _upload(admin, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.csv")
    assert response.status_code == 400 and "не таблица" in response.content.decode()
    response = _upload(admin, "Номер;Тема\n1;Дроби".encode(), "plan.csv")
    assert response.status_code == 400 and "Столбцы не те" in response.content.decode()
    template = admin.get(reverse("journal:roster_template"))
    from openpyxl import load_workbook

    header = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert header[:5] == ["Класс", "Фамилия", "Имя", "Отчество", "Дата рождения"]
