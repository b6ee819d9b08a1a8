"""The nine reports as the papers a school signs and files: each PDF ends with the signatures its practice
asks, and each workbook is a spreadsheet (numbers and marks as numbers with their formats, sums as formulas,
the header frozen and printed on every page, A4 landscape, Russian sheet names)."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.builders import ReportParams
from reports.kinds import KINDS, Span
from reports.render import report_pdf, report_xlsx
from tests.conftest import World
from tests.reports.quarter import Q1
from tests.reports.test_pdf import pdf_text

OCTOBER = datetime.date(2026, 10, 1)


def _params(q1: Q1, code: str, *, whole_school: bool = False) -> ReportParams:
    world = q1.world
    span = KINDS[code].span
    extra: dict[str, object] = {}
    if span in (Span.PERIOD, Span.PERIOD_AND_DAY):
        extra["period"] = q1.period
    if span == Span.PERIOD_AND_DAY:
        extra["day"] = OCTOBER
    if span == Span.MONTHS:
        extra["first_month"] = extra["last_month"] = OCTOBER
    class_group = None if whole_school else world.class_5a
    return ReportParams(school=world.school, year=world.year, class_group=class_group, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", list(KINDS))
def test_every_report_of_a_class_ends_with_the_class_teachers_signature_and_the_date(q1: Q1, code: str) -> None:
    report = KINDS[code].make(_params(q1, code))

    text = pdf_text(report_pdf(report))
    # The last lines of the last page, above its number
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("стр.")]
    teacher = re.escape(q1.world.users["class_teacher"].short_name)  # «Смирнова М. А.»
    assert re.fullmatch(rf"Классный руководитель\s+_{{5,}}\s+/\s+{teacher} /", lines[-2]), lines[-3:]
    assert re.fullmatch(r"«____»\s+_{5,}\s+20____ г\.", lines[-1]), lines[-3:]


@pytest.mark.parametrize("code", ["results", "headcount", "movement", "attendance-sheet"])
def test_a_whole_schools_report_is_signed_by_the_deputy_who_asked(q1: Q1, code: str) -> None:
    deputy = q1.world.users["deputy"]

    report = KINDS[code].make(_params(q1, code, whole_school=True), actor=deputy)

    text = pdf_text(report_pdf(report))
    name = re.escape(deputy.short_name)
    assert re.search(rf"Заместитель директора по УВР\s+_{{5,}}\s+/\s+{name} /", text), text[-400:]
    assert "Классный руководитель" not in text


def test_the_class_teacher_downloads_a_signed_pdf_from_the_report_page(
    q1: Q1, client_for: Callable[[str], Client]
) -> None:
    url = reverse("reports:report_file", args=["final-data", "pdf"])

    text = pdf_text(client_for("class_teacher").get(url).content)

    teacher = re.escape(q1.world.users["class_teacher"].short_name)
    assert re.search(rf"Классный руководитель\s+_{{5,}}\s+/\s+{teacher} /", text)


def test_the_results_workbook_holds_numbers_and_marks_as_numbers_with_their_formats(q1: Q1) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(KINDS["results"].make(_params(q1, "results")))))
    sheet = book["5А"]

    rows = {row[0].value: row for row in sheet.iter_rows() if row and row[0].value}
    math = rows["Математика"]
    # students, 5, 4, 3, 2 as numbers
    assert [c.value for c in math[1:6]] == [6, 2, 1, 1, 1]
    assert all(c.data_type == "n" and c.number_format == "0" for c in math[1:6])
    # % успеваемости, % качества, СОУ: fractions shown as percentages with one decimal
    success, quality, sou, mean = math[11], math[12], math[13], math[14]
    assert float(success.value) == pytest.approx(0.667) and success.number_format == "0.0%"
    assert float(sou.value) == pytest.approx(0.538) and sou.number_format == "0.0%"
    assert quality.number_format == "0.0%"
    # the mean mark with two decimals
    assert float(mean.value) == pytest.approx(3.8) and mean.number_format == "0.00"


def test_the_results_sheet_workbook_stores_marks_1_to_5_as_numbers_and_the_rest_as_printed(q1: Q1) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(KINDS["results-sheet"].make(_params(q1, "results-sheet")))))

    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert 5 in values and 2 in values
    assert "5" not in values and "2" not in values  # no mark stored as text
    assert "зач." in values and "н/а" in values
    assert "зч" not in values and "на" not in values  # never the stored codes


def test_a_workbooks_header_is_frozen_and_printed_on_every_a4_landscape_page(q1: Q1) -> None:
    book = load_workbook(io.BytesIO(report_xlsx(KINDS["final-data"].make(_params(q1, "final-data")))))

    for sheet in book:
        header = [r for r in sheet.iter_rows() if r[0].value == "№"]
        assert header, sheet.title
        first_header_row = header[0][0].row
        body_row = int(re.sub(r"\D", "", sheet.freeze_panes))
        assert body_row > first_header_row
        assert sheet.print_title_rows == f"${first_header_row}:${body_row - 1}"
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_a_workbooks_totals_are_formulas_over_the_column_and_it_is_signed(q1: Q1) -> None:
    deputy = q1.world.users["deputy"]
    report = KINDS["headcount"].make(_params(q1, "headcount", whole_school=True), actor=deputy)

    sheet = load_workbook(io.BytesIO(report_xlsx(report))).active
    rows = {row[0].value: row for row in sheet.iter_rows() if row and row[0].value}
    school = rows["Школа"]
    assert school[1].data_type == "f"
    first, last = rows["5А"][1].row, rows["6Б"][1].row
    assert school[1].value == f"=SUM(B{first}:B{last})"
    lines = [row[0].value for row in sheet.iter_rows() if row[0].value]
    signed = rf"Заместитель директора по УВР _+ / {re.escape(deputy.short_name)} /"
    assert any(re.fullmatch(signed, str(v)) for v in lines), lines
    assert any(str(v).startswith("«____»") for v in lines)


def test_every_workbook_names_its_sheets_in_russian(q1: Q1, world: World) -> None:
    for code in KINDS:
        for whole_school in (False, True):
            report = KINDS[code].make(_params(q1, code, whole_school=whole_school))
            names = load_workbook(io.BytesIO(report_xlsx(report))).sheetnames
            assert not [n for n in names if re.search(r"[A-Za-z]", n)], (code, names)
