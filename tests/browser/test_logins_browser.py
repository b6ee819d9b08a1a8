"""The administrator issues a student's login on a phone and prints the slip; the student signs in with the
slip's login and password, typed as a phone's keyboard capitalises it, and is made to set their own."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World

OWN = "Svoy-parol-dlya-dnevnika-7"


@pytest.mark.browser
def test_the_administrator_issues_a_login_and_the_slip_signs_in(live_server, world: World, chromium, tmp_path: Path):
    errors: list[str] = []
    base = live_server.url
    admin = new_page(chromium, PHONE, errors)
    log_in(admin, base, "administrator", PASSWORD)
    admin.locator(".navbar-toggler").click()
    admin.locator("#main-nav.collapse.show").wait_for()
    admin.get_by_role("button", name="Администрирование").click()
    admin.get_by_role("link", name="Логины").click()
    admin.locator("[data-testid=accounts-classes]").get_by_role("link", name="5А").click()

    rows = admin.locator("[data-testid=class-accounts]")
    assert "нет логина" in rows.locator(f"[data-testid=account-s{world.other_child.pk}]").inner_text()
    admin.get_by_role("button", name="Снять отметки").click()
    admin.locator(f"#p-s{world.other_child.pk}").check()
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "logins-class-360.png"), full_page=True)
    with admin.expect_download() as download:
        admin.locator("[data-testid=issue-logins]").click()
    pdf = tmp_path / "slips.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    ((login, password),) = re.findall(r"Логин:\s*\n(\S+)\s*\nПароль:\s*\n(\S+)", text)
    assert "Волкова" in text and "5А" in text

    student = new_page(chromium, PHONE, errors)
    student.goto(f"{base}/accounts/login/")
    student.locator("#id_username").fill(login.capitalize())
    student.locator("#id_password").fill(password)
    student.locator("main form button[type=submit]").click()
    student.wait_for_url(f"{base}/accounts/password/")
    student.locator("#id_old_password").fill(password)
    student.locator("#id_new_password1").fill(OWN)
    student.locator("#id_new_password2").fill(OWN)
    student.locator("main form button[type=submit]").click()
    student.wait_for_url(f"{base}/")
    assert "Волкова" in student.locator("main").inner_text()
    assert errors == []
