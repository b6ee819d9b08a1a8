"""The deputy builds the timetable in the browser: a lesson added in place, clashes refused.

Debian's Chromium driven by Playwright (see test_login_browser.py); htmx swaps
the cell forms in under the CSP, so a console error would fail the test. Screenshots
keep the caret (``caret="initial"``, see ``tests.browser.support.new_page``).
"""

from __future__ import annotations

from typing import Any

import pytest

from journal import models as m
from journal.services.structure import teaching_assignment_create
from journal.services.timetable import timetable_entry_create
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World
from tests.factories import YEAR_START

ON = "2026-11-16"


def _open_add_form(page: Any, weekday: int, slot: int) -> Any:
    cell = page.locator(f"[data-testid=cell-{weekday}-{slot}]")
    cell.locator(f"[data-testid=add-{weekday}-{slot}]").click()
    cell.locator("form[data-testid=entry-form]").wait_for()
    return cell


def _fill(cell: Any, weekday: int, slot: int, course: str, room: str) -> None:
    cell.locator(f"#id_course_{weekday}_{slot}").select_option(label=course)
    cell.locator(f"#id_room_{weekday}_{slot}").select_option(label=room)
    cell.locator(f"#id_valid_from_{weekday}_{slot}").fill(YEAR_START.isoformat())
    cell.locator("button[type=submit]").click()


@pytest.mark.browser
def test_deputy_adds_a_lesson_in_place_and_sees_clashes_refused(
    live_server: Any, transactional_db: None, world: World, bells: m.BellSchedule, chromium: Any
) -> None:
    room_204 = m.Room.objects.create(school=world.school, name="204")
    m.Room.objects.create(school=world.school, name="101")
    math_6b = m.Course.objects.create(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=math_6b, teacher=world.users["teacher"], date_from=YEAR_START)
    # Russian in 6Б already meets on Monday, lesson 2, in room 204.
    timetable_entry_create(actor=None, course=world.russian_6b, weekday=1, slot=2, room=room_204)
    errors: list[str] = []
    page = new_page(chromium, DESKTOP, errors)
    base = live_server.url
    log_in(page, base, "deputy", PASSWORD)

    # 5А, Monday, lesson 1: empty; the deputy adds mathematics in room 204.
    page.goto(f"{base}/timetable/class/{world.class_5a.pk}/?on={ON}")
    cell = _open_add_form(page, 1, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timetable-add-form-desktop.png"), full_page=True, caret="initial")
    _fill(cell, 1, 1, "Математика", "204")
    cell.locator("[data-testid=entry]").wait_for()

    assert "Математика" in cell.inner_text()
    assert "Иванова А." in cell.inner_text()
    assert "204" in cell.inner_text()
    assert cell.locator("form").count() == 0
    entry = m.TimetableEntry.objects.get(course=world.math_5a)
    assert (entry.weekday, entry.slot, entry.room, entry.valid_from) == (1, 1, room_204, YEAR_START)
    page.screenshot(path=str(ARTIFACTS / "timetable-class-desktop.png"), full_page=True, caret="initial")

    # 6Б, Monday, lesson 1: mathematics of the same teacher is refused, naming her.
    page.goto(f"{base}/timetable/class/{world.class_6b.pk}/?on={ON}")
    cell = _open_add_form(page, 1, 1)
    _fill(cell, 1, 1, "Математика", "101")
    alert = cell.locator("[data-testid=form-errors]")
    alert.wait_for()

    assert "Иванова А." in alert.inner_text()
    assert not m.TimetableEntry.objects.filter(course=math_6b).exists()
    page.screenshot(path=str(ARTIFACTS / "timetable-clash-desktop.png"), full_page=True, caret="initial")

    # 6Б, Monday, lesson 1 again: the room 204 is taken by 5А mathematics.
    cell.locator(f"#id_course_{1}_{1}").select_option(label="Русский язык")
    cell.locator(f"#id_room_{1}_{1}").select_option(label="204")
    cell.locator("button[type=submit]").click()
    cell.locator("[data-testid=form-errors]", has_text="204").wait_for()

    assert m.TimetableEntry.objects.filter(course=world.russian_6b).count() == 1  # only the Monday-2 one

    # Printed, the week keeps the grid and drops the navigation, the buttons and the footer.
    page.goto(f"{base}/timetable/class/{world.class_5a.pk}/?on={ON}")
    page.emulate_media(media="print")
    assert page.locator("[data-testid=timetable-grid]").is_visible()
    assert "Математика" in page.locator("[data-testid=cell-1-1]").inner_text()
    for hidden in ("nav.navbar", "footer", "[data-print]", "[data-testid=add-1-2]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    page.screenshot(path=str(ARTIFACTS / "timetable-class-print.png"), full_page=True, caret="initial")
    assert errors == []


@pytest.mark.browser
def test_class_timetable_fits_a_phone(
    live_server: Any, transactional_db: None, world: World, bells: m.BellSchedule, chromium: Any
) -> None:
    room = m.Room.objects.create(school=world.school, name="204")
    for weekday in range(1, 6):
        timetable_entry_create(actor=None, course=world.math_5a, weekday=weekday, slot=weekday, room=room)
    errors: list[str] = []
    page = new_page(chromium, PHONE, errors)
    log_in(page, live_server.url, "deputy", PASSWORD)

    page.goto(f"{live_server.url}/timetable/class/{world.class_5a.pk}/?on={ON}")

    assert page.locator("[data-testid=timetable-grid] [data-testid=entry]").count() == 5
    # The grid scrolls inside its box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timetable-class-360.png"), full_page=True, caret="initial")
    assert errors == []
