"""The teacher sets a quarter mark on a phone: a differing mark needs a reason, then it is saved and shown.

Debian's Chromium driven by Playwright (tests/browser/test_login_browser.py);
a console error (a CSP refusal, say) fails the test.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from journal import models as m
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World


def _fits(page: Any) -> bool:
    """Nothing but the tables' own scroll boxes is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_teacher_sets_a_differing_final_mark_with_a_reason_on_a_phone(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    quarter = m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=1, start=world.year.start, end=datetime.date(2026, 10, 25)
    )
    for number, (value, weight) in enumerate((("5", "1"), ("3", "3"))):
        lesson = m.Lesson.objects.create(
            course=world.math_5a, date=world.year.start + datetime.timedelta(days=number), slot=1, status="held"
        )
        m.Mark.objects.create(
            lesson=lesson, student=world.child, value=value, weight=Decimal(weight), author=world.users["teacher"]
        )
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "teacher", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    # From the course page to its final marks.
    page.goto(f"{base}/courses/{world.math_5a.pk}/")
    page.locator("[data-testid=finals-link]").click()
    row = page.locator(f"[data-testid=final-row-{world.child.pk}]")
    assert row.locator("[data-testid=suggested]").inner_text() == "3"
    assert row.locator("select").input_value() == "3"
    page.screenshot(path=str(ARTIFACTS / "final-marks-phone.png"), full_page=True)
    assert _fits(page)

    # A 4 without a reason: the error is shown next to the row, nothing is saved.
    row.locator("select").select_option(value="4")
    row.locator("button[type=submit]").click()
    row = page.locator(f"[data-testid=final-row-{world.child.pk}]")
    row.locator("[data-testid=row-error]").wait_for()
    assert "«4»" in row.locator("[data-testid=row-error]").inner_text()
    assert not m.FinalMark.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "final-marks-error-phone.png"), full_page=True)
    assert _fits(page)

    # The child has 2 marks of the 3 needed: a numeric mark is confirmed once more.
    confirm = row.locator(f"[data-testid=confirm-{world.child.pk}]")
    assert "2 из 3" in confirm.inner_text()
    # With a reason and the confirmation it is saved and shown after the redirect.
    assert row.locator("select").input_value() == "4"
    row.locator("input.final-reason").fill("Исправил контрольную")
    confirm.locator("input").check()
    row.locator("button[type=submit]").click()
    page.locator(".alert-success").wait_for()
    row = page.locator(f"[data-testid=final-row-{world.child.pk}]")
    assert row.locator("[data-testid=saved-value]").inner_text() == "4"
    assert "Исправил контрольную" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "final-marks-saved-phone.png"), full_page=True)

    mark = m.FinalMark.objects.get()
    assert (mark.value, mark.suggested, mark.reason, mark.period) == ("4", "3", "Исправил контрольную", quarter)

    # «Save all» at the foot of the page: the other student's н/а is stored and the page comes back where
    # the teacher was, at the button.
    other = page.locator(f"[data-testid=final-row-{world.other_child.pk}]")
    other.locator("select").select_option(value="на")
    page.locator("[data-testid=save-all]").click()
    page.wait_for_url("**#final-save-all")
    page.locator(".alert-success").wait_for()
    assert m.FinalMark.objects.get(student=world.other_child).value == "на"
    assert m.FinalMark.objects.get(student=world.child).value == "4"
    assert page.evaluate(
        "(() => { const r = document.querySelector('[data-testid=save-all]').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    # The refused save answers 400 (the form with its error), which Chromium logs; nothing else may be logged.
    assert [e for e in errors if "status of 400" not in e] == []


@pytest.mark.browser
def test_deputy_pages_of_periods_and_policy_fit_a_phone(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    m.StudyPeriod.objects.create(
        year=world.year,
        kind=m.PeriodKind.QUARTER,
        number=1,
        start=world.year.start,
        end=datetime.date(2026, 10, 25),
        final_marks_deadline=datetime.date(2026, 10, 28),
        is_locked=True,
    )
    m.WorkType.objects.create(school=world.school, name="Контрольная работа", weight=Decimal(2))
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "deputy", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}/periods/")
    page.locator(".unlock-reason").fill("Исправление ошибки")
    page.locator(".unlock-reason + button").click()
    page.locator(".alert-success").wait_for()
    assert "Исправление ошибки" in page.locator("[data-testid=unlock-log]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "periods-phone.png"), full_page=True)
    assert _fits(page)

    page.goto(f"{base}/policy/")
    page.screenshot(path=str(ARTIFACTS / "policy-phone.png"), full_page=True)
    assert _fits(page)
    assert errors == []
