"""The deputy makes a class's journal of final marks for binding on a phone, downloads it, and checks a printed
copy by its fingerprint before and after a teacher corrects a mark.

Debian's Chromium driven by Playwright (tests/browser/support.py); tasks run eagerly, so the document is
made by the time the page comes back.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from journal.services.final_marks import final_mark_set
from reports.models import DocumentKind, GeneratedDocument
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.reports.test_bound import Bound, bound  # noqa: F401 - the fixture


@pytest.mark.browser
def test_deputy_makes_the_bound_journal_and_checks_a_printed_copy(
    live_server: Any,
    transactional_db: None,
    bound: Bound,  # noqa: F811 - the fixture imported above
    chromium: Any,
) -> None:
    world = bound.world
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    base = live_server.url
    log_in(page, base, "deputy", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}/documents/bound/")
    page.locator("h1", has_text="Журнал итоговой успеваемости для прошивки").wait_for()
    row = page.locator(f"[data-testid=bound-row-{world.class_5a.pk}]")
    assert "выставлены полностью" in row.inner_text()
    assert "25.06.2027" in row.inner_text()
    row.locator(f"[data-testid=bound-make-{DocumentKind.BOUND_JOURNAL}-{world.class_5a.pk}]").click()
    page.locator(".alert-success").wait_for()
    assert "готов" in page.locator(".alert-success").inner_text()  # made at once here (no broker), as its row says
    document = GeneratedDocument.objects.get(kind=DocumentKind.BOUND_JOURNAL, class_group=world.class_5a)
    status = page.locator(f"[data-testid=document-status-{document.pk}]")
    assert status.get_attribute("data-status") == "done"
    page.screenshot(path=str(ARTIFACTS / "bound-journal-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    with page.expect_download() as download_info:
        status.locator("[data-testid=document-download]").click()
    data = open(download_info.value.path(), "rb").read()  # noqa: PTH123, SIM115 - Playwright's temporary file
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "ЖУРНАЛ ИТОГОВОЙ УСПЕВАЕМОСТИ" in text and "Прошито, пронумеровано и скреплено печатью" in text

    # The copy on the desk: its fingerprint typed as printed, in groups of four.
    printed = " ".join(document.fingerprint[i : i + 4] for i in range(0, 64, 4))
    page.get_by_role("link", name="Проверить напечатанную копию").click()
    page.locator("#fp").fill(printed)
    page.locator("[data-testid=verify-submit]").click()
    result = page.locator("[data-testid=verify-result]")
    assert result.get_attribute("data-result") == "matches"
    assert "Копия совпадает с журналом" in result.inner_text()

    final_mark_set(
        actor=world.users["teacher"],
        course=world.math_5a,
        student=world.other_child,
        kind="quarter",
        period=bound.q1,
        value="4",
        reason="ошибка ввода",
        expected_version=1,
    )
    page.locator("#fp").fill(printed)
    page.locator("[data-testid=verify-submit]").click()
    result = page.locator("[data-testid=verify-result]")
    assert result.get_attribute("data-result") == "changed"
    changes = page.locator("[data-testid=verify-changes]").inner_text()
    assert "Волкова Алиса" in changes and "Математика · 1 четверть" in changes
    page.screenshot(path=str(ARTIFACTS / "bound-verify-changed-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not errors, errors
