"""The roster import (§4.1): a dry run of a 30-row file says what each row would do and writes nothing; the
confirmation creates the students and their parents once; a second run of the same file changes nothing;
bad rows and files are refused with a message, nothing half-written."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_set_roles
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


STAFF_HEADER = "Фамилия;Имя;Отчество;Роли;Телефон;E-mail"


def test_a_staff_file_makes_new_staff_and_gives_roles_in_this_school_once(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """A staff file (its «Роли» column): a new teacher and a new deputy who teaches; the school's teacher
    (matched by name, the row gives no contact) becomes a deputy too. Another school's roles stay as they
    are; a second run changes nothing."""
    teacher = world.users["teacher"]
    user_set_roles(user=teacher, school=world.foreign_school, roles={Role.TEACHER})
    lines = [
        STAFF_HEADER,
        "Кравцова;Нина;Сергеевна;учитель;+7 900 111-22-33;kravtsova@example.ru",
        "Зуев;Игорь;Петрович;Заместитель директора, учитель;;zuev@example.ru",
        f"{teacher.last_name};{teacher.first_name};{teacher.middle_name};учитель, завуч;;",
    ]
    data = "\n".join(lines).encode()
    admin = client_for("administrator")

    response = _upload(admin, data, "staff.csv")
    page = response.content.decode()
    plan = response.context["plan"]
    assert response.status_code == 200 and (plan.new_people, plan.new_roles, plan.unchanged) == (2, 1, 0)
    assert "Новых сотрудников: 2" in page and f"уже работает в школе, логин {teacher.username}" in page
    assert not users_with_role(world.school, Role.DEPUTY).filter(pk=teacher.pk).exists()  # a dry run

    done = admin.post(reverse("journal:roster_import_confirm"), {"token": response.context["token"]}, follow=True)
    assert "новых сотрудников — 2, выдано ролей сотрудникам школы — 1" in done.content.decode()
    zuev = User.objects.get(last_name="Зуев")
    assert zuev.roles_in(world.school.pk) == {Role.DEPUTY, Role.TEACHER} and not zuev.has_usable_password()
    assert zuev.email == "zuev@example.ru" and zuev.roles_in(world.foreign_school.pk) == frozenset()
    fresh = User.objects.get(pk=teacher.pk)
    assert fresh.roles_in(world.school.pk) == {Role.TEACHER, Role.DEPUTY}
    assert fresh.roles_in(world.foreign_school.pk) == {Role.TEACHER}

    again = _upload(admin, data, "staff.csv")
    plan = again.context["plan"]
    assert (plan.new_people, plan.new_roles, plan.unchanged) == (0, 0, 3)
    staff_before = users_with_role(world.school, Role.TEACHER, Role.DEPUTY).count()
    admin.post(reverse("journal:roster_import_confirm"), {"token": again.context["token"]})
    assert users_with_role(world.school, Role.TEACHER, Role.DEPUTY).count() == staff_before
    assert User.objects.filter(last_name__in=["Зуев", "Кравцова"]).count() == 2


def test_a_staff_row_with_an_unknown_role_is_shown_and_nothing_is_written(
    world: World, client_for: Callable[[str], Client]
) -> None:
    data = "\n".join([STAFF_HEADER, "Кравцова;Нина;;учитель;;", "Зуев;Игорь;;охранник;;", "Лисин;;;;;"]).encode()
    users = User.objects.count()
    response = _upload(client_for("administrator"), data, "staff.csv")
    page = response.content.decode()
    assert response.status_code == 400 and "«охранник» — не роль" in page and "Нужны фамилия и имя" in page
    assert 'data-testid="roster-confirm"' not in page and User.objects.count() == users


def test_the_staff_template_is_a_staff_file(world: World, client_for: Callable[[str], Client]) -> None:
    from journal.roster_import import parse_roster_file

    response = client_for("administrator").get(reverse("journal:roster_template"), {"kind": "staff"})
    rows = parse_roster_file(io.BytesIO(response.content), "staff-template.xlsx")
    assert [(r.last_name, r.roles, r.errors) for r in rows] == [
        ("Петрова", ["teacher"], []),
        ("Сидоров", ["deputy", "teacher"], []),
    ]


def test_the_dry_run_counts_only_the_rows_without_errors(world: World, client_for: Callable[[str], Client]) -> None:
    """A row with an error does nothing: it is neither a new student nor a new parent, and it is counted apart."""
    data = "\n".join(
        [
            HEADER,
            "5А;Ершов;Иван;;01.02.2015;Ершова;Анна;;мать;;",
            "9Я;Юдин;Олег;;01.01.2014;Юдина;Вера;;мать;;",
            "5А;Яшин;Пётр;;31.02.2015;;;;;;",
        ]
    ).encode()

    response = _upload(client_for("administrator"), data)

    plan = response.context["plan"]
    assert (plan.new_students, plan.new_parents, plan.new_links, plan.with_errors) == (1, 1, 1, 2)
    page = response.content.decode()
    assert "Новых учащихся: 1; новых родителей: 1;" in page
    assert "2 строки с ошибками ничего не делают." in page


def test_the_staff_dry_run_counts_only_the_rows_without_errors(
    world: World, client_for: Callable[[str], Client]
) -> None:
    data = "\n".join([STAFF_HEADER, "Кравцова;Нина;;учитель;;", "Зуев;Игорь;;охранник;;"]).encode()

    plan = _upload(client_for("administrator"), data, "staff.csv").context["plan"]

    assert (plan.new_people, plan.with_errors) == (1, 1)
