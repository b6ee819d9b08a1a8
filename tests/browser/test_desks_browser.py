"""Every role's desk on a phone (360 px) and a laptop (1280 px); the navigation fits every role from 768 to
1920 px; the main pages pass axe-core (no serious or critical violation) at both widths.

Debian's Chromium through Playwright; axe-core comes with ``axe-playwright-python`` (a pinned wheel, no
download at test time).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from journal import models as m
from journal.services.marks import attendance_set, mark_set
from journal.services.structure import parent_link_create
from journal.services.substitutions import substitution_assign
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World
from tests.factories import quarter_around_today

TODAY = timezone.localdate()
WIDTHS = (768, 1024, 1280, 1440, 1920)
ROLES = ("teacher", "class_teacher", "deputy", "director", "administrator", "parent")


@pytest.fixture
def school_today(world: World) -> dict[str, m.Lesson]:
    """Today in the test school: the teacher's mathematics in 5А (not filled yet), an absence in 5А, a
    Russian lesson of 6Б cancelled and another one substituted by the teacher; the second parent has
    two children."""
    quarter_around_today(world.year)
    teacher, other = world.users["teacher"], world.users["other_teacher"]
    earlier = TODAY - datetime.timedelta(days=TODAY.weekday() and 1)
    filled = m.Lesson.objects.create(course=world.math_5a, date=earlier, slot=5, teacher=teacher, topic="Дроби")
    math = m.Lesson.objects.create(course=world.math_5a, date=TODAY, slot=1, teacher=teacher)
    attendance_set(actor=teacher, lesson=math, student=world.child, status="absent", reason="unexcused")
    mark_set(actor=teacher, lesson=filled, student=world.other_child, value="5")
    cancelled = m.Lesson.objects.create(
        course=world.russian_6b, date=TODAY, slot=3, teacher=other, status=m.LessonStatus.CANCELLED
    )
    substituted = m.Lesson.objects.create(course=world.russian_6b, date=TODAY, slot=2, teacher=other)
    substitution_assign(actor=world.users["deputy"], lesson=substituted, substitute=teacher, reason="Болезнь")
    parent_link_create(
        actor=None, parent=world.users["other_parent"], student=world.child, relation="mother", consent_given=True
    )
    return {"math": math, "cancelled": cancelled, "substituted": substituted}


def _page(chromium: Any, base: str, persona: str, viewport: dict[str, int], errors: list[str]) -> Any:
    page = new_page(chromium, viewport, errors)
    log_in(page, base, persona, PASSWORD)
    return page


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.browser
def test_the_navigation_fits_every_role_from_768_to_1920_px(live_server, school_today, chromium):
    errors: list[str] = []
    for persona in ROLES:
        page = _page(chromium, live_server.url, persona, {"width": 768, "height": 900}, errors)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/")
            widest = page.evaluate("document.documentElement.scrollWidth")
            assert widest <= width, f"{persona} at {width} px: the page is {widest} px wide"
            # «Пароль» and «Выйти» are reached on the screen: in the user menu (behind the toggler when
            # the bar is collapsed).
            toggler = page.locator(".navbar-toggler")
            if toggler.is_visible():
                toggler.click()
                page.locator("#main-nav.collapse.show").wait_for()
            page.locator("[data-testid=current-user]").click()
            logout = page.locator("[data-testid=logout]")
            logout.wait_for()
            box = logout.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (persona, width)
            if width == 1280:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"nav-{persona}-{width}.png"))
        page.context.close()
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_each_role_opens_on_its_desk(live_server, school_today, world: World, chromium, viewport):
    errors: list[str] = []
    base = live_server.url
    width = viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)

    teacher = _page(chromium, base, "teacher", viewport, errors)
    today = teacher.locator("[data-testid=desk-today]")
    math = teacher.locator(f"[data-testid=desk-lesson-{school_today['math'].pk}]")
    assert "5А · Математика" in math.inner_text()
    assert "тема" in math.inner_text() and "домашнее задание" in math.inner_text()
    assert "замещение" in today.locator(f"[data-testid=desk-lesson-{school_today['substituted'].pk}]").inner_text()
    assert "Петров" in teacher.locator("[data-testid=desk-substitutions]").inner_text()
    assert _fits(teacher)
    teacher.screenshot(path=str(ARTIFACTS / f"desk-teacher-{width}.png"), full_page=True)

    class_teacher = _page(chromium, base, "class_teacher", viewport, errors)
    glance = class_teacher.locator("[data-testid=desk-class]")
    assert "Классный руководитель 5А" in glance.inner_text()
    assert world.child.short_name in glance.locator("[data-testid=absent-today]").inner_text()
    assert f"{world.child.short_name} (1)" in glance.locator("[data-testid=unexcused-week]").inner_text()
    assert _fits(class_teacher)
    class_teacher.screenshot(path=str(ARTIFACTS / f"desk-class-teacher-{width}.png"), full_page=True)

    for persona in ("deputy", "director"):
        page = _page(chromium, base, persona, viewport, errors)
        day = page.locator("[data-testid=desk-school-day]")
        assert "6Б · Русский язык" in day.locator("[data-testid=day-cancelled]").inner_text()
        assert world.users["teacher"].short_name in day.locator("[data-testid=day-substitutions]").inner_text()
        assert "без темы" in day.locator("[data-testid=day-filling]").inner_text()
        assert _fits(page)
        page.screenshot(path=str(ARTIFACTS / f"desk-{persona}-{width}.png"), full_page=True)

    # A parent of one child reads the child's week straight away; a parent of two sees both side by side.
    parent = _page(chromium, base, "parent", viewport, errors)
    assert parent.locator("[data-testid=week-range]").is_visible()
    assert world.child.first_name in parent.locator("main").inner_text()
    two = _page(chromium, base, "other_parent", viewport, errors)
    children = two.locator("[data-testid=desk-children]")
    assert children.locator(f"[data-testid=child-{world.child.pk}]").is_visible()
    assert children.locator(f"[data-testid=child-{world.other_child.pk}]").is_visible()
    assert "Пропуски" in children.locator(f"[data-testid=child-{world.child.pk}]").inner_text()
    if width == DESKTOP["width"]:  # side by side, not one under the other
        first = children.locator(f"[data-testid=child-{world.child.pk}]").bounding_box()
        second = children.locator(f"[data-testid=child-{world.other_child.pk}]").bounding_box()
        assert abs(first["y"] - second["y"]) < 2
    assert _fits(two)
    two.screenshot(path=str(ARTIFACTS / f"desk-parent-{width}.png"), full_page=True)
    assert errors == []


# --- axe-core ---------------------------------------------------------------------------------------------------

SERIOUS = {"serious", "critical"}


def _axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def _main_pages(world: World, lessons: dict[str, m.Lesson]) -> list[tuple[str, str]]:
    math = world.math_5a.pk
    return [
        ("teacher", "/"),
        ("teacher", f"/courses/{math}/journal/"),
        ("teacher", f"/lessons/{lessons['math'].pk}/"),
        ("teacher", f"/courses/{math}/finals/"),
        ("teacher", "/timetable/"),
        ("teacher", "/courses/"),
        ("teacher", "/plans/"),
        ("teacher", "/messages/"),
        ("class_teacher", "/"),
        ("class_teacher", f"/classes/{world.class_5a.pk}/"),
        ("class_teacher", f"/classes/{world.class_5a.pk}/attendance/"),
        ("class_teacher", f"/classes/{world.class_5a.pk}/movement/"),
        ("administrator", "/movement/"),
        ("deputy", "/"),
        ("deputy", "/monitoring/"),
        ("deputy", "/documents/"),
        ("deputy", "/documents/reports/"),
        ("deputy", "/changes/"),
        ("deputy", "/substitutions/"),
        ("administrator", "/history/"),
        ("deputy", "/new-year/"),
        ("administrator", "/"),
        ("parent", "/"),
        ("other_parent", "/"),
        ("parent", "/diary/events/"),
        ("parent", f"/diary/students/{world.child.pk}/subjects/"),
        ("parent", f"/diary/students/{world.child.pk}/attendance/"),
        ("parent", "/messages/notifications/"),
        ("student", "/"),
    ]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_main_pages_pass_axe_core(live_server, school_today, world: World, chromium, viewport):
    errors: list[str] = []
    pages: dict[str, Any] = {}
    found: dict[str, list[str]] = {}
    for persona, path in _main_pages(world, school_today):
        if persona not in pages:
            pages[persona] = _page(chromium, live_server.url, persona, viewport, errors)
        page = pages[persona]
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, (persona, path)
        page.wait_for_load_state("networkidle")
        violations = _axe_violations(page)
        if violations:
            found[f"{persona} {path}"] = violations
    assert found == {}
