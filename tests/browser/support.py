"""Plain helpers of the browser tests: Debian's Chromium driven by Playwright (never ``playwright install``).

The ``chromium`` fixture itself lives in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from demo.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: F401 - the tests import them from here

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "pass-12345"  # UserFactory's password


def new_page(
    chromium: Any, viewport: dict[str, int], errors: list[str], locale: str = "ru-RU", *, console_url: bool = False
) -> Any:
    """A fresh page in a context of its own; console errors and page errors go to ``errors``.

    ``console_url`` adds the page's address to each console error. Screenshots of
    htmx pages keep the caret (``caret="initial"``): hiding it leaves ``style=""``
    on inputs, which htmx's settling would copy and the CSP refuse.
    """
    context = track_requests(chromium.new_context(viewport=viewport, locale=locale))
    page = context.new_page()
    page.set_default_timeout(15_000)
    if console_url:
        page.on("console", lambda msg: msg.type == "error" and errors.append(f"{msg.text} {page.url}"))
    else:
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


_IN_FLIGHT: dict[int, int] = {}


def track_requests(context: Any) -> Any:
    """Count the context's requests still unanswered, for ``close_contexts``."""
    key = id(context)
    _IN_FLIGHT[key] = 0

    # A request the page fires while its context is being closed arrives after the count is dropped: ignored.
    def started(_request: Any) -> None:
        if key in _IN_FLIGHT:
            _IN_FLIGHT[key] += 1

    def ended(_request: Any) -> None:
        if key in _IN_FLIGHT:
            _IN_FLIGHT[key] -= 1

    context.on("request", started)
    context.on("requestfinished", ended)
    context.on("requestfailed", ended)
    return context


def close_contexts(chromium: Any, timeout_ms: int = 5_000) -> None:
    """Let the requests a test left in flight be answered, then close every context.

    A save or an htmx load the page fires just as a test ends would otherwise
    still be running in the live server while the test database is flushed.
    """
    for context in list(chromium.contexts):
        key = id(context)
        waited = 0
        while _IN_FLIGHT.get(key, 0) > 0 and context.pages and waited < timeout_ms:
            context.pages[0].wait_for_timeout(25)
            waited += 25
        context.close()
        _IN_FLIGHT.pop(key, None)


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Log in through the login form and wait for the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def grid_cell(page: Any, student_id: int, lesson_id: int) -> Any:
    """The journal grid's cell of a student (its row) and a lesson (its column), as a locator of the ``<td>``."""
    column = page.evaluate(
        "(id) => Array.from(document.querySelectorAll('#journal-grid thead th'))"
        ".findIndex((th) => th.dataset.l === id)",
        str(lesson_id),
    )
    assert column >= 0, f"no column of lesson {lesson_id}"
    return page.locator(f'#journal-grid tr[data-s="{student_id}"] > :nth-child({column + 1})')


def grid_text(cell: Any) -> str:
    """What a grid cell shows: the editor's text while it sits there, else the cell's own."""
    return str(
        cell.evaluate("(td) => (td.querySelector('input') ? td.querySelector('input').value : td.textContent).trim()")
    )
