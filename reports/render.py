"""A report as a PDF (WeasyPrint, A4, landscape where wide) and as a workbook (openpyxl: a sheet a section,
bold merged headers, numbers as numbers, text neutralised). The page shows the same
``reports/_report_body.html`` the PDF prints."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from weasyprint.text.fonts import FontConfiguration

from core.pdf import chunks, documents_pdf, html_document, page_number_css, render_pdf_chunks
from core.xlsx import MAX_COLUMN_WIDTH, display_length, sheet_title, write_value
from reports.builders.bound import BoundClass
from reports.document import Cell, Report, Section, Table

PDF_TEMPLATE = "reports/pdf/report.html"
# Sections a PDF chunk lays out at once: a whole-school report has a few sections a class.
SECTIONS_PER_CHUNK = 6


def report_pdf(report: Report, on_chunk: Callable[[int], None] | None = None) -> bytes:
    """The report as a PDF, its pages numbered throughout; ``on_chunk`` gets the pages made so far."""
    parts = chunks(report.sections, SECTIONS_PER_CHUNK)
    contexts = [
        {"report": report, "sections": part, "first": index == 0, "landscape": report.landscape}
        for index, part in enumerate(parts)
    ]
    return render_pdf_chunks(PDF_TEMPLATE, contexts, on_chunk=on_chunk)


_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
_THIN = Side(style="thin", color="888888")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


class _SheetWriter:
    def __init__(self, sheet: object) -> None:
        self.sheet = sheet
        self.row = 1
        self.widths: dict[int, int] = {}

    def line(self, value: str, font: Font | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=1)  # type: ignore[attr-defined]
        write_value(cell, value)
        if font is not None:
            cell.font = font
        self.row += 1

    def cells(self, cells: list[Cell], *, header: bool = False, occupied: set[tuple[int, int]]) -> None:
        column = 1
        for cell in cells:
            while (self.row, column) in occupied:
                column += 1
            target = self.sheet.cell(row=self.row, column=column)  # type: ignore[attr-defined]
            write_value(target, cell.value if not header else cell.text)
            target.border = _BORDER
            if header or "total" in cell.css:
                target.font = _BOLD
            if header:
                target.fill = _HEAD_FILL
                target.alignment = _CENTRE
            else:
                target.alignment = _WRAP
            if cell.span > 1 or cell.rows > 1:
                last_row, last_column = self.row + cell.rows - 1, column + cell.span - 1
                self.sheet.merge_cells(  # type: ignore[attr-defined]
                    start_row=self.row, start_column=column, end_row=last_row, end_column=last_column
                )
                for r in range(self.row, last_row + 1):
                    for c in range(column, last_column + 1):
                        occupied.add((r, c))
            if cell.span == 1:
                self.widths[column] = max(self.widths.get(column, 0), display_length(cell.text))
            column += cell.span
        self.row += 1

    def table(self, table: Table) -> None:
        if table.caption:
            self.line(table.caption, _BOLD)
        if not table.body:
            if table.empty:
                self.line(table.empty)
            self.row += 1
            return
        occupied: set[tuple[int, int]] = set()
        for cells in table.head:
            self.cells(cells, header=True, occupied=occupied)
        for cells in [*table.body, *table.foot]:
            self.cells(cells, occupied=occupied)
        self.row += 1

    def finish(self) -> None:
        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.sheet.column_dimensions[letter].width = min(max(width, 3) + 2, MAX_COLUMN_WIDTH)  # type: ignore[attr-defined]


def _unique(title: str, taken: set[str]) -> str:
    name, n = sheet_title(title), 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = sheet_title(title)[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: the heading lines on every sheet, then each section's tables and lists."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for section in report.sections or [Section(heading=report.title)]:
        writer = _SheetWriter(workbook.create_sheet(_unique(section.sheet or section.heading, taken)))
        writer.line(report.title, _TITLE)
        for line in report.lines:
            writer.line(line)
        writer.row += 1
        writer.line(section.heading, _BOLD)
        for table in section.tables:
            writer.table(table)
        for listing in section.listings:
            writer.line(f"{listing.label}: {len(listing.items)}", _BOLD)
            for item in listing.items:
                writer.line(item)
        for note in [*section.notes, *report.notes]:
            writer.line(note)
        writer.finish()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


BOUND_TEMPLATE = "reports/pdf/bound_journal.html"


def grouped(fingerprint: str) -> str:
    """A fingerprint as people read and type it: groups of four."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def qr_svg(data: str, scale: int = 1) -> SafeString:
    """A QR code of ``data`` as inline SVG (segno), for the PDFs."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, border=1))  # noqa: S308 - segno's own SVG


def bound_journal_pdf(bound: BoundClass, *, verify_url: str, made: datetime.datetime) -> tuple[bytes, int]:
    """The class's bound journal (§7.4) and its number of sheets: the body, then the certification page
    counting every sheet; each sheet says «лист N из M» and carries the fingerprint and its QR code.

    Two layouts with one font configuration: the body, with an empty last page standing for the
    certification (so its page counter already counts it), then the certification page with the count.
    """
    fingerprint = bound.fingerprint
    code = qr_svg(verify_url)
    label = _("sheet %(page)s of %(pages)s")
    context = {
        "bound": bound,
        "school": bound.class_group.year.school,
        "columns": bound.subjects[0].table.body[0][2:] if bound.subjects and bound.subjects[0].table.body else [],
        "made": made,
        "today": timezone.localtime(made).date(),
        "fingerprint_grouped": grouped(fingerprint),
        "verify_url": verify_url,
        "qr": code,
        "landscape": False,
        "page_footer": f"SHA-256 {grouped(fingerprint)}",
        "page_mark": code,
    }
    fonts = FontConfiguration()
    body = html_document(
        render_to_string(BOUND_TEMPLATE, {**context, "part": "body", "page_numbers_css": page_number_css(label)}),
        fonts,
    )
    sheets = len(body.pages)
    last = label % {"page": sheets, "pages": sheets}
    certification = html_document(
        render_to_string(
            BOUND_TEMPLATE,
            {**context, "part": "certification", "sheets": sheets, "page_numbers_css": page_number_css(last)},
        ),
        fonts,
    )
    return documents_pdf([body.pages[:-1], certification.pages], body), sheets
