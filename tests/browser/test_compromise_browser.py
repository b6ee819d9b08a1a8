"""A parent who sees a stranger's sign-in reports it from their phone: the login is locked at once and the
other browser is signed out; the administrator makes the Act, which voids what was done since."""

from __future__ import annotations

import pytest

from accounts.models import CompromiseReport
from tests.browser.support import DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World


@pytest.mark.browser
def test_a_parent_reports_a_compromised_login_and_the_administrator_makes_the_act(live_server, world: World, chromium):
    errors: list[str] = []
    base = live_server.url
    stranger = new_page(chromium, DESKTOP, errors)
    log_in(stranger, base, "parent", PASSWORD)
    parent = new_page(chromium, PHONE, errors)
    log_in(parent, base, "parent", PASSWORD)

    parent.locator(".navbar-toggler").click()
    parent.locator("#main-nav.collapse.show").wait_for()
    parent.locator("[data-testid=current-user]").click()
    parent.get_by_role("link", name="Мои входы").click()
    assert "вход выполнен" in parent.locator("[data-testid=sign-ins]").inner_text()
    parent.locator("[data-testid=report-compromise]").click()
    assert "в течение одного часа" in parent.locator("main").inner_text()
    parent.locator("#cr-confirm").check()
    parent.locator("[data-testid=compromise-submit]").click()
    parent.locator("[data-testid=compromise-done]").wait_for()
    assert parent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    stranger.reload()
    assert "/accounts/login/" in stranger.url  # the other session ended with the report

    admin = new_page(chromium, DESKTOP, errors)
    log_in(admin, base, "administrator", PASSWORD)
    admin.get_by_role("button", name="Администрирование").click()
    admin.get_by_role("link", name="Компрометация входа").click()
    admin.locator("[data-testid=compromise-reports] a").first.click()
    admin.locator("[data-testid=make-act]").click()
    admin.locator("[data-testid=act-made]").wait_for()
    assert "Акт № 1" in admin.locator("[data-testid=act-made]").inner_text()
    assert CompromiseReport.objects.get().act_number == 1
    assert errors == []
