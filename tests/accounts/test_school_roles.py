"""Roles per school (§3.2): a role applies in the school where it was given. The administrator of one
school who teaches in another is a teacher there: no logins page, no administration, the other school's
people never listed as administrators."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_set_roles
from journal.selectors.schools import teachers_of_school, users_with_role
from journal.services.structure import teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, SchoolFactory


def _admin_teaching_abroad(world: World) -> User:
    admin = world.users["administrator"]
    user_set_roles(user=admin, school=world.foreign_school, roles={Role.TEACHER})
    teaching_assignment_create(actor=None, course=world.foreign_course, teacher=admin, date_from=YEAR_START)
    return admin


def _roles_shown(page: str) -> str:
    found = re.search(r'data-testid="nav-roles">([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_administrator_of_one_school_is_only_a_teacher_in_the_school_where_they_teach(world: World) -> None:
    admin = _admin_teaching_abroad(world)
    client = Client()
    client.force_login(admin)

    home = client.get(reverse("home")).content.decode()
    assert _roles_shown(home) == "Администратор"
    assert client.get(reverse("journal:accounts")).status_code == 200
    assert f'name="school" value="{world.foreign_school.pk}"' in home  # the other school is offered

    switched = client.post(reverse("journal:school_switch"), {"school": world.foreign_school.pk}, follow=True)
    page = switched.content.decode()
    assert "Вы работаете в школе" in page and world.foreign_school.name in page
    assert _roles_shown(page) == "Учитель"
    assert client.get(reverse("journal:accounts")).status_code == 403
    assert client.get(reverse("journal:compromise_list")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302  # the administration site: not theirs here
    course = client.get(reverse("journal:course_detail", args=[world.foreign_course.pk]))
    assert course.status_code == 200  # the course they teach there
    assert client.get(reverse("journal:course_detail", args=[world.math_5a.pk])).status_code == 404

    client.post(reverse("journal:school_switch"), {"school": world.school.pk})
    assert client.get(reverse("journal:accounts")).status_code == 200


def test_a_school_of_someone_else_cannot_be_switched_to(world: World) -> None:
    client = Client()
    client.force_login(world.users["administrator"])

    assert client.post(reverse("journal:school_switch"), {"school": world.foreign_school.pk}).status_code == 404
    assert client.post(reverse("journal:school_switch"), {"school": SchoolFactory().pk}).status_code == 404
    assert client.get(reverse("journal:accounts")).status_code == 200  # still in their own school


def test_the_lists_of_a_school_read_the_roles_held_there(world: World) -> None:
    admin = _admin_teaching_abroad(world)

    assert admin in teachers_of_school(world.foreign_school)
    assert admin not in teachers_of_school(world.school)
    assert admin not in users_with_role(world.foreign_school, Role.ADMINISTRATOR)
    assert admin.roles_in(world.school.pk) == {Role.ADMINISTRATOR}
    assert admin.roles_in(world.foreign_school.pk) == {Role.TEACHER}


def test_the_administrator_sets_the_roles_of_their_school_and_leaves_the_others_alone(world: World, client_for) -> None:
    teacher = world.users["teacher"]
    user_set_roles(user=teacher, school=world.foreign_school, roles={Role.DEPUTY})
    url = reverse("admin:accounts_user_change", args=[teacher.pk])
    admin = client_for("administrator")
    form = admin.get(url).content.decode()
    assert re.search(r'value="teacher"[^>]*checked', form) and not re.search(r'value="deputy"[^>]*checked', form)

    data = {
        "username": teacher.username,
        "last_name": teacher.last_name,
        "first_name": teacher.first_name,
        "middle_name": teacher.middle_name,
        "email": "",
        "phone": "",
        "is_active": "on",
        "school_roles": ["teacher", "administrator"],
    }
    assert admin.post(url, data).status_code == 302

    fresh = User.objects.get(pk=teacher.pk)
    assert fresh.roles_in(world.school.pk) == {Role.TEACHER, Role.ADMINISTRATOR}
    assert fresh.roles_in(world.foreign_school.pk) == {Role.DEPUTY}  # another school's, untouched

    data["school_roles"] = ["teacher"]
    admin.post(url, data)
    assert User.objects.get(pk=teacher.pk).roles_in(world.school.pk) == {Role.TEACHER}
