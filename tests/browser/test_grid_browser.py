"""The teacher keeps the course journal with the keyboard: marks, attendance, a refused mark, a conflict.

Debian's Chromium driven by Playwright (tests/browser/test_login_browser.py);
a console error (a CSP refusal, say) fails the test, except the browser's own
note of the 400/409 answers the tests provoke on purpose.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.utils import timezone

from journal import models as m
from journal.services.marks import mark_set
from journal.services.structure import enrolment_create, teaching_assignment_create
from journal.services.substitutions import substitution_assign
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, grid_cell, grid_text, log_in, new_page
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, CourseFactory, StudentFactory, SubjectFactory

# Also run on SQLite, the zero-setup default (scripts/test.sh).
pytestmark = pytest.mark.both_engines

TODAY = timezone.localdate()


def _quarter(world: World) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(
        year=world.year,
        kind=m.PeriodKind.QUARTER,
        number=2,
        start=TODAY - datetime.timedelta(days=30),
        end=TODAY + datetime.timedelta(days=10),
    )


def _lessons(course: m.Course, count: int) -> list[m.Lesson]:
    return [
        m.Lesson.objects.create(
            course=course, date=TODAY - datetime.timedelta(days=count - i), slot=1, topic=f"Тема {i}"
        )
        for i in range(count)
    ]


def _real_errors(errors: list[str]) -> list[str]:
    """Console errors but the browser's note of an answer the test asked for (400, 409)."""
    return [e for e in errors if "status of 400" not in e and "status of 409" not in e]


def _fits(page: Any) -> bool:
    """Nothing but the table's own scroll box is wider than the screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _cell(page: Any, student: m.Student, lesson: m.Lesson) -> Any:
    return grid_cell(page, student.pk, lesson.pk)


def _teachers_grid(chromium: Any, base: str, course: m.Course, viewport: dict[str, int], errors: list[str]) -> Any:
    """A fresh page where the ``teacher`` login has opened the course's grid."""
    page = new_page(chromium, viewport, errors)
    log_in(page, base, "teacher", PASSWORD)
    page.goto(f"{base}/courses/{course.pk}/journal/?month=all")
    return page


@pytest.mark.browser
def test_teacher_types_a_row_of_marks_and_attendance_with_the_keyboard_and_sees_them_after_reload(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    lessons = _lessons(world.math_5a, 4)
    pupil = world.other_child  # Волкова: the first row
    errors: list[str] = []
    page = new_page(chromium, DESKTOP, errors)
    base = live_server.url
    log_in(page, base, "teacher", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    page.locator(f"[data-testid=journal-link-{world.math_5a.pk}]").click()
    page.wait_for_url(f"{base}/courses/{world.math_5a.pk}/journal/")
    # It opens on the month holding today; the lessons here span the quarter: «Весь период».
    page.locator("[data-testid=months] a").first.click()
    page.wait_for_url("**month=all")
    _cell(page, pupil, lessons[0]).click()
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("н")
    page.keyboard.press("Tab")
    page.keyboard.type("4/5")
    page.keyboard.press("Enter")  # saves and goes down: Соколов, the same lesson
    page.keyboard.type("3")
    page.keyboard.press("ArrowUp")  # saves on leaving
    for student, lesson in [(pupil, lessons[0]), (pupil, lessons[1]), (pupil, lessons[2]), (world.child, lessons[2])]:
        cell = _cell(page, student, lesson)
        page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle())
    assert "jg-saved" in (_cell(page, pupil, lessons[2]).get_attribute("class") or "")
    # The row's summary follows the saves without a reload: 5, 4 and 5 at weight 1.
    average = f"document.querySelector('[data-testid=avg-{pupil.pk}]').textContent"
    page.wait_for_function(f"() => ['4.67', '4,67'].includes({average})")
    assert page.locator(f"[data-testid=suggested-{pupil.pk}]").inner_text() == "5"
    assert page.locator(f"[data-testid=count-{pupil.pk}]").inner_text().startswith("3/")
    page.screenshot(path=str(ARTIFACTS / "grid-desktop.png"), full_page=True)

    marks = m.Mark.objects.filter(student=pupil).order_by("lesson__date", "position")
    assert [(mark.lesson_id, mark.value) for mark in marks] == [
        (lessons[0].pk, "5"),
        (lessons[2].pk, "4"),
        (lessons[2].pk, "5"),
    ]
    assert m.Attendance.objects.get(student=pupil).lesson_id == lessons[1].pk
    assert m.Mark.objects.get(student=world.child).value == "3"

    page.reload()
    assert grid_text(_cell(page, pupil, lessons[0])) == "5"
    assert grid_text(_cell(page, pupil, lessons[1])) == "Н"
    assert grid_text(_cell(page, pupil, lessons[2])) == "4/5"
    assert grid_text(_cell(page, world.child, lessons[2])) == "3"
    assert page.locator(f"[data-testid=avg-{pupil.pk}]").inner_text() in ("4.67", "4,67")

    # Esc puts back what is stored.
    cell = _cell(page, pupil, lessons[0])
    cell.click()
    page.keyboard.type("2")
    page.keyboard.press("Escape")
    assert grid_text(cell) == "5"

    # On a phone the table scrolls inside its box; the names stay on the left.
    phone = new_page(chromium, PHONE, errors)
    log_in(phone, base, "teacher", PASSWORD)
    phone.goto(f"{base}/courses/{world.math_5a.pk}/journal/?month=all")
    phone.screenshot(path=str(ARTIFACTS / "grid-phone.png"), full_page=True)
    assert _fits(phone)
    name = phone.locator(f"[data-testid=row-{pupil.pk}] th.jg-name")
    assert name.evaluate("(el) => getComputedStyle(el).position") == "sticky"
    _cell(phone, pupil, lessons[3]).click()
    phone.keyboard.type("4")
    phone.keyboard.press("Enter")
    phone.wait_for_function(
        "(el) => el.dataset.state === 'jg-saved'", arg=_cell(phone, pupil, lessons[3]).element_handle()
    )
    assert m.Mark.objects.get(lesson=lessons[3]).value == "4"
    assert _real_errors(errors) == []


@pytest.mark.browser
def test_the_rows_average_is_right_when_the_first_saves_answer_comes_back_last(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    lessons = _lessons(world.math_5a, 3)
    pupil = world.child
    errors: list[str] = []
    base = live_server.url
    page = _teachers_grid(chromium, base, world.math_5a, PHONE, errors)
    seen: list[Any] = []
    held: list[tuple[Any, Any]] = []

    def slow_first_answer(route: Any) -> None:
        seen.append(route)  # before fetching: the next saves' handlers may run while this one waits
        if len(seen) > 1:
            route.continue_()
            return
        held.append((route, route.fetch()))  # the server has saved it; its answer is late on a bad network

    page.route("**/journal/cell/", slow_first_answer)
    _cell(page, pupil, lessons[0]).click()
    for value in ("2", "5", "5"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    for _ in range(100):  # the server's answer to the first save (held back from the page), on a busy machine too
        if held:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1_000)  # the other two cells' saves would have been answered by now
    (route, response), *_ = held
    route.fulfill(response=response)

    for lesson in lessons:
        page.wait_for_function(
            "(el) => el.dataset.state === 'jg-saved'", arg=_cell(page, pupil, lesson).element_handle()
        )
    assert page.locator(f"[data-testid=avg-{pupil.pk}]").inner_text() in ("4.00", "4,00")
    assert page.locator(f"[data-testid=count-{pupil.pk}]").inner_text().startswith("3/")
    assert sorted(m.Mark.objects.filter(student=pupil).values_list("value", flat=True)) == ["2", "5", "5"]
    assert _real_errors(errors) == []


@pytest.mark.browser
def test_a_column_typed_while_a_save_is_in_flight_goes_as_one_request_each_cell_answered_on_its_own(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    (lesson,) = _lessons(world.math_5a, 1)
    for name in ("Тимофеев", "Уткина", "Фомин"):
        pupil = cast(m.Student, StudentFactory(school=world.school, last_name=name))
        enrolment_create(actor=None, student=pupil, class_group=world.class_5a, date_from=YEAR_START)
    errors: list[str] = []
    page = _teachers_grid(chromium, live_server.url, world.math_5a, DESKTOP, errors)
    order = [
        int(s)
        for s in page.eval_on_selector_all("#journal-grid tbody tr[data-s]", "(rows) => rows.map((r) => r.dataset.s)")
    ]
    assert len(order) == 5
    posts: list[str] = []
    held: list[tuple[Any, Any]] = []

    def slow_first_answer(route: Any) -> None:
        posts.append(route.request.post_data or "")
        if len(posts) > 1:
            route.continue_()
            return
        held.append((route, route.fetch()))  # the server has saved the first cell; its answer is late

    page.route("**/journal/cell/", slow_first_answer)
    grid_cell(page, order[0], lesson.pk).click()
    for value in ("5", "2", "4", "н", "3"):
        page.keyboard.type(value)
        page.keyboard.press("Enter")  # saves and goes down the column
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    # Meanwhile the fourth student's cell was filled on another device: the page saw it empty.
    mark_set(actor=world.users["teacher"], lesson=lesson, student=m.Student.objects.get(pk=order[3]), value="5")
    page.wait_for_timeout(500)
    assert len(posts) == 1  # the other four wait for the first answer
    (route, response), *_ = held
    route.fulfill(response=response)

    for student in (order[0], order[1], order[2], order[4]):
        page.wait_for_function(
            "(el) => el.dataset.state === 'jg-saved'", arg=grid_cell(page, student, lesson.pk).element_handle()
        )
    stale = grid_cell(page, order[3], lesson.pk)
    page.wait_for_function("(el) => el.dataset.state === 'jg-conflict'", arg=stale.element_handle())
    assert grid_text(stale) == "5"  # the stored value, not the «н» typed over it
    assert len(posts) == 2 and "cells" in posts[1]  # the four queued cells went as one request
    stored = dict(m.Mark.objects.filter(lesson=lesson).values_list("student_id", "value"))
    assert stored == {order[0]: "5", order[1]: "2", order[2]: "4", order[3]: "5", order[4]: "3"}
    assert not m.Attendance.objects.exists()
    # Nothing typed is left unsent: the saved cells and the conflict (its stored value shown) are gone from it.
    assert page.evaluate("() => window.localStorage.getItem('journal.unsent')") == "{}"
    assert _real_errors(errors) == []


def test_a_grade_one_class_offers_no_mark_input_and_a_typed_mark_is_refused(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    class_1 = ClassGroupFactory(year=world.year, grade=1, letter="В")
    course = cast(m.Course, CourseFactory(class_group=class_1, subject=SubjectFactory(school=world.school)))
    teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
    pupil = cast(m.Student, StudentFactory(school=world.school, last_name="Первоклассников"))
    enrolment_create(actor=None, student=pupil, class_group=class_1, date_from=YEAR_START)
    (lesson,) = _lessons(course, 1)
    errors: list[str] = []
    page = _teachers_grid(chromium, live_server.url, course, DESKTOP, errors)
    assert page.locator("#journal-grid").get_attribute("data-marks") == "0"
    cell = _cell(page, pupil, lesson)
    cell.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-error'", arg=cell.element_handle())

    assert grid_text(cell) == "5"  # what was typed stays, marked
    assert "1 классе" in (cell.get_attribute("title") or "")
    assert not m.Mark.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "grid-grade1-error.png"), full_page=True)

    cell.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle())
    assert m.Attendance.objects.filter(lesson=lesson, student=pupil).exists()
    assert _real_errors(errors) == []


@pytest.mark.browser
def test_a_stale_edit_shows_the_stored_value_and_who_stored_it(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    (lesson,) = _lessons(world.math_5a, 1)
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    errors: list[str] = []
    base = live_server.url
    page = _teachers_grid(chromium, base, world.math_5a, PHONE, errors)
    cell = _cell(page, world.child, lesson)
    assert grid_text(cell) == "4"

    # Behind the page, another session changes the mark: the lesson's substitute, who writes it too.
    substitute = world.users["other_teacher"]
    substitution_assign(actor=world.users["deputy"], lesson=lesson, substitute=substitute, reason="Болезнь")
    mark_set(actor=substitute, lesson=lesson, student=world.child, value="2", expected_version=mark.version)

    cell.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-conflict'", arg=cell.element_handle())

    assert grid_text(cell) == "2"
    status = page.locator("#grid-status").inner_text()
    assert substitute.short_name in status
    assert m.Mark.objects.get(lesson=lesson).value == "2"
    page.screenshot(path=str(ARTIFACTS / "grid-conflict-phone.png"), full_page=True)

    # Now the teacher decides again, on the stored version (the cell is still focused, its text selected): saved.
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle())
    assert m.Mark.objects.get(lesson=lesson).value == "5"
    assert _real_errors(errors) == []


@pytest.mark.browser
def test_a_mark_typed_while_the_connection_is_down_stays_marked_and_is_saved_when_it_is_back(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    first, second = _lessons(world.math_5a, 2)
    errors: list[str] = []
    base = live_server.url
    page = _teachers_grid(chromium, base, world.math_5a, PHONE, errors)
    refused: list[str] = []

    def no_connection(route: Any) -> None:
        refused.append(route.request.url)
        route.abort("internetdisconnected")

    # The school's Wi-Fi drops as the teacher types: the save cannot reach the server.
    page.route("**/journal/cell/", no_connection)
    cell = _cell(page, world.child, first)
    cell.click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-pending'", arg=cell.element_handle())
    assert grid_text(cell) == "4"  # what was typed stays, marked
    assert "нет связи" in page.locator("#grid-status").inner_text()
    page.wait_for_timeout(1_500)  # the page's first retry, after 1 s, is refused too
    assert len(refused) >= 2
    assert not m.Mark.objects.exists()
    # Leaving now would lose the mark: the page asks first.
    leaving = "new Event('beforeunload', {cancelable: true})"
    assert page.evaluate(f"() => {{ const e = {leaving}; window.dispatchEvent(e); return e.defaultPrevented; }}")

    # The connection is back: the next retry saves it without the teacher doing anything.
    page.unroute("**/journal/cell/")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle(), timeout=20_000)
    assert m.Mark.objects.get(lesson=first, student=world.child).value == "4"

    # Offline as the browser sees it: the cell waits, and the browser's «online» sends it at once.
    page.context.set_offline(True)
    other = _cell(page, world.child, second)
    other.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-pending'", arg=other.element_handle())
    page.context.set_offline(False)
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=other.element_handle())
    assert m.Mark.objects.get(lesson=second, student=world.child).value == "5"
    assert [e for e in _real_errors(errors) if "ERR_INTERNET_DISCONNECTED" not in e] == []


@pytest.mark.browser
def test_the_cell_panel_shows_history_changes_a_marks_work_type_and_the_phone_picks_a_mark(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    first, second = _lessons(world.math_5a, 2)
    m.WorkType.objects.create(school=world.school, name="Ответ у доски", weight=1)
    test_type = m.WorkType.objects.create(school=world.school, name="Самостоятельная", weight=2, lesson_kind="test")
    mark_set(actor=world.users["teacher"], lesson=first, student=world.child, value="4")
    mark_set(actor=world.users["teacher"], lesson=second, student=world.child, value="2")
    errors: list[str] = []
    base = live_server.url
    average = f"[data-testid=avg-{world.child.pk}]"

    # The teacher, with the keyboard: Ctrl+H on a cell opens its panel; the history lists the mark.
    page = _teachers_grid(chromium, base, world.math_5a, DESKTOP, errors)
    cell = _cell(page, world.child, first)
    # The grid's editor waits in its first cell (Волкова's, the first row): one Tab away; down to Соколов.
    page.locator("[data-testid=grid-editor]").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('td') !== null")
    page.keyboard.press("Control+h")
    form = page.locator("[data-testid=mark-form-1]")
    form.wait_for()
    assert page.locator(average).inner_text() in ("3.00", "3,00")
    page.locator("[data-testid=cell-history-btn]").click()
    page.locator("[data-testid=cell-history]").wait_for()
    assert world.users["teacher"].short_name in page.locator("[data-testid=cell-history]").inner_text()

    form.locator("select[name=work_type]").select_option(str(test_type.pk))
    form.locator("input[name=comment]").fill("на повторение")
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('.jg-mark-status').classList.contains('text-success')")
    mark = m.Mark.objects.get(lesson=first, student=world.child)
    assert (mark.value, mark.work_type, mark.comment) == ("4", test_type, "на повторение")
    # The heavier work type counts at once in the row's average: (4·2 + 2) / 3, was (4 + 2) / 2.
    page.wait_for_function(f"() => ['3.33', '3,33'].includes(document.querySelector('{average}').textContent)")

    # The grid took the new version: typing in the cell saves, no conflict.
    cell.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle())
    assert m.Mark.objects.get(lesson=first, student=world.child).value == "5"

    # The deputy reads the cell's history from the grid.
    deputy = new_page(chromium, DESKTOP, errors)
    log_in(deputy, base, "deputy", PASSWORD)
    deputy.goto(f"{base}/courses/{world.math_5a.pk}/journal/")
    _cell(deputy, world.child, first).click()
    deputy.locator("[data-testid=cell-history-btn]").click()
    deputy.locator("[data-testid=cell-history]").wait_for()
    assert deputy.locator("[data-testid=mark-form-1]").count() == 0

    # On a 360 px phone: a tap on a cell shows the short picker beside it, the keyboard closed; a tap on «3»
    # fills and saves the cell.
    phone = new_page(chromium, PHONE, errors)
    log_in(phone, base, "teacher", PASSWORD)
    phone.goto(f"{base}/courses/{world.math_5a.pk}/journal/?month=all")
    target = _cell(phone, world.other_child, second)
    target.click()
    picker = phone.locator("[data-testid=grid-pop]")
    picker.wait_for()
    assert picker.is_visible()
    assert phone.locator("[data-testid=grid-editor]").get_attribute("inputmode") == "none"
    cell_box, picker_box = target.bounding_box(), picker.bounding_box()
    assert abs(picker_box["y"] - (cell_box["y"] + cell_box["height"])) < 8  # right under the tapped cell
    picker.locator("button[data-pick='3']").click()
    phone.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=target.element_handle())
    assert grid_text(target) == "3"
    assert m.Mark.objects.get(lesson=second, student=world.other_child).value == "3"
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "grid-phone-picker.png"), full_page=True)
    assert _real_errors(errors) == []


@pytest.mark.browser
def test_a_refused_mark_shows_the_servers_words_and_a_server_error_is_not_called_a_lost_connection(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    first, second = _lessons(world.math_5a, 2)
    errors: list[str] = []
    page = _teachers_grid(chromium, live_server.url, world.math_5a, DESKTOP, errors)
    status = page.locator("#grid-status")

    # Marks off the scale and letters off the policy are refused with the server's reason, each its own.
    for text in ("6", "5+", "нб"):
        cell = _cell(page, world.child, first)
        cell.click()
        page.keyboard.press("Control+a")
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        page.wait_for_function("(el) => el.dataset.state === 'jg-error'", arg=cell.element_handle())
        title = cell.get_attribute("title") or ""
        assert text in title or "«" in title, title  # the server's sentence about this text
        assert "нет связи" not in title and "нет связи" not in status.inner_text()
        assert status.inner_text() == title
        assert grid_text(cell) == text
    assert not m.Mark.objects.exists() and not m.Attendance.objects.exists()

    # The server answers but cannot save for a while (its database restarting): its words, and retried.
    answered: list[int] = []

    def down_for_a_while(route: Any) -> None:
        answered.append(503)
        route.fulfill(
            status=503,
            content_type="application/json",
            body='{"error": "Сервис временно недоступен."}',
            headers={"Retry-After": "30"},
        )

    page.route("**/journal/cell/", down_for_a_while)
    cell = _cell(page, world.child, second)
    cell.click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-pending'", arg=cell.element_handle())
    said = status.inner_text()
    assert "503" in said and "Сервис временно недоступен." in said and "Повторяем" in said
    assert "нет связи" not in said
    page.wait_for_timeout(1_500)
    assert len(answered) >= 2  # asked again by itself
    page.unroute("**/journal/cell/")
    page.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=cell.element_handle(), timeout=20_000)
    assert m.Mark.objects.get(lesson=second, student=world.child).value == "4"
    assert [e for e in _real_errors(errors) if "status of 503" not in e] == []


@pytest.mark.browser
def test_everyone_present_on_the_lesson_page_names_the_absences_the_grid_has_not_saved(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    _quarter(world)
    (lesson,) = _lessons(world.math_5a, 1)
    errors: list[str] = []
    base = live_server.url
    page = _teachers_grid(chromium, base, world.math_5a, DESKTOP, errors)

    # Волкова's «нб» is refused (the letter is «н»); then the Wi-Fi drops as the teacher marks Соколов absent.
    refused = _cell(page, world.other_child, lesson)
    refused.click()
    page.keyboard.type("нб")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-error'", arg=refused.element_handle())
    page.route("**/journal/cell/", lambda route: route.abort("internetdisconnected"))
    absent = _cell(page, world.child, lesson)
    absent.click()
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.dataset.state === 'jg-pending'", arg=absent.element_handle())
    page.close()  # the teacher leaves the grid (the page asked; she went on)

    # On the lesson's page (same browser) the button first says what is not saved, and records nothing.
    lesson_page = new_page_in(page.context, errors)
    lesson_page.goto(f"{base}/lessons/{lesson.pk}/")
    notice = lesson_page.locator("[data-testid=lesson-unsent]")
    notice.wait_for()
    lesson_page.locator("[data-testid=attendance-taken-button]").click()
    lesson_page.wait_for_function("() => document.getElementById('lesson-unsent').getAttribute('role') === 'alert'")
    said = notice.inner_text()
    assert f"{world.child.last_name} {world.child.first_name}" in said and "«н»" in said
    assert f"{world.other_child.last_name} {world.other_child.first_name}" in said and "«нб»" in said
    assert "ещё раз" in said
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is None

    # The grid again: the cells typed and not saved are back, marked; Enter saves the absence.
    grid = new_page_in(page.context, errors)
    grid.goto(f"{base}/courses/{world.math_5a.pk}/journal/?month=all")
    again = _cell(grid, world.child, lesson)
    assert grid_text(again) == "н" and again.get_attribute("data-state") == "jg-error"
    assert "не сохранено" in (again.get_attribute("title") or "")
    again.click()
    grid.keyboard.press("Enter")
    grid.wait_for_function("(el) => el.dataset.state === 'jg-saved'", arg=again.element_handle())
    assert m.Attendance.objects.get(lesson=lesson).student_id == world.child.pk

    # Now only Волкова's refused «нб» is left: named; a second press goes on knowingly.
    lesson_page.reload()
    notice.wait_for()
    assert "«нб»" in notice.inner_text() and "«н»" not in notice.inner_text()
    button = lesson_page.locator("[data-testid=attendance-taken-button]")
    button.click()
    lesson_page.wait_for_function("() => document.getElementById('lesson-unsent').getAttribute('role') === 'alert'")
    button.click()
    lesson_page.locator("[data-testid=attendance-taken]").wait_for()
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None
    assert [e for e in _real_errors(errors) if "ERR_INTERNET_DISCONNECTED" not in e] == []


def new_page_in(context: Any, errors: list[str]) -> Any:
    """Another tab of the same browser (the same storage and login)."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page
