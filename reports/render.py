"""A report as a PDF (WeasyPrint, A4, landscape where wide) and as a workbook (openpyxl: a sheet a section,
bold merged headers frozen and printed on every page, numbers and marks as numbers with their formats, the
foot's sums as formulas, A4 landscape, text neutralised), both ending with the signatures. The page shows the same
``reports/_report_body.html`` the PDF prints."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from weasyprint.text.fonts import FontConfiguration

from core.pdf import documents_pdf, html_document, page_number_css, render_pdf_chunks, weighed_chunks
from core.xlsx import MAX_COLUMN_WIDTH, display_length, sheet_title, write_value
from journal.models.marks import NUMERIC_MARKS
from reports.builders.bound import BoundClass
from reports.document import Cell, Report, Section, Table, Value

PDF_TEMPLATE = "reports/pdf/report.html"
# The cells a PDF chunk lays out at once, about ten dense landscape pages: chunks of even size keep both
# processes busy to the end (a whole-school report's first-grade classes have empty sections).
CELLS_PER_CHUNK = 8000
# What a section's heading, captions, lists and notes weigh, in cells.
SECTION_CELLS = 40


def _section_cells(section: Section) -> int:
    return (
        SECTION_CELLS
        + sum(t.columns * (len(t.head) + len(t.body) + len(t.foot)) for t in section.tables)
        + sum(len(listing.items) for listing in section.listings)
    )


def report_pdf(report: Report, on_chunk: Callable[[int], None] | None = None) -> bytes:
    """The report as a PDF, its pages numbered throughout, ending with its signatures; ``on_chunk`` gets the
    pages made so far."""
    parts = weighed_chunks(report.sections, _section_cells, CELLS_PER_CHUNK)
    contexts = [
        {
            "report": report,
            "sections": part,
            "first": index == 0,
            "last": index == len(parts) - 1,
            "landscape": report.landscape,
        }
        for index, part in enumerate(parts)
    ]
    return render_pdf_chunks(PDF_TEMPLATE, contexts, on_chunk=on_chunk)


def signature_lines(report: Report) -> list[str]:
    """The report's signature block as lines of text (the workbook's; the PDF lays out the same words):
    «Классный руководитель ____________ / Иванова А. П. /», then the date to write by hand."""
    if not report.signatures:
        return []
    blank = "_" * 20
    lines = [f"{s.position} {'_' * 16} / {s.name or blank} /" for s in report.signatures]
    return [*lines, f"«____» ________________ 20____ {_('yr.')}"]


_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
_THIN = Side(style="thin", color="888888")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _number_format(places: int, *, percent: bool = False) -> str:
    """«0», «0.0», «0.00»; with ``percent`` «0.0%» (the value a fraction of one)."""
    shown = "0" + ("." + "0" * places if places else "")
    return f"{shown}%" if percent else shown


def _sheet_value(cell: Cell, *, percent: bool) -> Value | float:
    """What a body cell holds in the workbook: a mark 1–5 the number, another mark its printed word
    («зач.», «н/а»), a percentage the fraction (shown with «%»), other values as they are."""
    value = cell.value
    if isinstance(value, str):
        if "mark" in cell.css.split() and value in NUMERIC_MARKS:
            return int(value)
        return cell.text
    if percent and isinstance(value, int | Decimal):
        return value / Decimal(100)
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


class _SheetWriter:
    """One sheet: the heading lines, the tables (the first one's header frozen and printed on every page),
    the signatures; A4 landscape, fitted to the page's width."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1
        self.widths: dict[int, int] = {}
        self.header_rows: tuple[int, int] | None = None

    def line(self, value: str, font: Font | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=1)
        write_value(cell, value)
        if font is not None:
            cell.font = font
        self.row += 1

    def cells(
        self,
        cells: list[Cell],
        *,
        occupied: set[tuple[int, int]],
        header: bool = False,
        percent: frozenset[int] = frozenset(),
        totals: dict[int, str] | None = None,
    ) -> dict[int, Cell]:
        """Write one row; returns the cells by their column. ``totals``: column → the formula the cell
        holds instead of its value (a foot's sum of the column)."""
        placed: dict[int, Cell] = {}
        column = 1
        for cell in cells:
            while (self.row, column) in occupied:
                column += 1
            placed[column] = cell
            target = self.sheet.cell(row=self.row, column=column)
            if header:
                write_value(target, cell.text)
            elif totals and column in totals:
                target.value = totals[column]
                target.number_format = _number_format(cell.places)
            else:
                value = _sheet_value(cell, percent=column in percent)
                write_value(target, value)  # type: ignore[arg-type]
                if _is_number(value):
                    target.number_format = _number_format(cell.places, percent=column in percent)
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
                self.sheet.merge_cells(
                    start_row=self.row, start_column=column, end_row=last_row, end_column=last_column
                )
                for r in range(self.row, last_row + 1):
                    for c in range(column, last_column + 1):
                        occupied.add((r, c))
            if cell.span == 1:
                self.widths[column] = max(self.widths.get(column, 0), display_length(cell.text))
            column += cell.span
        self.row += 1
        return placed

    def table(self, table: Table) -> None:
        if table.caption:
            self.line(table.caption, _BOLD)
        if not table.body:
            if table.empty:
                self.line(table.empty)
            self.row += 1
            return
        occupied: set[tuple[int, int]] = set()
        first_head = self.row
        labels: dict[int, str] = {}  # column → the lowest header over it
        for cells in table.head:
            for column, cell in self.cells(cells, header=True, occupied=occupied).items():
                for c in range(column, column + cell.span):
                    labels[c] = cell.text
        if self.header_rows is None and table.head:
            self.header_rows = (first_head, self.row - 1)
        # A column headed «…, %» holds percentages.
        percent = frozenset(c for c, label in labels.items() if label.rstrip().endswith("%"))
        first_body = self.row
        body_values: dict[int, list[Value]] = {}
        for cells in table.body:
            for column, cell in self.cells(cells, occupied=occupied, percent=percent).items():
                body_values.setdefault(column, []).append(cell.value if cell.span == 1 else "")
        last_body = self.row - 1
        for cells in table.foot:
            self.cells(
                cells, occupied=occupied, percent=percent, totals=_sums(cells, body_values, first_body, last_body)
            )
        self.row += 1

    def finish(self, signatures: list[str]) -> None:
        for line in signatures:
            self.row += 1
            self.line(line)
        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.sheet.column_dimensions[letter].width = min(max(width, 3) + 2, MAX_COLUMN_WIDTH)
        if self.header_rows is not None:
            first, last = self.header_rows
            self.sheet.freeze_panes = f"A{last + 1}"
            self.sheet.print_title_rows = f"{first}:{last}"
        setup = self.sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = self.sheet.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _sums(cells: list[Cell], body: dict[int, list[Value]], first: int, last: int) -> dict[int, str]:
    """The foot's cells that are the sum of their column's body, as ``=SUM(…)``: a reader who corrects a
    count above sees the total follow. A count of its own (the class as a whole by students) that is not
    the column's sum stays a value; percentages and averages are never sums."""
    found: dict[int, str] = {}
    column = 1
    for cell in cells:
        values = body.get(column, [])
        if (
            cell.span == 1
            and isinstance(cell.value, int)
            and not cell.places
            and len(values) > 1
            and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)
            and sum(v or 0 for v in values) == cell.value  # type: ignore[misc]
        ):
            letter = get_column_letter(column)
            found[column] = f"=SUM({letter}{first}:{letter}{last})"
        column += cell.span
    return found


def _unique(title: str, taken: set[str]) -> str:
    name, n = sheet_title(title), 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = sheet_title(title)[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: the heading lines on every sheet, then each section's tables and lists,
    then the signatures."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    # The sums are formulas without stored results: computed when the file is opened.
    workbook.calculation.fullCalcOnLoad = True
    taken: set[str] = set()
    signatures = signature_lines(report)
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
        writer.finish(signatures)
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
