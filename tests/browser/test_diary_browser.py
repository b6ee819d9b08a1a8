"""A parent of two children reads the diary on a phone and acknowledges a week; the class teacher sees it.

Debian's Chromium driven by Playwright (tests/browser/support.py); a console error (a CSP refusal,
say) fails the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from diary.models import WeekAcknowledgement
from journal import models as m
from journal.services.structure import parent_link_create
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

WEEK = datetime.date(2026, 11, 16)
NEXT = WEEK + datetime.timedelta(days=7)


def _fits(page: Any) -> bool:
    """No horizontal scrolling at 360 px."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_parent_switches_children_goes_on_a_week_and_acknowledges_it(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    parent = world.users["parent"]
    parent_link_create(actor=None, parent=parent, student=world.student_6b, relation="mother", consent_given=True)
    teacher = world.users["teacher"]
    for offset in range(5):
        held = m.Lesson.objects.create(
            course=world.math_5a,
            date=NEXT + datetime.timedelta(days=offset),
            slot=2,
            teacher=teacher,
            status="held",
            topic=f"Десятичные дроби, урок {offset + 1}: сравнение и округление",
        )
        m.Mark.objects.create(lesson=held, student=world.child, value="5", weight=Decimal(1), author=teacher)
    m.Lesson.objects.create(course=world.russian_6b, date=WEEK, slot=1, topic="Причастный оборот")
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "parent", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    # From the home page to the diary of the first child (by name: Новиков, 6Б), a past week.
    page.locator(f"[data-testid=diary-link-{world.student_6b.pk}]").click()
    page.goto(f"{page.url}?week={WEEK.isoformat()}")
    assert "Причастный оборот" in page.locator(f"[data-testid=day-{WEEK.isoformat()}]").inner_text()
    assert _fits(page)

    # Switch to the other child, keep the week, go to the next one.
    page.locator(f"[data-testid=child-{world.child.pk}]").click()
    assert page.locator("[data-testid=diary-student]").inner_text() == world.child.full_name
    assert page.locator("[data-testid=week-range]").inner_text().startswith(WEEK.strftime("%d.%m.%Y"))
    page.locator("[data-testid=next-week]").click()
    assert page.locator("[data-testid=week-range]").inner_text().startswith(NEXT.strftime("%d.%m.%Y"))
    assert page.locator("[data-testid=mark]").count() == 5
    page.screenshot(path=str(ARTIFACTS / "diary-week-phone.png"), full_page=True)
    assert _fits(page)

    # «Подтвердить: неделю прочитал(а)»: pressed once, then the confirmation with its date and time instead.
    page.locator("[data-testid=acknowledge]").click()
    page.locator("[data-testid=acknowledged]").wait_for()
    assert page.locator("[data-testid=acknowledged]").inner_text().startswith("Прочитано, подтверждено")
    assert page.locator("[data-testid=acknowledge]").count() == 0
    ack = WeekAcknowledgement.objects.get()
    assert (ack.parent, ack.student, ack.week_start) == (parent, world.child, NEXT)
    page.screenshot(path=str(ARTIFACTS / "diary-acknowledged-phone.png"), full_page=True)

    # The class teacher of 5А opens the class page and the week's acknowledgements.
    teacher_page = new_page(chromium, PHONE, errors)
    log_in(teacher_page, base, "class_teacher", PASSWORD)
    teacher_page.goto(f"{base}/classes/{world.class_5a.pk}/")
    teacher_page.locator("[data-testid=class-acknowledgements-link]").click()
    teacher_page.goto(f"{teacher_page.url}?week={NEXT.isoformat()}")
    row = teacher_page.locator(f"[data-testid=ack-row-{world.child.pk}]")
    assert row.locator("[data-testid=ack-yes]").count() == 1
    assert parent.full_name in row.inner_text()
    other = teacher_page.locator(f"[data-testid=ack-row-{world.other_child.pk}]")
    assert other.locator("[data-testid=ack-no]").count() == 1
    teacher_page.screenshot(path=str(ARTIFACTS / "diary-acknowledgements-phone.png"), full_page=True)
    assert _fits(teacher_page)
    assert errors == []
