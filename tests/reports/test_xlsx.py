"""XLSX exports: header, widths, frozen header row, and no formula can run from exported text."""

from __future__ import annotations

import datetime
import io
import zipfile

from openpyxl import load_workbook

from core.xlsx import build_xlsx


def test_header_is_bold_and_frozen_and_rows_follow() -> None:
    data = build_xlsx(
        "Журнал замещения",
        ["Дата", "Класс", "Учитель"],
        [[datetime.date(2026, 10, 5), "5А", "Иванова А. П."], [datetime.date(2026, 10, 6), "6Б", "Петров О."]],
    )

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Журнал замещения"
    assert [c.value for c in sheet[1]] == ["Дата", "Класс", "Учитель"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    # openpyxl reads a date cell back as a naive datetime at midnight.
    assert sheet["A2"].value.date() == datetime.date(2026, 10, 5)
    assert sheet["A2"].number_format == "DD.MM.YYYY"
    assert [c.value for c in sheet[3]][1:] == ["6Б", "Петров О."]
    assert sheet.column_dimensions["C"].width >= len("Иванова А. П.")


def test_cells_starting_with_formula_characters_stay_text() -> None:
    payloads = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]

    data = build_xlsx("Отчёт", ["Причина"], [[p] for p in payloads])

    sheet = load_workbook(io.BytesIO(data)).active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    # (XML reads a stored carriage return back as a line feed.)
    assert values == [p.replace("\r", "\n") for p in payloads]  # exactly as typed: no visible apostrophe
    assert all(row[0].data_type == "s" and row[0].quotePrefix for row in sheet.iter_rows(min_row=2))
    # No formula element anywhere in the sheet's XML.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_header_cells_are_neutralised_too_and_plain_text_and_numbers_are_untouched() -> None:
    data = build_xlsx("Отчёт", ["=cmd", "Часы"], [["Болезнь", 3], ["a=b", -2]])

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "=cmd" and sheet["A1"].quotePrefix and sheet["A1"].data_type == "s"
    assert [c.value for c in sheet[2]] == ["Болезнь", 3]
    assert not sheet["A2"].quotePrefix
    assert [c.value for c in sheet[3]] == ["a=b", -2]


def test_sheet_title_drops_characters_excel_forbids() -> None:
    data = build_xlsx("Отчёт: 1/2 [черновик] очень длинное название листа", ["A"], [])

    title = load_workbook(io.BytesIO(data)).active.title
    assert len(title) <= 31
    assert not set(title) & set("[]:*?/\\")
