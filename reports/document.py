"""A report as data: titled sections of tables and lists, which one template shows as a page and as a
PDF and one writer puts in a workbook (:mod:`reports.render`).

A cell keeps its value (a number stays a number in the workbook) and the text shown for it, formatted
once here in the site's language: the page, the PDF and the workbook cannot disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

Value = str | int | Decimal | datetime.date | None


@dataclass(frozen=True, slots=True)
class Cell:
    value: Value
    text: str
    css: str = ""  # "num", "name", "bad", "good", "warn", "total"
    span: int = 1  # columns
    rows: int = 1  # rows (a header cell over sub-columns)
    href: str = ""  # the cell links there (a dashboard's drill-down); the workbook keeps the text
    places: int = 0  # a number's decimal places: the workbook's number format


def text(value: str | None, css: str = "", span: int = 1, rows: int = 1) -> Cell:
    return Cell(value or "", value or "", css, span, rows)


def head(label: str, span: int = 1, rows: int = 1) -> Cell:
    return Cell(label, label, "", span, rows)


def number(value: int | Decimal | None, places: int = 0, css: str = "", *, blank_zero: bool = False) -> Cell:
    """A count or a figure, right-aligned, in the site's number format; empty for none (a percentage of no
    students) and, with ``blank_zero``, for a zero count (a day without absences)."""
    classes = f"num {css}".strip()
    if value is None or (blank_zero and not value):
        return Cell(None, "", classes)
    return Cell(value, number_format(value, decimal_pos=places) if places else str(value), classes, places=places)


def date(value: datetime.date | None) -> Cell:
    return Cell(value, value.strftime("%d.%m.%Y") if value else "", "nowrap")


@dataclass
class Table:
    head: list[list[Cell]]
    body: list[list[Cell]] = field(default_factory=list)
    foot: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    empty: str = ""  # shown instead of a table without rows

    @property
    def body_html(self) -> SafeString:
        """The body's rows as HTML for the page and the PDF: a whole school's sheet has tens of thousands of
        cells, a loop in the template would take most of the request."""
        parts: list[str] = []
        for row in self.body:
            parts.append("<tr>")
            for cell in row:
                css = f' class="{escape(cell.css)}"' if cell.css else ""
                shown = escape(cell.text)
                if cell.href:
                    shown = f'<a href="{escape(cell.href)}">{shown}</a>'
                parts.append(f"<td{css}>{shown}</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above

    @property
    def columns(self) -> int:
        return sum(cell.span for cell in self.head[0]) if self.head else max((len(r) for r in self.body), default=0)


@dataclass
class Listing:
    """A labelled list of names (the class teacher's report: отличники, неуспевающие …)."""

    label: str
    items: list[str]


@dataclass
class Section:
    heading: str
    tables: list[Table] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet: str = ""  # the workbook sheet's name (the heading's start when empty)


@dataclass(frozen=True)
class Signature:
    """A line the paper is signed on: «Классный руководитель ____ / Иванова А. П. /» (``name`` empty: the
    name is written by hand)."""

    position: str
    name: str = ""


@dataclass
class Report:
    title: str
    lines: list[str]  # the parameters: the school, the class, the period, when it was made
    sections: list[Section]
    filename: str  # without the suffix
    landscape: bool = False
    notes: list[str] = field(default_factory=list)
    # Who signs the paper (the PDF's last page, every sheet of the workbook), then the date by hand.
    signatures: list[Signature] = field(default_factory=list)
