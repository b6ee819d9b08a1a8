"""The teacher enters a 2 in the course grid; the child's parent logs in and is told of it (§4.4, §8.2).

Debian's Chromium driven by Playwright (tests/browser/test_grid_browser.py); the
nav's counters come in by htmx after the page, so the test waits for them.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from journal import models as m
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, grid_cell, log_in, new_page
from tests.conftest import World

TODAY = timezone.localdate()


@pytest.mark.browser
def test_teacher_enters_a_two_and_the_parent_sees_the_notification(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    m.StudyPeriod.objects.create(
        year=world.year,
        kind=m.PeriodKind.QUARTER,
        number=2,
        start=TODAY - datetime.timedelta(days=30),
        end=TODAY + datetime.timedelta(days=10),
    )
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=TODAY - datetime.timedelta(days=1), slot=1, topic="Дроби"
    )
    parent = world.users["parent"]
    parent.email = "mother@example.org"
    parent.save(update_fields=["email"])
    errors: list[str] = []
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    page = new_page(chromium, DESKTOP, errors)
    log_in(page, base, "teacher", PASSWORD)
    page.goto(f"{base}/courses/{world.math_5a.pk}/journal/")
    cell = grid_cell(page, world.child.pk, lesson.pk)
    cell.click()
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle())
    assert m.Mark.objects.get(student=world.child).value == "2"
    assert [message.to for message in mail.outbox] == [["mother@example.org"]]

    phone = new_page(chromium, PHONE, errors)
    log_in(phone, base, "parent", PASSWORD)
    phone.wait_for_load_state("networkidle")  # the badges' htmx swaps are done: a click lands
    phone.locator(".navbar-toggler").click()
    badge = phone.locator("[data-testid=nav-notifications-badge]")
    badge.wait_for()
    assert badge.inner_text().startswith("1")
    phone.screenshot(path=str(ARTIFACTS / "notifications-nav-phone.png"), full_page=True)
    phone.locator("[data-testid=nav-notifications]").click()
    phone.wait_for_url(f"{base}/messages/notifications/")
    item = phone.locator("[data-testid=notifications] li").first
    text = item.inner_text()
    assert "Соколов Артём" in text and "2" in text and "Математика" in text
    assert bool(phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))
    phone.screenshot(path=str(ARTIFACTS / "notifications-phone.png"), full_page=True)

    phone.locator("[data-testid=read-all]").click()
    phone.wait_for_url(f"{base}/messages/notifications/")
    assert (
        phone.locator("[data-testid=nav-notifications-badge]").count() == 0
        or phone.wait_for_selector("[data-testid=nav-notifications-badge]", state="detached") is None
    )
    assert errors == []
