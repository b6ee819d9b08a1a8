"""A teacher imports the thematic plan (КТП) of their course from an XLSX file made by the test.

Debian's Chromium driven by Playwright (see test_login_browser.py). The file is
handed to the file input directly (``set_input_files``): nothing is downloaded.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from journal import models as m
from tests.browser.support import ARTIFACTS, DESKTOP, PASSWORD, PHONE, log_in, new_page
from tests.conftest import World
from tests.journal.test_plans import make_lessons, weekdays

ROWS = [
    (1, "Натуральные числа и шкалы", 3, "обычный"),
    (2, "Сложение и вычитание натуральных чисел", 4, ""),
    (3, "Контрольная работа № 1 по теме «Натуральные числа»", 1, "контрольная"),
    (4, "Измерение углов. Транспортир", 2, "практическая"),
]


def _xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["№", "Тема", "Часы", "Вид урока"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(page: Any, rows: list[tuple[Any, ...]]) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "ктп-5а.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _xlsx(rows),
            }
        ]
    )
    page.locator("[data-testid=upload-form] button[type=submit]").click()
    page.locator("[data-testid=preview]").wait_for()


@pytest.mark.browser
def test_teacher_imports_the_plan_from_xlsx_after_a_dry_run(
    live_server: Any, transactional_db: None, world: World, chromium: Any
) -> None:
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=5)
    make_lessons(world.math_5a, weekdays(10))
    errors: list[str] = []
    page = new_page(chromium, DESKTOP, errors, console_url=True)
    base = live_server.url
    plan_url = f"{base}/courses/{world.math_5a.pk}/plan/"
    ARTIFACTS.mkdir(exist_ok=True)

    log_in(page, base, "teacher", PASSWORD)
    page.goto(plan_url)
    assert page.locator("[data-testid=no-plan]").is_visible()
    page.locator("[data-testid=import-link]").click()

    # A file with a bad row: the errors are listed, nothing can be confirmed, nothing is saved.
    _upload(page, [*ROWS, (5, "Повторение", 0, "")])
    errors_box = page.locator("[data-testid=import-errors]")
    assert "6" in errors_box.inner_text()  # the sheet row of the zero hours
    assert page.locator("[data-testid=confirm]").count() == 0
    assert not m.ThematicPlan.objects.exists()

    # The fixed file: the dry run shows the rows; still nothing saved until confirmed.
    _upload(page, ROWS)
    preview = page.locator("[data-testid=preview]")
    assert preview.locator("tbody tr").count() == 4
    assert "Контрольная работа № 1" in preview.inner_text()
    assert page.locator("[data-testid=hours-check]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "plan-import-preview-1280.png"), full_page=True)
    assert not m.ThematicPlan.objects.exists()

    page.locator("[data-testid=confirm]").click()
    page.wait_for_url(plan_url)

    table = page.locator("[data-testid=plan-items]")
    assert table.locator("tbody tr").count() == 4
    assert "Измерение углов. Транспортир" in table.inner_text()
    assert page.locator("[data-testid=plan-total]").inner_text() == "10"
    warning = page.locator("[data-testid=hours-check]").inner_text()
    assert "10" in warning and "5" in warning  # plan hours and hours per week, with the numbers
    page.screenshot(path=str(ARTIFACTS / "plan-1280.png"), full_page=True)
    plan = m.ThematicPlan.objects.get(course=world.math_5a)
    assert list(plan.items.order_by("order").values_list("topic", "hours", "kind")) == [
        ("Натуральные числа и шкалы", 3, "ordinary"),
        ("Сложение и вычитание натуральных чисел", 4, "ordinary"),
        ("Контрольная работа № 1 по теме «Натуральные числа»", 1, "test"),
        ("Измерение углов. Транспортир", 2, "practical"),
    ]

    # The row editor opens in place (htmx under the CSP) and saves.
    row = page.locator(f"#item-{plan.items.get(order=2).pk}")
    row.locator("a[hx-get]").click()
    form = page.locator("[data-testid=item-edit-form]")
    form.wait_for()
    form.locator("input[name=topic]").fill("Сложение натуральных чисел")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{plan_url}#item-*")
    assert "Сложение натуральных чисел" in page.locator("[data-testid=plan-items]").inner_text()

    # On a phone the plan, the progress and a lesson fit the width.
    phone = new_page(chromium, PHONE, errors, console_url=True)
    log_in(phone, base, "teacher", PASSWORD)
    lesson = m.Lesson.objects.filter(course=world.math_5a).order_by("date").first()
    for name, path in (
        ("plan", plan_url),
        ("progress", f"{base}/courses/{world.math_5a.pk}/progress/"),
        ("lessons", f"{base}/courses/{world.math_5a.pk}/lessons/"),
        ("lesson", f"{base}/lessons/{lesson.pk}/"),
    ):
        phone.goto(path)
        phone.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    phone.locator("[data-testid=hold]").click()
    phone.locator("[data-testid=unhold]").wait_for()
    assert "Натуральные числа и шкалы" in phone.locator("[data-testid=lesson-topic]").inner_text()
    assert errors == []
