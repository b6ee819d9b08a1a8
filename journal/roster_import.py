"""The roster files (§4.1). Students with their date of birth and class, each row optionally with one parent
(a second parent: a second row of the same student); or the staff, each with their roles in the school. The
kind is read off the header (a «Роли» column: the staff). Read with the plan import's reader (size, row and
zip-bomb limits before parsing); the dry run and the write are :mod:`journal.services.roster`."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role, role_labels
from core.params import parse_day
from journal.imports import Column, SpreadsheetError, Table, _text, match_columns, normalise, read_table, write_text
from journal.models.people import ParentRelation
from journal.rules import STAFF

ROSTER_COLUMNS = (
    Column("class", gettext_lazy("Class"), ("класс",)),
    Column("last_name", gettext_lazy("Last name"), ("фамилия", "фамилия ученика", "фамилия обучающегося")),
    Column("first_name", gettext_lazy("First name"), ("имя", "имя ученика", "имя обучающегося")),
    Column("middle_name", gettext_lazy("Middle name"), ("отчество", "отчество ученика"), required=False),
    Column("birth_date", gettext_lazy("Date of birth"), ("дата рождения", "др")),
    Column("parent_last_name", gettext_lazy("Parent: last name"), ("фамилия родителя",), required=False),
    Column("parent_first_name", gettext_lazy("Parent: first name"), ("имя родителя",), required=False),
    Column("parent_middle_name", gettext_lazy("Parent: middle name"), ("отчество родителя",), required=False),
    Column("relation", gettext_lazy("Relation"), ("кем приходится", "степень родства"), required=False),
    Column("phone", gettext_lazy("Phone"), ("телефон", "телефон родителя"), required=False),
    Column("email", gettext_lazy("E-mail"), ("email", "e-mail", "почта", "электронная почта"), required=False),
)
RELATIONS = {"мать": ParentRelation.MOTHER, "отец": ParentRelation.FATHER, "опекун": ParentRelation.GUARDIAN}

STAFF_COLUMNS = (
    Column("last_name", gettext_lazy("Last name"), ("фамилия",)),
    Column("first_name", gettext_lazy("First name"), ("имя",)),
    Column("middle_name", gettext_lazy("Middle name"), ("отчество",), required=False),
    Column("roles", gettext_lazy("Roles"), ("роль", "должность", "должности")),
    Column("phone", gettext_lazy("Phone"), ("телефон",), required=False),
    Column("email", gettext_lazy("E-mail"), ("email", "e-mail", "почта", "электронная почта"), required=False),
)
# The staff roles a file may give, by the names a school writes them (the family's come with the students).
STAFF_ROLE_NAMES = {
    "учитель": Role.TEACHER,
    "педагог": Role.TEACHER,
    "классный руководитель": Role.TEACHER,
    "администратор": Role.ADMINISTRATOR,
    "директор": Role.DIRECTOR,
    "заместитель директора": Role.DEPUTY,
    "зам. директора": Role.DEPUTY,
    "замдиректора": Role.DEPUTY,
    "завуч": Role.DEPUTY,
}


def _cell(columns: dict[str, int], values: list[Any], key: str) -> Any:
    """The row's value of the column ``key`` (None when the file has no such column or the row is short)."""
    index = columns.get(key)
    return values[index] if index is not None and index < len(values) else None


def _words(value: Any) -> str:
    return re.sub(r"\s+", " ", _text(value))


def _email_errors(email: str) -> list[str]:
    return [_("«%(value)s» is not an e-mail address.") % {"value": email}] if email and not _is_email(email) else []


def _some(rows: list[Any]) -> list[Any]:
    if not rows:
        raise SpreadsheetError(_("The file has a header and no rows."))
    return rows


def _is_email(text: str) -> bool:
    """The address the user's record will accept (Django's validator: the one rule)."""
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


@dataclass
class RosterRow:
    line: int
    class_name: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    birth_date: datetime.date | None = None
    parent_last_name: str = ""
    parent_first_name: str = ""
    parent_middle_name: str = ""
    relation: str = ""
    phone: str = ""
    email: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def has_parent(self) -> bool:
        return bool(self.parent_last_name or self.parent_first_name)

    def as_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "errors"}
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RosterRow:
        values = dict(data)
        values["birth_date"] = datetime.date.fromisoformat(values["birth_date"]) if values["birth_date"] else None
        return cls(**values)


@dataclass
class StaffRow:
    line: int
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    roles: list[str] = field(default_factory=list)  # Role values, in the order of Role
    phone: str = ""
    email: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> str:
        return role_labels(self.roles)

    def as_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> StaffRow:
        return cls(**data)


def _staff_roles(text: str) -> tuple[list[str], list[str]]:
    """«Учитель; заместитель директора» → the Role values, and the names not understood."""
    roles: set[Role] = set()
    unknown = []
    for part in re.split(r"[,;/\n]+", text):
        name = normalise(part)
        if not name:
            continue
        role = STAFF_ROLE_NAMES.get(name) or next((r for r in STAFF if normalise(str(r.label)) == name), None)
        if role is None:
            unknown.append(part.strip())
        else:
            roles.add(role)
    return [r.value for r in Role if r in roles], unknown


def is_staff_file(table: Table) -> bool:
    """A roster of the staff: its header has the roles' column (a students' file has none)."""
    if not table.rows:
        return False
    roles = next(c for c in STAFF_COLUMNS if c.key == "roles")
    try:
        return "roles" in match_columns(table.rows[0][1], [roles])
    except SpreadsheetError:
        return False


def parse_staff(table: Table) -> list[StaffRow]:
    """The staff rows with their own errors: names, the roles (a staff role at least), the e-mail."""
    (_line, header), *body = table.rows
    columns = match_columns(header, STAFF_COLUMNS)
    rows = []
    for line, values in body:
        row = StaffRow(line=line)
        for key in ("last_name", "first_name", "middle_name", "phone", "email"):
            setattr(row, key, _words(_cell(columns, values, key)))
        if not row.last_name or not row.first_name:
            row.errors.append(_("The last and first names are required."))
        row.roles, unknown = _staff_roles(_words(_cell(columns, values, "roles")))
        if unknown:
            row.errors.append(
                _(
                    "«%(value)s» is not a role: учитель, классный руководитель, заместитель директора, директор, "
                    "администратор."
                )
                % {"value": ", ".join(unknown)}  # fmt: skip
            )
        elif not row.roles:
            row.errors.append(_("Give the person's roles in the school."))
        row.errors.extend(_email_errors(row.email))
        rows.append(row)
    return _some(rows)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    found = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if found:
        text = f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}"
    try:
        return parse_day(text)
    except ValueError:
        return None


def parse_roster(table: Table) -> list[RosterRow]:
    """The rows with their own errors (the file's shape is checked first: a wrong header is one message)."""
    if not table.rows:
        raise SpreadsheetError(_("The file is empty."))
    (_line, header), *body = table.rows
    columns = match_columns(header, ROSTER_COLUMNS)

    def cell(values: list[Any], key: str) -> Any:
        return _cell(columns, values, key)

    rows = []
    for line, values in body:
        row = RosterRow(line=line)
        for key in ("class_name", "last_name", "first_name", "middle_name", "parent_last_name", "parent_first_name",
                    "parent_middle_name", "phone", "email"):  # fmt: skip
            setattr(row, key, _words(cell(values, "class" if key == "class_name" else key)))
        row.class_name = row.class_name.upper().replace(" ", "")
        if not row.last_name or not row.first_name:
            row.errors.append(_("The student's last and first names are required."))
        raw_date = cell(values, "birth_date")
        row.birth_date = _date(raw_date)
        if row.birth_date is None:
            row.errors.append(_("«%(value)s» is not a date of birth (dd.mm.yyyy).") % {"value": _text(raw_date)})
        elif not datetime.date(1990, 1, 1) <= row.birth_date <= timezone.localdate():
            row.errors.append(
                _("The date of birth %(day)s is not likely.") % {"day": row.birth_date.strftime("%d.%m.%Y")}
            )
        relation = _text(cell(values, "relation")).lower()
        row.relation = RELATIONS.get(relation, "")
        if relation and not row.relation:
            row.errors.append(_("«%(value)s»: the relation is мать, отец or опекун.") % {"value": relation})
        if row.has_parent and not (row.parent_last_name and row.parent_first_name):
            row.errors.append(_("The parent's last and first names are both required."))
        row.errors.extend(_email_errors(row.email))
        rows.append(row)
    return _some(rows)


def parse_roster_file(upload: IO[bytes], name: str = "") -> list[RosterRow] | list[StaffRow]:
    """The rows of a students' file or of a staff file (:func:`is_staff_file`)."""
    table = read_table(upload, name)
    return parse_staff(table) if is_staff_file(table) else parse_roster(table)


def roster_template_xlsx(*, staff: bool = False) -> bytes:
    """The roster template (of the students and parents, or of the staff): the header and example rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (_("Staff") if staff else _("Students"))[:31]
    columns = STAFF_COLUMNS if staff else ROSTER_COLUMNS
    sheet.append([str(c.label) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    examples = (
        [["Петрова", "Ольга", "Ивановна", "учитель, классный руководитель", "+7 900 765-43-21", "petrova@example.ru"],
         ["Сидоров", "Алексей", "Павлович", "заместитель директора; учитель", "", "sidorov@example.ru"]]
        if staff
        else [["5А", "Иванов", "Пётр", "Андреевич", "14.03.2015", "Иванова", "Анна", "Петровна", "мать",
               "+7 900 123-45-67", "ivanova@example.ru"]]
    )  # fmt: skip
    for line, example in enumerate(examples, start=2):
        for column, value in enumerate(example, start=1):
            write_text(sheet.cell(row=line, column=column), value)
    for index in range(len(columns)):
        sheet.column_dimensions["ABCDEFGHIJK"[index]].width = 30 if staff and index == 3 else 18
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
