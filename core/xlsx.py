"""One-sheet XLSX exports: a bold, frozen header row printed on every A4 landscape page, sized columns, no
live formulas.

Exported cells hold names, reasons and topics people typed. A spreadsheet
program runs a cell that starts with ``= + - @`` (or a tab / carriage return
before one) as a formula — CSV/formula injection (OWASP) — so such text is
written with a leading apostrophe and stored as a plain string.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Value = str | int | float | Decimal | datetime.date | datetime.datetime | None

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value: str) -> bool:
    """Text a spreadsheet would run as a formula if typed in (=, +, -, @, a tab or a carriage return first)."""
    return value.startswith(FORMULA_TRIGGERS)


def sheet_title(title: str) -> str:
    """A valid sheet name: Excel's limits are 31 characters, none of []:*?/\\ ."""
    return _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"


def write_value(cell: Any, value: Value) -> None:
    """Put ``value`` in a worksheet cell: text kept as text, dates formatted. Formula-like text is stored as
    a string with Excel's hidden quote prefix: the reader sees exactly what was typed, and editing the cell
    does not turn it into a formula (the one way every export and template neutralises text)."""
    if isinstance(value, str):
        cell.value = value
        # openpyxl would otherwise read a leading "=" as a formula.
        cell.data_type = TYPE_STRING
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = "DD.MM.YYYY HH:MM"
    elif isinstance(value, datetime.date):
        cell.number_format = "DD.MM.YYYY"


def display_length(value: Value) -> int:
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0


def build_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """A workbook with one sheet named ``title``: the header row, then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    widths = [len(str(h)) for h in header]
    bold = Font(bold=True)
    for column, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        write_value(cell, str(label))
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            write_value(sheet.cell(row=row_number, column=column), value)
            if column > len(widths):
                widths.append(0)
            widths[column - 1] = max(widths[column - 1], display_length(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    # Printed on A4 landscape, fitted to the width, the header on every page.
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
