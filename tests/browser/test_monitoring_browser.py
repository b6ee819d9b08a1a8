"""The deputy finds a lesson without a topic on the monitoring dashboard, opens the teacher's week, records a
control check; the teacher is told and reads it on her phone (§3.9, §7.2). Debian's Chromium through
Playwright."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from journal import models as m
from monitoring.models import ControlCheck
from tests.browser.support import DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

TODAY = timezone.localdate()


@pytest.mark.browser
def test_the_deputy_records_a_check_and_the_teacher_reads_it(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    # A lesson of this week, already held: yesterday, or today on a Monday.
    day = TODAY if TODAY.weekday() == 0 else TODAY - datetime.timedelta(days=1)
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=day, slot=1, status="held", topic="", teacher=world.users["teacher"]
    )
    errors: list[str] = []
    base = live_server.url

    page = new_page(chromium, DESKTOP, errors)
    log_in(page, base, "deputy", PASSWORD)
    page.goto(f"{base}/monitoring/")
    teacher = world.users["teacher"].short_name
    page.get_by_role("link", name=teacher).first.click()
    page.wait_for_url(f"**/monitoring/teachers/{world.users['teacher'].pk}/**")
    row = page.locator(f"[data-lesson='{lesson.pk}']")
    assert "5А · Математика" in row.inner_text() and "—" in row.inner_text()

    page.goto(f"{base}/monitoring/checks/")
    form = page.locator("[data-testid=check-form]")
    form.locator("select[name=teacher]").select_option(label=teacher)
    form.locator("textarea[name=findings]").fill("Не записана тема урока.")
    form.locator("input[name=fix_by]").fill((TODAY + datetime.timedelta(days=7)).isoformat())
    form.locator("[data-testid=check-save]").click()
    page.locator("[data-testid=checks] tbody tr", has_text="Не записана тема урока.").wait_for()
    assert ControlCheck.objects.get().teacher == world.users["teacher"]

    phone = new_page(chromium, PHONE, errors)
    log_in(phone, base, "teacher", PASSWORD)
    # The navigation's badges arrive by htmx after the page and replace their items: a click before the
    # swap lands on an element that is gone. Wait until the page's requests are done.
    phone.wait_for_load_state("networkidle")
    phone.locator(".navbar-toggler").click()
    phone.locator("[data-testid=nav-notifications-badge]").wait_for()
    notice = phone.locator("[data-testid=notifications] li", has_text="Не записана тема урока.").first
    for _ in range(3):  # a click that landed on a navigation item the badges' swap replaced is clicked again
        phone.locator("[data-testid=nav-notifications]").click()
        try:
            notice.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    notice.click()
    phone.wait_for_url(f"{base}/monitoring/checks/mine/")
    assert "Не записана тема урока." in phone.locator("[data-testid=checks]").inner_text()
    assert bool(phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))
    assert errors == []
