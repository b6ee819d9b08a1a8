"""The browser tests' one Chromium: Debian's ``/usr/bin/chromium`` driven by Playwright.

These fixtures are made available to every test by ``tests/conftest.py``, so a
browser test outside ``tests/browser`` gets the same Chromium and the same teardown.

``DJANGO_ALLOW_ASYNC_UNSAFE`` is set in ``tests/conftest.py``. Plain helpers
(``new_page``, ``log_in``, the viewports) are in ``tests/browser/support.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, close_contexts


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium per test module; the module is skipped when Playwright or Chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _pages_closed_before_the_database_is_flushed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close a browser test's pages once their requests are answered, before its database goes.

    The database and live server fixtures are set up first, so this teardown runs
    before theirs: no request of the finished test reaches a flushed database.
    """
    if "chromium" not in request.fixturenames:
        yield
        return
    for name in ("transactional_db", "live_server"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    browser = request.getfixturevalue("chromium")
    yield
    close_contexts(browser)
