"""A teacher whose phone is set to English: the journal opens in Russian; she taps «EN» in the footer, and
the next day, on the school's computer, it is in English after signing in.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from tests.browser.support import PASSWORD, PHONE, close_contexts, log_in, new_page
from tests.factories import SchoolFactory, UserFactory


@pytest.mark.browser
def test_the_language_is_russian_until_the_teacher_chooses_english_and_then_follows_her(
    live_server: Any, transactional_db: None, chromium: Any
) -> None:
    UserFactory(
        username="teacher", school=SchoolFactory(), roles=(Role.TEACHER,), first_name="Анна", last_name="Иванова"
    )
    errors: list[str] = []
    try:
        phone = new_page(chromium, PHONE, errors, locale="en-US")
        log_in(phone, live_server.url, "teacher", PASSWORD)
        assert phone.locator("html").get_attribute("lang") == "ru"
        assert "Здравствуйте, Анна!" in phone.locator("main h1").inner_text()

        phone.locator("footer button[value=en]").click()
        phone.wait_for_load_state()
        assert phone.locator("html").get_attribute("lang") == "en"
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        office = new_page(chromium, {"width": 1280, "height": 800}, errors, locale="ru-RU")
        office.goto(f"{live_server.url}/accounts/login/")
        assert office.locator("html").get_attribute("lang") == "ru"  # nobody signed in on this browser yet
        log_in(office, live_server.url, "teacher", PASSWORD)
        assert office.locator("html").get_attribute("lang") == "en"
        assert "Hello, Анна!" in office.locator("main h1").inner_text()
        assert errors == []
    finally:
        close_contexts(chromium)
