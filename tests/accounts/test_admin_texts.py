"""The administrator's user list in Russian: roles by their Russian names (the groups are named by code),
the count with the right plural form (Django's own printed «859 пользователи»)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from accounts.roles import Role
from tests.conftest import World
from tests.factories import UserFactory


def test_the_user_list_names_roles_in_russian_and_counts_with_the_right_plural(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("administrator")

    page = admin.get("/admin/accounts/user/").content.decode()
    count = int(re.search(r"(\d+) (?:запись|записи|записей)", page).group(1))  # type: ignore[union-attr]
    forms = {1: "запись", 2: "записи", 5: "записей", 11: "записей", 21: "запись", 22: "записи"}
    wanted = next(n for n in sorted(forms) if n > count)
    for n in range(count, wanted):
        UserFactory(username=f"extra{n}", school=world.school, roles=(Role.PARENT,))
    page = admin.get("/admin/accounts/user/").content.decode()

    assert f"{wanted} {forms[wanted]}" in page
    assert "пользователи" not in page.split('class="paginator"', 1)[1].split("</p>", 1)[0]
    for label in ("Учитель", "Родитель", "Администратор", "Заместитель директора"):
        assert label in page, label
    filtered = admin.get("/admin/accounts/user/", {"role": "teacher"}).content.decode()
    listed = re.findall(r'<th class="field-username"><a [^>]*>([^<]+)</a>', filtered)
    assert "teacher" in listed and not [name for name in listed if name.startswith("extra")], listed


def test_the_user_form_offers_the_roles_of_this_school_by_their_russian_names(
    world: World, client_for: Callable[[str], Client]
) -> None:
    page = client_for("administrator").get(f"/admin/accounts/user/{world.users['teacher'].pk}/change/").content.decode()

    boxes = dict(
        re.findall(r'<input type="checkbox" name="school_roles" value="(\w+)"[^>]*>\s*([^<]+?)\s*</label>', page)
    )
    assert boxes.get("teacher") == "Учитель" and "Роли в этой школе" in page, boxes
    assert re.search(r'value="teacher"[^>]*checked', page) and not re.search(r'value="deputy"[^>]*checked', page)
