"""The administrator's staff screens (§3.2, §3.3): a new staff member gets a login made from the name and
the roles in this school, then a slip; a person's staff roles are changed here and nowhere else."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_set_roles
from tests.conftest import World

NEW = {
    "last_name": "Кравцова",
    "first_name": "Нина",
    "middle_name": "Сергеевна",
    "email": "kravtsova@example.ru",
    "phone": "+7 900 111-22-33",
    "roles": ["teacher", "deputy"],
}


def test_a_new_staff_member_gets_a_login_the_roles_of_this_school_and_then_a_slip(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")
    response = admin.post(reverse("journal:staff_new"), NEW, follow=True)
    page = response.content.decode()

    user = User.objects.get(last_name="Кравцова")
    assert user.username == "kravtsova.ns" and not user.has_usable_password()
    assert user.roles_in(world.school.pk) == {Role.TEACHER, Role.DEPUTY}
    assert user.roles_in(world.foreign_school.pk) == frozenset()
    assert "Кравцова Нина Сергеевна добавлен(а) в сотрудники, логин kravtsova.ns" in page
    staff_row = page.split(f'id="staff-{user.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Заместитель директора, Учитель" in staff_row

    slip = admin.post(reverse("journal:account_reissue", args=[user.pk]))
    assert slip["Content-Type"] == "application/pdf"
    user.refresh_from_db()
    assert user.has_usable_password() and user.must_change_password


def test_bad_input_is_shown_in_russian_and_nothing_is_made(world: World, client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    users = User.objects.count()

    no_roles = admin.post(reverse("journal:staff_new"), {**NEW, "roles": []})
    assert no_roles.status_code == 400 and "Выберите хотя бы одну роль" in no_roles.content.decode()
    no_name = admin.post(reverse("journal:staff_new"), {**NEW, "first_name": "", "email": "x@"})
    text = no_name.content.decode()
    assert no_name.status_code == 400 and "Обязательное поле" in text and "адрес электронной почты" in text
    assert User.objects.count() == users

    bad_phone = admin.post(reverse("journal:staff_new"), {**NEW, "phone": "позвонить в учительскую"})
    assert bad_phone.status_code == 400 and "не номер телефона" in bad_phone.content.decode()
    assert User.objects.count() == users

    admin.post(reverse("journal:staff_new"), NEW)
    # The same person again, the phone written another way: refused.
    again = admin.post(reverse("journal:staff_new"), {**NEW, "email": "", "phone": "8 (900) 111-22-33"})
    assert again.status_code == 400 and "уже есть в школе (логин kravtsova.ns)" in again.content.decode()
    assert User.objects.count() == users + 1


def test_the_staff_roles_change_in_this_school_only(world: World, client_for: Callable[[str], Client]) -> None:
    teacher, parent = world.users["teacher"], world.users["parent"]
    user_set_roles(user=teacher, school=world.foreign_school, roles={Role.TEACHER})
    admin = client_for("administrator")

    form = admin.get(reverse("journal:staff_roles", args=[teacher.pk])).content.decode()
    assert re.search(r'value="teacher"[^>]*checked', form) and not re.search(r'value="deputy"[^>]*checked', form)
    done = admin.post(reverse("journal:staff_roles", args=[teacher.pk]), {"roles": ["teacher", "deputy"]})
    assert done.status_code == 302
    fresh = User.objects.get(pk=teacher.pk)
    assert fresh.roles_in(world.school.pk) == {Role.TEACHER, Role.DEPUTY}
    assert fresh.roles_in(world.foreign_school.pk) == {Role.TEACHER}

    admin.post(reverse("journal:staff_roles", args=[teacher.pk]), {"roles": ["deputy"]})
    assert User.objects.get(pk=teacher.pk).roles_in(world.school.pk) == {Role.DEPUTY}

    # A mother who works at the school: a teacher now, and still the child's parent.
    admin.post(reverse("journal:staff_roles", args=[parent.pk]), {"roles": ["teacher"]})
    assert User.objects.get(pk=parent.pk).roles_in(world.school.pk) == {Role.PARENT, Role.TEACHER}


def test_the_administrator_keeps_their_own_role_and_nobody_is_left_without_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    me = world.users["administrator"]
    admin = client_for("administrator")

    own = admin.post(reverse("journal:staff_roles", args=[me.pk]), {"roles": ["teacher"]})
    assert own.status_code == 400 and "Нельзя снять роль администратора с самого себя" in own.content.decode()
    none = admin.post(reverse("journal:staff_roles", args=[world.users["teacher"].pk]), {})
    assert none.status_code == 400 and "отключите логин" in none.content.decode()
    assert User.objects.get(pk=me.pk).roles_in(world.school.pk) == {Role.ADMINISTRATOR}
    assert User.objects.get(pk=world.users["teacher"].pk).roles_in(world.school.pk) == {Role.TEACHER}

    other = Client()
    other.force_login(world.users["foreign_admin"])
    assert other.get(reverse("journal:staff_roles", args=[world.users["teacher"].pk])).status_code == 404
