"""A whole lesson kept on a 360 px phone, by taps: from the desk to the grid, three absences and 23 marks
with the picker beside each cell (the keyboard never opens), then the topic, «everyone else present» and
the homework on the lesson's page. The time it takes is printed and held to a minute."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from journal import models as m
from journal.services.structure import enrolment_create
from tests.browser.support import ARTIFACTS, PASSWORD, PHONE, grid_cell, log_in, track_requests
from tests.conftest import World
from tests.factories import YEAR_START, StudentFactory, quarter_around_today

TODAY = timezone.localdate()
ABSENT = 3
STUDENTS = 26


@pytest.fixture
def lesson_today(world: World) -> m.Lesson:
    quarter_around_today(world.year)
    for i in range(STUDENTS - 2):  # the class has two students already
        student = StudentFactory(school=world.school, last_name=f"Ученик{i:02d}", first_name="Пётр")
        enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
    teacher = world.users["teacher"]
    for days in (7, 5, 2):
        m.Lesson.objects.create(
            course=world.math_5a, date=TODAY - datetime.timedelta(days=days), slot=1, teacher=teacher, topic="Дроби"
        )
    return m.Lesson.objects.create(course=world.math_5a, date=TODAY, slot=2, teacher=teacher)


@pytest.mark.browser
def test_a_whole_lesson_is_kept_on_a_phone_in_under_a_minute(live_server, lesson_today, world: World, chromium):
    context = track_requests(
        chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ru-RU")
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server.url, "teacher", PASSWORD)
    taps = 0
    started = time.monotonic()

    # The desk lists today's lesson with what is left to fill; its «Журнал» opens the grid on today.
    desk_row = page.locator(f"[data-testid=desk-lesson-{lesson_today.pk}]")
    assert "посещаемость" in desk_row.inner_text()
    desk_row.locator("a.btn").tap()
    taps += 1
    page.wait_for_url(f"**/courses/{world.math_5a.pk}/journal/")
    rows = page.locator("#journal-grid tbody tr[data-s]")
    assert rows.count() == STUDENTS
    students = [int(rows.nth(i).get_attribute("data-s")) for i in range(STUDENTS)]

    first = grid_cell(page, students[0], lesson_today.pk)
    first.tap()
    taps += 1
    pop = page.locator("[data-testid=grid-pop]")
    pop.wait_for()
    assert page.locator("[data-testid=grid-editor]").get_attribute("inputmode") == "none"  # no keyboard
    page.screenshot(path=str(_artifact("phone-lesson-picker.png")))
    marks = ["5", "4", "3", "4", "5"]
    for index, student in enumerate(students):
        # The picker stands at the student's cell: no scrolling to reach it.
        cell_box, pop_box = grid_cell(page, student, lesson_today.pk).bounding_box(), pop.bounding_box()
        assert abs(pop_box["y"] - (cell_box["y"] + cell_box["height"])) < 8 or pop_box["y"] < cell_box["y"]
        if index < ABSENT:
            pop.locator("button.btn-outline-secondary.jg-pick").first.tap()  # the absence letter
        else:
            pop.locator(f"button[data-pick='{marks[index % len(marks)]}']").tap()
        taps += 1
    page.wait_for_function("() => !document.querySelector('#journal-grid td.jg-saving, #journal-grid td.jg-pending')")
    assert page.locator("#journal-grid td.jg-error, #journal-grid td.jg-conflict").count() == 0

    # The column's date opens the lesson's page: topic, the rest present, homework.
    page.locator(f"#journal-grid th[data-l='{lesson_today.pk}'] a").tap()
    taps += 1
    page.locator("[data-testid=topic-form]").wait_for()
    page.locator("[data-testid=topic-form] [name=topic]").fill("Сложение дробей")
    page.locator("[data-testid=topic-form] button[type=submit]").tap()
    taps += 3  # the field, its typing, the button
    page.locator("[data-testid=attendance-taken-button]").tap()
    taps += 1
    page.locator("[data-testid=homework-form]").wait_for()
    page.locator("#homework-text").fill("№ 245, 246")
    page.locator("[data-testid=homework-form] button[type=submit]").tap()
    taps += 3
    page.locator("[data-testid=homework-text]").wait_for()
    took = time.monotonic() - started
    page.screenshot(path=str(_artifact("phone-lesson-done.png")), full_page=True)
    print(f"phone lesson: {STUDENTS} students, {taps} taps, {took:.1f} s")

    lesson_today.refresh_from_db()
    assert lesson_today.topic == "Сложение дробей"
    assert lesson_today.attendance_taken_at is not None
    assert m.Homework.objects.get(lesson=lesson_today).text == "№ 245, 246"
    assert m.Attendance.objects.filter(lesson=lesson_today).count() == ABSENT
    assert m.Mark.objects.filter(lesson=lesson_today).count() == STUDENTS - ABSENT
    assert taps <= STUDENTS + 12
    assert took <= 60, f"the lesson took {took:.1f} s"
    assert errors == []


def _artifact(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 600}], ids=["360", "1280"])
def test_the_dates_and_the_names_stay_in_sight_while_the_grid_scrolls(
    live_server, lesson_today, world: World, chromium, viewport
):
    page = chromium.new_context(viewport=viewport, locale="ru-RU").new_page()
    log_in(page, live_server.url, "teacher", PASSWORD)
    page.goto(f"{live_server.url}/courses/{world.math_5a.pk}/journal/")
    box = page.locator(".journal-grid-wrap")
    # Today's column is tinted, and the editor waits in it.
    assert page.locator("#journal-grid col.jg-today").count() == 1
    today_head = page.locator(f"#journal-grid th[data-l='{lesson_today.pk}']")
    assert today_head.is_visible()
    box.evaluate("(el) => { el.scrollTop = 400; el.scrollLeft = 200; }")
    page.wait_for_timeout(50)
    frame = box.bounding_box()
    head = page.locator("#journal-grid thead th").first.bounding_box()
    name = page.locator("#journal-grid tbody th.jg-name").nth(12).bounding_box()
    assert abs(head["y"] - frame["y"]) <= 2  # the date row is at the top of the box
    assert abs(name["x"] - frame["x"]) <= 2  # the names stay at its left edge
    # The summary columns are reached by scrolling the same box to its end.
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    summary = page.locator("#journal-grid thead th.jg-sum").last.bounding_box()
    assert summary["x"] + summary["width"] <= frame["x"] + frame["width"] + 2
