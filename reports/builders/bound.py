"""The year-end printed journal of final marks (§7.4): what a class's bound copy holds, and its fingerprint.

Per class: the title page, per subject the students' period, year, exam and final marks, the summary sheet
(the tables of :func:`reports.builders.results.sheet_tables`) and the certification page. What is printed is
also kept as a *snapshot*, plain JSON of the names and the marks; its SHA-256 is the fingerprint printed on
every sheet. Checking a printed copy builds the snapshot of the journal as it is now and compares the two
(:func:`snapshot_changes`).

A class is *complete* when every student in it at the end of a finished period (and, once the year is over,
of the year) has that period's (the year's) mark in every assessed course they attend: the rule of
:func:`monitoring.selectors.missing_finals`, which the deputy's monitoring reads too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import AcademicYear, ClassGroup, StudyPeriod
from journal.models.marks import short_label
from journal.models.structure import PeriodKind
from journal.selectors.class_facts import class_facts, final_values
from journal.selectors.periods import EXAM_GRADES, YEAR_KINDS, grade_periods
from monitoring.selectors import MissingFinals, course_teachers, missing_finals
from reports.builders import student_cells
from reports.builders.results import mark_css, sheet_columns, sheet_tables
from reports.document import Cell, Table, head

SNAPSHOT_VERSION = 1
# §7.4: printed by 25 June, grades 9 and 11 (their exams come later) by 30 June.
LATE_GRADES = frozenset({9, 11})


def bound_deadline(year: AcademicYear, grade: int) -> datetime.date:
    """The day by which the class's bound journal is printed (§7.4): 25 June, 30 June for grades 9 and 11."""
    return datetime.date(year.end.year, 6, 30 if grade in LATE_GRADES else 25)


def year_marks_from(year: AcademicYear, periods: list[StudyPeriod]) -> datetime.date:
    """The first day the grade's year marks can exist, and so its bound journal be made (§7.4): the day after
    its last period (quarters or half-years) ends; the day after the year without periods."""
    last = max((p.end for p in periods), default=year.end)
    return last + datetime.timedelta(days=1)


def finished_periods(year: AcademicYear, periods: list[StudyPeriod], today: datetime.date) -> list[StudyPeriod]:
    """The grade's periods over by ``today``, and the year itself once its last period is over."""
    done = [p for p in periods if p.end < today]
    if periods and len(done) == len(periods):
        whole = StudyPeriod.objects.filter(year=year, kind=PeriodKind.YEAR).first()
        done.append(
            whole or StudyPeriod(year=year, kind=PeriodKind.YEAR, number=1, start=year.start, end=periods[-1].end)
        )
    return done


@dataclass
class BoundSubject:
    name: str
    teachers: str
    table: Table


@dataclass
class BoundClass:
    class_group: ClassGroup
    class_teacher: str
    period_label: str  # «четверти» or «полугодия»
    subjects: list[BoundSubject]
    sheet: list[Table]
    missing: list[MissingFinals]
    snapshot: dict[str, Any]
    students: int = 0
    notes: list[str] = field(default_factory=list)
    opens: datetime.date | None = None  # the first day the year's marks can exist (year_marks_from)
    today: datetime.date | None = None

    @property
    def fingerprint(self) -> str:
        return snapshot_fingerprint(self.snapshot)

    @property
    def year_over(self) -> bool:
        """The grade's last period is over: the year's marks can exist."""
        return self.opens is None or self.today is None or self.today >= self.opens

    @property
    def complete(self) -> bool:
        return self.year_over and not self.missing

    @property
    def missing_marks(self) -> int:
        return sum(len(row.missing) for row in self.missing)

    @property
    def filename(self) -> str:
        year = self.class_group.year
        return f"bound-journal-{self.class_group}-{year.start:%Y}-{year.end:%Y}"


def snapshot_fingerprint(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the snapshot in canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _period_word(periods: list[StudyPeriod]) -> str:
    if periods and periods[0].kind == PeriodKind.HALF_YEAR:
        return _("half-years")
    if periods and periods[0].kind == PeriodKind.TRIMESTER:
        return _("trimesters")
    return _("quarters")


def bound_class(class_group: ClassGroup, today: datetime.date | None = None) -> BoundClass:
    """The bound journal of the class: its tables, its completeness and its snapshot (a constant number of
    queries)."""
    today = today or timezone.localdate()
    year = class_group.year
    periods = grade_periods(year.pk, class_group.grade)
    facts = class_facts(class_group, year.start, year.end)
    finals = final_values(facts, list(YEAR_KINDS), periods)
    columns = sheet_columns(periods, finals, exam=class_group.grade in EXAM_GRADES)
    subjects = facts.assessed_subjects()
    period_keys = {str(p.pk) for p in periods}
    teachers = course_teachers(facts.courses, min(today, year.end))
    names = {
        u.pk: u.short_name
        for u in User.objects.filter(pk__in={t for ids in teachers.values() for t in ids}).only(
            "last_name", "first_name", "middle_name"
        )
    }
    students = [(entry, not facts.in_class_at_end(entry)) for entry in facts.roster]
    bound_subjects = []
    for subject in subjects:
        courses = [c for c in facts.courses if c.subject_id == subject.pk]
        teacher_names = sorted({names[t] for c in courses for t in teachers.get(c.pk, []) if t in names})
        top = [
            head("№", rows=2),
            head(_("Student"), rows=2),
            head(_period_word(periods), span=len(period_keys)),
            *[head(label, rows=2) for key, label in columns if key not in period_keys],
        ]
        sub = [head(label) for key, label in columns if key in period_keys]
        body = []
        for index, (entry, left) in enumerate(students, start=1):
            sid = entry.student.pk
            cells = []
            for key, _label in columns:
                value = finals.get((sid, subject.pk, key), "")
                cells.append(Cell(value, short_label(value), mark_css(value)))
            body.append([*student_cells(index, entry.student.full_name, left=left), *cells])
        table = Table(
            head=[top, sub] if period_keys else [top], body=body, empty=_("No students in the class this year.")
        )
        bound_subjects.append(BoundSubject(subject.name, ", ".join(teacher_names), table))
    missing = missing_finals(year, today, [class_group.pk], finished_periods(year, periods, today))
    keys = {key for key, _label in columns}
    snapshot = {
        "v": SNAPSHOT_VERSION,
        "school": year.school.name,
        "year": year.name,
        "class": str(class_group),
        # Keys only: the labels are words of the reader's language, the fingerprint must not depend on it.
        "columns": [key for key, _label in columns],
        "students": {str(entry.student.pk): entry.student.full_name for entry, _left in students},
        "subjects": {str(s.pk): s.name for s in subjects},
        "marks": {
            f"{sid}/{subject_id}/{key}": value
            for (sid, subject_id, key), value in sorted(finals.items())
            if key in keys and value
        },
    }
    teacher = class_group.class_teacher
    return BoundClass(
        class_group=class_group,
        class_teacher=teacher.full_name if teacher is not None else "",
        period_label=_period_word(periods),
        subjects=bound_subjects,
        sheet=sheet_tables(facts, subjects, columns, finals) if subjects else [],
        missing=missing,
        snapshot=snapshot,
        students=len(students),
        opens=year_marks_from(year, periods),
        today=today,
    )


@dataclass(frozen=True)
class Change:
    """One difference between a printed copy and the journal now, said in words."""

    what: str
    printed: str
    now: str


def column_labels(keys: list[str]) -> dict[str, str]:
    """A snapshot's column keys as the reader says them: a period (by its id) «2 четверть», the year's kinds."""
    named = {"year": _("year"), "exam": _("exam"), "final": _("final")}
    ids = [int(k) for k in keys if k.isdigit()]
    periods = {str(p.pk): str(p) for p in StudyPeriod.objects.filter(pk__in=ids)} if ids else {}
    return {key: named.get(key) or periods.get(key, key) for key in keys}


def snapshot_changes(printed: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """What differs between the printed snapshot and the current one: students and subjects added or gone,
    and every mark changed, set or removed (by student, subject and column)."""
    changes: list[Change] = []
    none = _("no mark")
    for label, key in ((_("student"), "students"), (_("subject"), "subjects")):
        before, after = printed.get(key, {}), current.get(key, {})
        idents = sorted(set(before) | set(after), key=lambda i: before.get(i) or after.get(i) or "")
        changes.extend(
            Change(label, before.get(i, "—"), after.get(i, "—")) for i in idents if before.get(i) != after.get(i)
        )
    for key, label in (("school", _("school")), ("year", _("year")), ("class", _("class"))):
        if printed.get(key) != current.get(key):
            changes.append(Change(label, str(printed.get(key, "—")), str(current.get(key, "—"))))
    students = {**printed.get("students", {}), **current.get("students", {})}
    subjects = {**printed.get("subjects", {}), **current.get("subjects", {})}
    columns = column_labels([*printed.get("columns", []), *current.get("columns", [])])
    if printed.get("columns") != current.get("columns"):
        shown = [", ".join(columns[k] for k in side.get("columns", [])) for side in (printed, current)]
        changes.append(Change(_("columns of marks"), shown[0], shown[1]))
    before, after = printed.get("marks", {}), current.get("marks", {})

    def order(mark_key: str) -> tuple[str, str, str]:
        sid, subject_id, column = mark_key.split("/", 2)
        return (students.get(sid, sid), subjects.get(subject_id, subject_id), column)

    for mark_key in sorted(set(before) | set(after), key=order):
        if before.get(mark_key) == after.get(mark_key):
            continue
        sid, subject_id, column = mark_key.split("/", 2)
        what = f"{students.get(sid, sid)} · {subjects.get(subject_id, subject_id)} · {columns.get(column, column)}"
        changes.append(
            Change(
                what,
                short_label(before[mark_key]) if mark_key in before else none,
                short_label(after[mark_key]) if mark_key in after else none,
            )
        )
    return changes
