"""The deputy on a phone: cancels a lesson, assigns a substitute, reads the log and the assessment page.

Debian's Chromium driven by Playwright (tests/browser/test_login_browser.py);
a console error (a CSP refusal, say) fails the test.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from journal import models as m
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

MONDAY = datetime.date(2026, 10, 5)


def _fits(page: Any) -> bool:
    """Nothing but the tables' own scroll boxes is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_deputy_cancels_a_lesson_and_assigns_a_substitute_on_a_phone(
    live_server: Any, transactional_db: None, world: World, bells: m.BellSchedule, chromium: Any
) -> None:
    room = m.Room.objects.create(school=world.school, name="101")
    teacher = world.users["teacher"]
    for slot in (1, 2, 3):
        m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=slot, room=room, teacher=teacher)
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "deputy", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    # The changes page of 5А for the week of 5 October: cancel lesson 1.
    first = m.Lesson.objects.get(slot=1)
    page.goto(f"{base}/changes/classes/{world.class_5a.pk}/?start={MONDAY.isoformat()}")
    item = page.locator(f"[data-testid=lesson-{first.pk}]")
    item.locator("summary").click()
    page.screenshot(path=str(ARTIFACTS / "changes-phone.png"), full_page=True)
    assert _fits(page)
    item.locator(f"#cancel-reason-{first.pk}").fill("Карантин")
    item.locator("form", has=page.locator(f"#cancel-reason-{first.pk}")).locator("button").click()
    page.locator(".alert-success").wait_for()

    first.refresh_from_db()
    assert first.status == m.LessonStatus.CANCELLED
    assert "Карантин" in page.locator("#changes-title + div").inner_text()

    # Lesson 2: a substitute, from the lesson's link.
    second = m.Lesson.objects.get(slot=2)
    item = page.locator(f"[data-testid=lesson-{second.pk}]")
    item.locator("summary").click()
    item.locator(f"a[href$='?lesson={second.pk}']").click()
    page.screenshot(path=str(ARTIFACTS / "substitution-assign-phone.png"), full_page=True)
    assert _fits(page)
    page.locator("#id_substitute").select_option(value=str(world.users["other_teacher"].pk))
    page.locator("#id_reason").fill("Болезнь")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/substitutions/?month=2026-10")
    page.screenshot(path=str(ARTIFACTS / "substitution-log-phone.png"), full_page=True)

    assert m.Substitution.objects.get().lesson == second
    assert "Петров" in page.locator("main table").inner_text()
    assert _fits(page)

    # The assessment procedures of the quarter: lesson 3 is a test in the last lesson of the day.
    third = m.Lesson.objects.get(slot=3)
    third.kind = m.LessonKind.TEST
    third.save(update_fields=["kind"])
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=5)
    quarter = m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=1, start=world.year.start, end=datetime.date(2026, 10, 25)
    )
    page.goto(f"{base}/assessment/{quarter.pk}/")
    page.screenshot(path=str(ARTIFACTS / "assessment-phone.png"), full_page=True)

    assert page.locator("tr.assessment-warnings").count() == 1
    assert _fits(page)

    # The same pages on a desktop, for the record.
    desktop = new_page(chromium, DESKTOP, errors)
    log_in(desktop, base, "deputy", PASSWORD)
    desktop.goto(f"{base}/changes/classes/{world.class_5a.pk}/?start={MONDAY.isoformat()}")
    desktop.locator(f"[data-testid=lesson-{second.pk}] summary").click()
    desktop.screenshot(path=str(ARTIFACTS / "changes-desktop.png"), full_page=True)
    desktop.goto(f"{base}/substitutions/?month=2026-10")
    desktop.screenshot(path=str(ARTIFACTS / "substitution-log-desktop.png"), full_page=True)

    assert errors == []
