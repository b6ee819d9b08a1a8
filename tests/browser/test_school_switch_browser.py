"""A person of two schools on a phone: the administrator of one school, a teacher in the other. The user
menu names the school and the roles held there; switching to the other school leaves them a teacher, with
no «Администрирование»; switching back returns it."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.services.users import user_set_roles
from journal.services.structure import teaching_assignment_create
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World
from tests.factories import YEAR_START


def _open_user_menu(page) -> None:
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.collapse.show").wait_for()
    page.locator("[data-testid=current-user]").click()


@pytest.mark.browser
def test_the_administrator_of_one_school_switches_to_the_school_where_they_teach(live_server, world: World, chromium):
    admin = world.users["administrator"]
    user_set_roles(user=admin, school=world.foreign_school, roles={Role.TEACHER})
    teaching_assignment_create(actor=None, course=world.foreign_course, teacher=admin, date_from=YEAR_START)
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    log_in(page, live_server.url, "administrator", PASSWORD)
    page.wait_for_load_state("networkidle")
    nav = page.locator("#main-nav")
    assert "Администрирование" in nav.inner_text()

    _open_user_menu(page)
    assert page.locator("[data-testid=nav-roles]").inner_text() == "Администратор"
    page.get_by_role("button", name=f"Перейти в «{world.foreign_school.short_name}»").click()
    page.wait_for_load_state("networkidle")

    assert f"Вы работаете в школе «{world.foreign_school.name}»" in page.locator("main").inner_text()
    assert "Администрирование" not in nav.inner_text()
    _open_user_menu(page)
    assert page.locator("[data-testid=nav-roles]").inner_text() == "Учитель"
    assert page.locator("[data-testid=nav-school]").inner_text() == world.foreign_school.short_name
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "school-switch-360.png"), full_page=True)

    page.get_by_role("button", name=f"Перейти в «{world.school.short_name}»").click()
    page.wait_for_load_state("networkidle")
    assert "Администрирование" in nav.inner_text()
    assert errors == []
