"""The class teacher corrects an absence to «по болезни» on the class's attendance desk and finds it as «Б»
in the monthly attendance report (§4.3). Debian's Chromium driven by Playwright."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from journal import models as m
from tests.browser.support import PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

MONDAY = datetime.date(2026, 11, 9)


@pytest.mark.browser
def test_the_class_teacher_sets_illness_and_the_monthly_report_shows_it(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    lesson = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, status="held", topic="Дроби")
    absence = m.Attendance.objects.create(
        lesson=lesson, student=world.child, status="absent", reason="unknown", author=world.users["teacher"]
    )
    errors: list[str] = []
    base = live_server.url
    page = new_page(chromium, PHONE, errors)  # the class teacher checks the week from her phone
    log_in(page, base, "class_teacher", PASSWORD)

    page.goto(f"{base}/classes/{world.class_5a.pk}/")
    page.locator("[data-testid=class-attendance-link]").click()
    page.wait_for_url(f"**/classes/{world.class_5a.pk}/attendance/**")
    page.goto(f"{base}/classes/{world.class_5a.pk}/attendance/?week={MONDAY.isoformat()}")
    day = page.locator(f"[data-testid=student-day-{world.child.pk}-20261109]")
    assert day.locator(f"[data-testid=absence-{absence.pk}]").get_attribute("data-reason") == "unknown"
    day.locator("[data-testid=day-reason]").select_option(label="по болезни")
    day.locator("[data-testid=day-reason-save]").click()

    page.locator("[data-testid=reason-saved]").wait_for()
    badge = page.locator(f"[data-testid=absence-{absence.pk}]")
    assert badge.get_attribute("data-reason") == "illness"
    absence.refresh_from_db()
    assert (absence.reason, absence.author_id) == ("illness", world.users["class_teacher"].pk)

    page.goto(f"{base}/documents/reports/attendance-months/?first_month=2026-11&last_month=2026-11")
    table = page.locator("table").first
    table.wait_for()
    row = page.locator("tr", has_text="Соколов").first
    assert "Б" in row.inner_text().split()
    assert "Посещаемость класса" in page.content()
    assert errors == []
