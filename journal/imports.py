"""Reading uploaded spreadsheets (XLSX, CSV) safely, and the thematic-plan import.

The generic part (:func:`read_table`) checks the size and the real type of the
file before parsing it: an XLSX must be a ZIP whose unpacked size stays small
(openpyxl reads it in read-only mode; ``defusedxml`` guards its XML), a CSV
must be text in UTF-8 (with or without BOM) or Windows-1251, separated by
``;`` or ``,``. Anything else is refused with a message naming the problem.
The plan part maps the columns №, Тема, Часы, Вид урока onto plan rows with
per-row errors, and builds the downloadable template.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import MAX_UNPACKED_BYTES, megabytes, unpacked_bytes
from core.xlsx import write_value
from journal.models import LessonKind
from journal.services.plans import MAX_HOURS, MAX_TOPIC

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 50

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The non-empty rows of the first sheet: (row number in the file, cell values)."""

    rows: list[tuple[int, list[Any]]]
    kind: str  # "xlsx" or "csv"
    encoding: str = ""
    delimiter: str = ""


def _too_big() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file is larger than %(size)s MB: split it or remove pictures and other sheets.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
    )


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(_("This is not a spreadsheet: upload an XLSX file (Excel, LibreOffice) or a CSV file."))


def read_table(upload: IO[bytes], name: str = "", *, max_bytes: int = MAX_UPLOAD_BYTES) -> Table:
    """The rows of an uploaded XLSX or CSV file; refuses anything else before parsing it."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big()
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    lower = name.lower()
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(_("The old Excel format (.xls) is not supported: save the file as .xlsx or CSV."))
    if lower.endswith((".xlsx", ".xlsm")):
        # The name says XLSX but the bytes are not a ZIP: a renamed picture, a PDF…
        raise SpreadsheetError(_("The file is named .xlsx but is not an XLSX spreadsheet."))
    return _read_csv(data)


def _read_xlsx(data: bytes) -> Table:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        unpacked = unpacked_bytes(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("The file is damaged: it cannot be opened as XLSX.")) from exc
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("The file is a ZIP archive but not an XLSX spreadsheet."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            _("The file unpacks to %(size)s MB, more than %(max)s MB: it is not a plan. Save the plan alone.")
            % {"size": megabytes(unpacked), "max": megabytes(MAX_UNPACKED_BYTES)}
        )
    # Imported here: openpyxl is only needed by the pages that read or write spreadsheets.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) on bad files
        raise SpreadsheetError(_("The file is damaged: it cannot be opened as XLSX.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = list(values)
            if any(_text(v) for v in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows()
    finally:
        workbook.close()
    return Table(rows=rows, kind="xlsx")


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:
        raise _not_a_spreadsheet() from exc


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if _CONTROL.search(text[:4096]):
        # Control characters in the first kilobytes: binary data (a picture, an archive), not text.
        raise _not_a_spreadsheet()
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                rows.append((number, cells[:MAX_COLUMNS]))
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows()
    except csv.Error as exc:
        raise SpreadsheetError(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from exc
    return Table(rows=rows, kind="csv", encoding=encoding, delimiter=delimiter)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise(text: Any) -> str:
    """For matching names: lower case, ё → е, single spaces, no trailing dot or colon."""
    value = _text(text).lower().replace("ё", "е")
    value = re.sub(r"\s+", " ", value)
    return value.rstrip(".:").strip()


# --- Columns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation: the header in the template and in messages
    aliases: tuple[str, ...]
    required: bool = True


def match_columns(header: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Column key → index in the row; a message naming the expected columns otherwise."""
    wanted = {}
    for column in columns:
        names = {normalise(a) for a in column.aliases}
        with translation.override("ru"):
            names.add(normalise(str(column.label)))
        with translation.override("en"):
            names.add(normalise(str(column.label)))
        wanted[column.key] = names
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = normalise(cell)
        for key, names in wanted.items():
            if name in names:
                if key in found:
                    raise SpreadsheetError(
                        _("The column «%(column)s» appears twice in the header.") % {"column": _text(cell)}
                    )
                found[key] = index
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        expected = ", ".join(str(c.label) for c in columns)
        present = ", ".join(f"«{_text(c)}»" for c in header if _text(c)) or "—"
        raise SpreadsheetError(
            _(
                "The columns are not the expected ones. Expected: %(expected)s (the first row is the header); "
                "missing: %(missing)s; found: %(found)s."
            )
            % {"expected": expected, "missing": ", ".join(str(c.label) for c in missing), "found": present}
        )
    return found


# --- The thematic plan -------------------------------------------------------------------

PLAN_COLUMNS = (
    Column("number", gettext_lazy("No."), ("№", "no", "n", "#", "номер", "№ п/п", "n п/п", "№п/п"), required=False),
    Column("topic", gettext_lazy("Topic"), ("тема", "тема урока", "topic")),
    Column("hours", gettext_lazy("Hours"), ("часы", "часов", "кол-во часов", "количество часов", "hours")),
    Column("kind", gettext_lazy("Lesson kind"), ("вид урока", "вид", "тип урока", "kind", "lesson kind"), False),
)

# The name of each kind written in the template (in the user's language) and accepted on import.
KIND_NAMES = {
    LessonKind.ORDINARY: gettext_lazy("ordinary"),
    LessonKind.TEST: gettext_lazy("test"),
    LessonKind.LAB: gettext_lazy("laboratory"),
    LessonKind.PRACTICAL: gettext_lazy("practical"),
    LessonKind.DICTATION: gettext_lazy("dictation"),
    LessonKind.ESSAY: gettext_lazy("essay"),
    LessonKind.REVIEW: gettext_lazy("revision"),
}
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    LessonKind.ORDINARY: ("обычный", "обычный урок", "урок", "ordinary lesson"),
    LessonKind.TEST: ("контрольная", "контрольная работа", "к/р", "кр", "test"),
    LessonKind.LAB: ("лабораторная", "лабораторная работа", "л/р", "лр", "lab", "laboratory work"),
    LessonKind.PRACTICAL: ("практическая", "практическая работа", "п/р", "пр", "practical work"),
    LessonKind.DICTATION: ("диктант",),
    LessonKind.ESSAY: ("сочинение", "изложение"),
    LessonKind.REVIEW: ("повторение", "review"),
}


def _kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind in LessonKind:
        names = {kind.value, *KIND_ALIASES.get(kind, ())}
        for language in ("ru", "en"):
            with translation.override(language):
                names.add(str(kind.label))
                names.add(str(KIND_NAMES[kind]))
        for name in names:
            lookup[normalise(name)] = kind.value
    return lookup


def kind_names() -> list[str]:
    """The kinds' names in the user's language, as the template offers them."""
    return [str(KIND_NAMES[kind]) for kind in LessonKind]


@dataclass
class PlanRow:
    line: int
    topic: str = ""
    hours: int | None = None
    kind: str = LessonKind.ORDINARY
    hours_raw: str = ""
    kind_raw: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(LessonKind(self.kind).label)


@dataclass
class PlanImport:
    rows: list[PlanRow]
    table: Table | None = None

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[PlanRow]:
        return [row for row in self.rows if row.errors]

    @property
    def total_hours(self) -> int:
        return sum(row.hours or 0 for row in self.rows)

    def as_data(self) -> list[dict[str, Any]]:
        """The rows as plain values, for the session between the dry run and the confirm."""
        return [{"topic": r.topic, "hours": r.hours, "kind": r.kind} for r in self.rows]


def _parse_hours(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value).replace(",", ".").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        return int(text.split(".")[0])
    return None


def parse_plan_rows(table: Table) -> PlanImport:
    """The plan rows of a table, each with its errors (row number and column named)."""
    if not table.rows:
        raise SpreadsheetError(_("The file is empty."))
    header_line, header = table.rows[0]
    columns = match_columns(header, PLAN_COLUMNS)
    labels = {c.key: str(c.label) for c in PLAN_COLUMNS}
    kinds = _kind_lookup()

    def cell(cells: list[Any], key: str) -> Any:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    rows: list[PlanRow] = []
    for line, cells in table.rows[1:]:
        row = PlanRow(line=line)
        topic = _text(cell(cells, "topic"))
        hours_value = cell(cells, "hours")
        kind_value = cell(cells, "kind")
        row.topic, row.hours_raw, row.kind_raw = topic, _text(hours_value), _text(kind_value)

        def error(key: str, message: str, row: PlanRow = row) -> None:
            row.errors.append(
                _("Row %(row)s, «%(column)s»: %(message)s")
                % {"row": row.line, "column": labels[key], "message": message}
            )

        if not topic:
            error("topic", _("the topic is empty."))
        elif len(topic) > MAX_TOPIC:
            error("topic", _("the topic is longer than %(max)s characters.") % {"max": MAX_TOPIC})
        hours = _parse_hours(hours_value)
        if not row.hours_raw:
            error("hours", _("the number of hours is empty."))
        elif hours is None or hours < 1:
            error("hours", _("«%(value)s» is not a positive whole number.") % {"value": row.hours_raw})
        elif hours > MAX_HOURS:
            error("hours", _("%(value)s hours is more than %(max)s.") % {"value": hours, "max": MAX_HOURS})
        else:
            row.hours = hours
        if row.kind_raw:
            kind = kinds.get(normalise(row.kind_raw))
            if kind is None:
                error(
                    "kind",
                    _("unknown lesson kind «%(value)s»; use one of: %(kinds)s.")
                    % {"value": row.kind_raw, "kinds": ", ".join(kind_names())},
                )
            else:
                row.kind = kind
        rows.append(row)
    if not rows:
        raise SpreadsheetError(
            _("The file has only the header (row %(row)s) and no plan rows under it.") % {"row": header_line}
        )
    return PlanImport(rows=rows, table=table)


def parse_plan_file(upload: IO[bytes], name: str = "") -> PlanImport:
    return parse_plan_rows(read_table(upload, name))


def plan_template_xlsx(rows: Iterable[tuple[str, int, str]] = ()) -> bytes:
    """The import template: the header row and a list of kinds to pick from; with ``rows``
    (topic, hours, kind) it is the current plan, ready to be edited and imported again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Thematic plan")[:31]
    sheet.append([str(c.label) for c in PLAN_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, (topic, hours, kind) in enumerate(rows, start=1):
        sheet.append([number, None, hours, str(KIND_NAMES[LessonKind(kind)])])
        write_text(sheet.cell(row=number + 1, column=2), topic)
    kinds_sheet = workbook.create_sheet(_("Lesson kinds")[:31])
    for name in kind_names():
        kinds_sheet.append([name])
    validation = DataValidation(
        type="list", formula1=f"'{kinds_sheet.title}'!$A$1:$A${len(LessonKind)}", allow_blank=True
    )
    sheet.add_data_validation(validation)
    validation.add("D2:D1000")
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 8
    sheet.column_dimensions["D"].width = 18
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_text(cell: Any, value: str) -> None:
    """Put user text in a cell as text: one starting with = + - @ is never run as a formula."""
    write_value(cell, value)
