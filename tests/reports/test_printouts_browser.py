"""The class teacher makes a week's paper printout on a phone: «Сформировать», progress, the download.

Debian's Chromium driven by Playwright (tests/browser/support.py). Tasks run eagerly here, so the
requested week is done by the time the page comes back; a second week, queued before, is made while
the page is open and its row turns into a download link through the htmx polling.
"""

from __future__ import annotations

from typing import Any

import pytest

from reports.models import DocumentStatus, GeneratedDocument
from reports.services.documents import document_run
from reports.services.printouts import weekly_printout_request
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.reports.conftest import Week, day


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
def test_class_teacher_generates_a_printout_sees_progress_and_downloads_it(
    live_server: Any,
    transactional_db: None,
    week: Week,
    chromium: Any,
) -> None:
    world = week.world
    earlier = weekly_printout_request(
        actor=world.users["class_teacher"], class_group=world.class_5a, week=day(-7), enqueue=False
    )
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "class_teacher", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    # From the class page to its printouts.
    page.goto(f"{base}/classes/{world.class_5a.pk}/")
    page.locator("[data-testid=class-printouts-link]").click()
    page.locator("h1", has_text="Еженедельные распечатки класса 5А").wait_for()
    waiting = page.locator(f"[data-testid=document-status-{earlier.pk}]")
    assert "ожидает очереди" in waiting.inner_text()
    assert "Соколов Артём" in page.locator("[data-testid=printout-students]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "printouts-queued-phone.png"), full_page=True)
    assert _fits(page)

    # «Сформировать» for the week of 30 November, chosen by any day of it.
    page.locator("#id_week").fill(day(3).isoformat())
    # While it is being made (inline here, a few seconds) the button says so and cannot be pressed again:
    # seen by an observer that notes it in the tab's session storage, which outlives the page.
    page.evaluate(
        """() => new MutationObserver(() => {
             const b = document.querySelector('[data-testid=printout-generate]');
             if (b && b.disabled && b.textContent.includes('Формируется')) sessionStorage.setItem('busy', 'seen');
           }).observe(document.body, {subtree: true, attributes: true, childList: true, characterData: true})"""
    )
    page.locator("[data-testid=printout-generate]").click()
    page.locator(".alert-success").wait_for()
    assert page.evaluate("sessionStorage.getItem('busy')") == "seen"
    # Made at once (no broker): it says ready, as its row does, not «made in the background».
    assert "30 ноября – 6 декабря 2026 г." in page.locator(".alert-success").inner_text()
    assert "готова" in page.locator(".alert-success").inner_text()
    assert "в фоне" not in page.locator(".alert-success").inner_text()
    made = GeneratedDocument.objects.exclude(pk=earlier.pk).get()
    row = page.locator(f"[data-testid=document-status-{made.pk}]")
    assert row.get_attribute("data-status") == DocumentStatus.DONE
    with page.expect_download() as download_info:
        row.locator("[data-testid=document-download]").click()
    assert download_info.value.suggested_filename == "Распечатка 5А 30.11–06.12.2026.pdf"

    # The earlier week is made while the page is open: the polled row turns into a link.
    document_run(document_id=earlier.pk)
    waiting = page.locator(f"[data-testid=document-status-{earlier.pk}]")
    waiting.locator("[data-testid=document-download]").wait_for(timeout=10_000)
    assert waiting.get_attribute("data-status") == DocumentStatus.DONE
    page.screenshot(path=str(ARTIFACTS / "printouts-done-phone.png"), full_page=True)
    assert _fits(page)
    assert errors == []
