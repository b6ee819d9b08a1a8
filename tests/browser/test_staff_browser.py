"""The administrator adds a new teacher on a phone, types the name and ticks the roles, finds the teacher in
the staff list with the roles of this school, and prints the slip; a missing role is said in Russian."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World


@pytest.mark.browser
def test_the_administrator_adds_a_teacher_and_prints_the_slip(live_server, world: World, chromium, tmp_path: Path):
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    log_in(page, live_server.url, "administrator", PASSWORD)
    page.goto(f"{live_server.url}/accounts/")
    page.locator("[data-testid=staff-new-link]").click()

    page.get_by_label("Фамилия").fill("Кравцова")
    page.get_by_label("Имя", exact=True).fill("Нина")
    page.get_by_label("Отчество").fill("Сергеевна")
    page.get_by_label("Телефон").fill("+7 900 111-22-33")
    page.locator("[data-testid=staff-save]").click()
    assert "Выберите хотя бы одну роль" in page.locator("[data-testid=staff-form]").inner_text()

    page.get_by_label("Учитель").check()
    page.get_by_label("Заместитель директора").check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-new-360.png"), full_page=True)
    page.locator("[data-testid=staff-save]").click()

    assert "логин kravtsova.ns" in page.locator("main").inner_text()
    row = page.locator("tr", has_text="kravtsova.ns")
    assert "Заместитель директора, Учитель" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("button", name="Новый листок").click()
    pdf = tmp_path / "slip.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert re.search(r"Логин:\s*\nkravtsova\.ns", text) and "Кравцова" in text
    # The refused save answers 400 (the form with its error), which Chromium logs; nothing else may be logged.
    assert [e for e in errors if "status of 400" not in e] == []
