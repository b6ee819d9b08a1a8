"""The class teacher asks for a transfer on a phone; the administrator confirms it with the order."""

from __future__ import annotations

import datetime

import pytest

from journal import models as m
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

ON = datetime.date(2026, 11, 30)


@pytest.mark.browser
def test_a_transfer_is_asked_for_and_confirmed(live_server, world: World, chromium):
    errors: list[str] = []
    base = live_server.url
    teacher = new_page(chromium, PHONE, errors)
    log_in(teacher, base, "class_teacher", PASSWORD)
    teacher.locator("[data-testid=desk-class] a", has_text="Движение учащихся").click()
    form = teacher.locator("[data-testid=movement-form]")
    form.locator("#mv-kind").select_option("transfer")
    form.locator("#mv-student").select_option(str(world.child.pk))
    form.locator("#mv-on").fill(ON.isoformat())
    form.locator("#mv-to").select_option(str(world.class_6b.pk))
    form.locator("[data-testid=movement-request]").click()
    teacher.locator(".alert-success").wait_for()
    assert "ожидает решения" in teacher.locator("[data-testid=movement-rows]").inner_text()
    assert teacher.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    teacher.screenshot(path=str(ARTIFACTS / "movement-asked-360.png"), full_page=True)
    movement = m.Movement.objects.get()

    admin = new_page(chromium, DESKTOP, errors)
    log_in(admin, base, "administrator", PASSWORD)
    admin.get_by_role("button", name="Администрирование").click()
    admin.get_by_role("link", name="Движение учащихся").click()
    confirm = admin.locator(f"[data-testid=confirm-{movement.pk}]")
    confirm.locator("[name=order_number]").fill("41")
    confirm.locator("[name=order_date]").fill("2026-11-27")
    confirm.locator("button[type=submit]").click()
    admin.locator(".alert-success").wait_for()
    assert "Приказ № 41 от 27.11.2026" in admin.locator("main").inner_text()
    admin.screenshot(path=str(ARTIFACTS / "movement-confirmed-1280.png"), full_page=True)
    assert m.Enrolment.objects.filter(student=world.child, class_group=world.class_6b, date_from=ON).exists()
    assert errors == []
