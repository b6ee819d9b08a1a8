"""Chromium's time from navigation to a usable course grid, against the bare table of the same rows.

Run on a generated school (``seed_demo --size large``, PostgreSQL), with Debian's Chromium and the dev
dependencies (Playwright)::

    manage.py bench_browser --rounds 7

Starts gunicorn (:func:`demo.bench_server.bench_server`), signs the demo teacher in, and at 1280 and
360 px (a phone: touch, 2× pixels) opens the teacher's grid of a quarter and the bare table in turn, round
by round, in one browser context per width (styles and scripts cached, as on a teacher's second visit).

"Usable" is the first frame after the page is ready: for the grid, after ``grid.js`` has placed its editor
(the ``journal-grid-ready`` mark, set before DOMContentLoaded as the script is deferred); for the bare
table, after DOMContentLoaded. Both are read by the same script in the page, which waits for the next
animation frame and then a task, so layout and paint of the table are inside the time. Prints the median
of the rounds for each, their ratio and the load average.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.bench_server import bench_course, bench_server, signed_in
from demo.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

# Runs before any script of the page: at DOMContentLoaded (the grid's deferred script has run by then),
# the next frame and the task after it give the time the page could first take a click.
USABLE = """
window.__usable = new Promise((resolve) => {
  document.addEventListener("DOMContentLoaded", () => {
    requestAnimationFrame(() => setTimeout(() => {
      const ready = performance.getEntriesByName("journal-grid-ready")[0];
      resolve({usable: performance.now(), ready: ready ? ready.startTime : null,
               cells: document.querySelectorAll("td").length});
    }, 0));
  });
});
"""


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Command(BaseCommand):
    help = "Chromium's time to a usable course grid at 1280 and 360 px, against the bare table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=7)

    def handle(self, *args: Any, rounds: int, **options: Any) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise CommandError("Playwright is a dev dependency: pip install -e .[dev]") from exc
        if not Path(CHROMIUM).exists():
            raise CommandError(f"{CHROMIUM} is not installed (apt-get install chromium)")
        found = bench_course()
        with bench_server() as base, signed_in("teacher") as session_key, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            self.stdout.write(f"load average: {_load()}")
            self.stdout.write(f"{'width':>6} {'grid ms':>8} {'bare ms':>8} {'ratio':>6}  cells  grid ready ms")
            for label, viewport, phone in (("1280", DESKTOP, False), ("360", PHONE, True)):
                context = browser.new_context(
                    viewport=viewport, is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1
                )
                context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
                context.add_init_script(USABLE)
                page = context.new_page()
                grid, bare = f"{base}{found.grid_path}", f"{base}{found.bare_grid_path}"
                self._open(page, grid)  # warm the caches of both
                self._open(page, bare)
                ours: list[dict[str, Any]] = []
                theirs: list[dict[str, Any]] = []
                for _ in range(rounds):
                    ours.append(self._open(page, grid))
                    theirs.append(self._open(page, bare))
                if any(t["ready"] is None for t in ours):
                    raise CommandError("the grid page never marked itself ready (is grid.js served?)")
                ratio = statistics.median(a["usable"] / b["usable"] for a, b in zip(ours, theirs, strict=True))
                self.stdout.write(
                    f"{label:>6} {statistics.median(t['usable'] for t in ours):8.0f}"
                    f" {statistics.median(t['usable'] for t in theirs):8.0f} {ratio:6.2f}"
                    f"  {ours[0]['cells']:5d}  {statistics.median(t['ready'] for t in ours):8.0f}"
                )
                context.close()
            browser.close()
            self.stdout.write(f"load average: {_load()}")

    def _open(self, page: Any, url: str) -> dict[str, Any]:
        response = page.goto(url, wait_until="domcontentloaded")
        if response is None or response.status != 200:
            raise CommandError(f"{url}: HTTP {response.status if response else '?'}")
        timing: dict[str, Any] = page.evaluate("window.__usable")
        return timing
