"""The teacher types year marks with the keyboard: each save moves down the column; a mark that
differs from the suggestion asks for the reason, then it is saved.

Debian's Chromium driven by Playwright (tests/browser/support.py); a console error (a CSP refusal,
say) fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from journal import models as m
from journal.selectors.periods import course_students_in
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World
from tests.journal.test_year_finals import QUARTERS


def _fits(page: Any) -> bool:
    """Nothing but the tables' own scroll boxes is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _focused_testid(page: Any, expected: str) -> str:
    """The data-testid of the year-page cell that holds the focused element, once it is ``expected`` (the focus
    moves after the saved row is swapped in) or after a few seconds."""
    script = "document.activeElement?.closest('.year-cell')?.dataset.testid || ''"
    try:
        page.wait_for_function(f"(expected) => ({script}) === expected", arg=expected, timeout=5000)
    except PlaywrightTimeout:
        pass
    return str(page.evaluate(script))


@pytest.mark.browser
def test_teacher_types_year_marks_with_the_keyboard_and_gives_a_reason_for_a_differing_one(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    quarters = [
        m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=n, start=start, end=end)
        for n, (start, end) in enumerate(QUARTERS, start=1)
    ]
    first, second = course_students_in(world.math_5a, world.year.start, world.year.end)
    for student, values in ((first, "5445"), (second, "4544")):  # both: mean 4.50, suggested 4
        for period, value in zip(quarters, values, strict=True):
            m.FinalMark.objects.create(
                course=world.math_5a,
                student=student,
                kind="quarter",
                period=period,
                value=value,
                suggested=value,
                author=world.users["teacher"],
            )
    errors: list[str] = []
    page = new_page(chromium, DESKTOP, errors)
    base = live_server.url
    log_in(page, base, "teacher", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    # From the course page to the year page.
    page.goto(f"{base}/courses/{world.math_5a.pk}/")
    page.locator("[data-testid=year-finals-link]").click()
    page.locator(f"[data-testid=year-row-{first.pk}]").wait_for()
    assert "среднее арифметическое" in page.locator("[data-testid=year-rules]").text_content()
    assert page.locator(f"[data-testid=year-row-{first.pk}] [data-testid=suggested-year]").inner_text() == "4"

    # The first student: the suggested 4, typed on the focused select; Tab to the reason, Enter saves.
    page.locator(f"[data-testid=year-{first.pk}] select").focus()
    page.keyboard.press("4")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(".alert-success").wait_for()
    assert page.locator(f"[data-testid=year-{first.pk}] [data-testid=saved-value]").inner_text() == "4"
    # The focus is on the next student's year mark.
    assert _focused_testid(page, f"year-{second.pk}") == f"year-{second.pk}"

    # The second student: a 5 without a reason is refused with the question next to it, nothing saved.
    page.keyboard.press("5")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    cell = page.locator(f"[data-testid=year-{second.pk}]")
    cell.locator("[data-testid=row-error]").wait_for()
    assert "«5»" in cell.locator("[data-testid=row-error]").inner_text()
    assert "причину" in cell.locator("[data-testid=row-error]").inner_text()
    assert not m.FinalMark.objects.filter(kind="year", student=second).exists()
    assert _focused_testid(page, f"year-{second.pk}") == f"year-{second.pk}"
    assert cell.locator("select").input_value() == "5"
    page.screenshot(path=str(ARTIFACTS / "year-marks-reason.png"), full_page=True)

    # With the reason typed (Tab from the select, then Enter) it is saved.
    page.keyboard.press("Tab")
    page.keyboard.type("Сильная работа в 4 четверти")
    page.keyboard.press("Enter")
    page.locator(".alert-success").wait_for()
    assert page.locator(f"[data-testid=year-{second.pk}] [data-testid=saved-value]").inner_text() == "5"

    marks = {f.student_id: f for f in m.FinalMark.objects.filter(kind="year")}
    assert (marks[first.pk].value, marks[first.pk].suggested, marks[first.pk].reason) == ("4", "4", "")
    assert (marks[second.pk].value, marks[second.pk].suggested, marks[second.pk].reason) == (
        "5",
        "4",
        "Сильная работа в 4 четверти",
    )
    # The final mark now follows the year mark (no exam in grade 5).
    final = page.locator(f"[data-testid=final-{second.pk}]")
    assert final.locator("[data-testid=suggested]").inner_text() == "5"

    # The page fits a phone.
    phone = new_page(chromium, PHONE, errors)
    log_in(phone, base, "teacher", PASSWORD)
    phone.goto(f"{base}/courses/{world.math_5a.pk}/finals/year/")
    phone.screenshot(path=str(ARTIFACTS / "year-marks-phone.png"), full_page=True)
    assert _fits(phone)
    # The refused save answers 400 (the form with its error), which Chromium logs; nothing else may be logged.
    assert [e for e in errors if "status of 400" not in e] == []
