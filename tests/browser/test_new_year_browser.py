"""The deputy walks the new-year wizard on a phone: the preview, the confirmation, the year made once, its
thematic plans copied, the year made current and last year's classes read from the archive."""

from __future__ import annotations

import pytest

from journal import models as m
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.journal.test_new_year import school_year  # noqa: F401 - the fixture


@pytest.mark.browser
def test_the_deputy_previews_and_makes_the_next_year(live_server, school_year, chromium):  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    log_in(page, live_server.url, "deputy", PASSWORD)
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.collapse.show").wait_for()
    page.get_by_role("button", name="Планирование").click()
    page.get_by_role("link", name="Следующий учебный год").click()

    classes = page.locator("[data-testid=new-year-classes]")
    assert "5А → 6А" in classes.inner_text()
    assert "9А (1)" in page.locator("[data-testid=new-year-graduating]").inner_text()
    assert "2027/2028" in page.locator("[data-testid=new-year-summary]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "new-year-preview-360.png"), full_page=True)

    # Not ticked: the browser asks for the tick, nothing is made.
    page.locator("[data-testid=new-year-confirm]").click()
    assert not m.AcademicYear.objects.filter(name="2027/2028").exists()
    page.locator("#ny-confirm").check()
    page.locator("[data-testid=new-year-confirm]").click()
    page.locator(".alert-success").first.wait_for()
    assert "2027/2028" in page.locator("main").inner_text()
    page.locator("[data-testid=new-year-exists]").wait_for()
    assert m.AcademicYear.objects.filter(name="2027/2028").count() == 1
    assert m.ClassGroup.objects.filter(year__name="2027/2028", grade=6, letter="А").exists()
    page.screenshot(path=str(ARTIFACTS / "new-year-made-360.png"), full_page=True)

    page.locator("[data-testid=new-year-copy-plans]").click()
    page.get_by_text("Тематические планы скопированы в 2027/2028").wait_for()
    page.locator("#ny-switch").check()
    page.locator("[data-testid=new-year-make-current]").click()
    page.get_by_text("2027/2028 — текущий учебный год").wait_for()
    assert "Классы · 2027/2028" in page.locator("h1").inner_text()
    page.locator("#cur-year").select_option(label="2026/2027")
    page.get_by_role("button", name="Показать").click()
    page.locator("[data-testid=year-archived]").wait_for()
    assert "5А" in page.locator("main table").inner_text()
    assert errors == []
