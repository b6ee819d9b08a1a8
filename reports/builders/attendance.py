"""Attendance reports: the class's attendance by month (§4.3) and the summary sheet of attendance by
period (сводная ведомость учёта посещаемости)."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from journal.models import ClassGroup, GradingPolicy
from journal.selectors.class_facts import (
    Absence,
    ClassFacts,
    StudentAttendance,
    attendance_by_student,
    class_absences,
    class_facts,
    lessons_per_day,
    period_policy,
)
from journal.selectors.grading import attendance_letter
from journal.selectors.periods import grade_periods
from journal.statistics import ABSENCE_REASONS, AttendanceCounts
from reports.builders import Progress, ReportParams, per_class, student_cells, student_head
from reports.document import Cell, Report, Section, Table, head, number, text


def attendance_head(policy: GradingPolicy) -> list[Cell]:
    """The columns of a student's attendance: days missed whole, lessons missed, of them by reason, late."""
    return [
        head(_("days missed")),
        head(_("lessons missed")),
        head(_("illness (%(letter)s)") % {"letter": policy.letter_illness}),
        head(_("excused (%(letter)s)") % {"letter": policy.letter_excused}),
        head(_("unexcused (%(letter)s)") % {"letter": policy.letter_unexcused}),
        head(_("not confirmed (%(letter)s)") % {"letter": policy.letter_absent}),
        head(_("late (%(letter)s)") % {"letter": policy.letter_late}),
    ]


def reason_heads(policy: GradingPolicy) -> list[Cell]:
    """The letters of the lessons missed by reason, every one the school uses (Б, УП, НП, Н): the columns
    that add up to the lessons missed."""
    return [head(attendance_letter(policy, "absent", reason)) for reason in ABSENCE_REASONS]


def reason_cells(counts: AttendanceCounts, css: str = "", blank_zero: bool = True) -> list[Cell]:
    """The lessons missed by reason under :func:`reason_heads` (unexcused ones marked)."""
    return [
        number(
            n, css=f"{css} bad".strip() if reason == "unexcused" and n and blank_zero else css, blank_zero=blank_zero
        )
        for reason, n in counts.by_reason()
    ]


def attendance_cells(value: StudentAttendance, css: str = "") -> list[Cell]:
    counts = value.counts
    return [
        number(value.full_days, css=css, blank_zero=True),
        number(counts.missed, css=css, blank_zero=True),
        number(counts.illness, css=css, blank_zero=True),
        number(counts.excused, css=css, blank_zero=True),
        number(counts.unexcused, css=f"{css} bad".strip() if counts.unexcused else css, blank_zero=True),
        number(counts.unknown, css=css, blank_zero=True),
        number(counts.late, css=css, blank_zero=True),
    ]


def total_attendance(values: list[StudentAttendance]) -> StudentAttendance:
    """The class's total of its students' attendance (sums of the counts)."""
    return StudentAttendance(
        counts=AttendanceCounts(
            illness=sum(v.counts.illness for v in values),
            excused=sum(v.counts.excused for v in values),
            unexcused=sum(v.counts.unexcused for v in values),
            unknown=sum(v.counts.unknown for v in values),
            late=sum(v.counts.late for v in values),
        ),
        full_days=sum(v.full_days for v in values),
    )


def attendance_table(facts: ClassFacts, by_student: dict[int, StudentAttendance], policy: GradingPolicy) -> Table:
    """Student × attendance over the facts' span, with the class's total."""
    body = []
    for index, entry in enumerate(facts.roster, start=1):
        left = not facts.in_class_at_end(entry)
        body.append(
            [
                *student_cells(index, entry.student.short_name, left=left),
                *attendance_cells(by_student[entry.student.pk]),
            ]
        )
    total = total_attendance(list(by_student.values()))
    return Table(
        head=[[*student_head(), *attendance_head(policy)]],
        body=body,
        foot=[[text(""), text(_("Class total"), "total"), *attendance_cells(total, "total")]],
        empty=_("No students in the class in these days."),
    )


def _day_text(absences: list[Absence], policy: GradingPolicy) -> tuple[str, str]:
    """A student's day in the monthly table: the letters of the lessons missed with their counts
    ("Б2", "Н ОП"), and the cell's class."""
    counted: dict[str, int] = defaultdict(int)
    for absence in absences:
        counted[attendance_letter(policy, absence.status, absence.reason)] += 1
    parts = [f"{letter}{count if count > 1 else ''}" for letter, count in counted.items()]
    unexcused = any(a.status == "absent" and a.reason == "unexcused" for a in absences)
    return " ".join(parts), "bad" if unexcused else ""


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def _class_months(class_group: ClassGroup, params: ReportParams) -> list[Section]:
    assert params.first_month is not None and params.last_month is not None  # noqa: S101 - the form requires them
    year = params.year
    start = max(params.first_month.replace(day=1), year.start)
    month_end = params.last_month.replace(day=calendar.monthrange(params.last_month.year, params.last_month.month)[1])
    end = min(month_end, year.end, max(timezone.localdate(), start))
    facts = class_facts(class_group, start, end)
    policy = period_policy(facts)
    absences = class_absences(facts)
    lessons = lessons_per_day(facts)
    by_day: dict[tuple[int, datetime.date], list[Absence]] = defaultdict(list)
    for absence in absences:
        by_day[(absence.student_id, absence.day)].append(absence)
    school_days = sorted({day for days in lessons.values() for day in days})
    sections = []
    for month in _months(start, end):
        days = [d for d in school_days if d.year == month.year and d.month == month.month]
        if not days:
            continue
        month_facts = facts.narrowed(days[0], days[-1])
        month_absences = [a for a in absences if days[0] <= a.day <= days[-1]]
        totals = attendance_by_student(month_facts, month_absences, lessons)
        body = []
        for index, entry in enumerate(month_facts.roster, start=1):
            cells = []
            for day in days:
                if not entry.attends(day):
                    cells.append(Cell(None, "", "out"))
                    continue
                shown, css = _day_text(by_day.get((entry.student.pk, day), []), policy)
                cells.append(Cell(shown, shown, f"day {css}".strip()))
            own = totals[entry.student.pk]
            body.append(
                [
                    *student_cells(index, entry.student.short_name),
                    *cells,
                    number(own.counts.missed, blank_zero=True),
                    *reason_cells(own.counts),
                    number(own.counts.late, blank_zero=True),
                ]
            )
        table = Table(
            head=[
                [
                    *student_head(),
                    *[head(f"{day.day}") for day in days],
                    head(_("missed")),
                    *reason_heads(policy),
                    head(policy.letter_late),
                ]
            ],
            body=body,
            empty=_("No students in the class in these days."),
        )
        title = date_format(month, "F Y")
        sections.append(
            Section(heading=f"{class_group} · {title}", tables=[table], sheet=f"{class_group} {month:%m.%Y}")
        )
    summary = attendance_by_student(facts, absences, lessons)
    sections.append(
        Section(
            heading=_("%(cls)s · in all, %(start)s – %(end)s")
            % {"cls": class_group, "start": start.strftime("%d.%m.%Y"), "end": end.strftime("%d.%m.%Y")},
            tables=[attendance_table(facts, summary, policy)],
            sheet=f"{class_group} {_('in all')}",
        )
    )
    return sections


def monthly_attendance(params: ReportParams, progress: Progress | None = None) -> Report:
    """Посещаемость класса по месяцам: per month a student × day table (lessons missed by reason, late
    arrivals), then the summary over the months: days and lessons missed, by reason."""
    assert params.first_month is not None and params.last_month is not None  # noqa: S101
    span = _("%(first)s – %(last)s") % {
        "first": date_format(params.first_month, "F Y"),
        "last": date_format(params.last_month, "F Y"),
    }
    sections = per_class(params.classes(), progress, lambda c: _class_months(c, params))
    return Report(
        title=_("Class attendance by month"),
        lines=params.lines(span),
        sections=sections,
        filename=f"attendance-{params.slug()}-{params.first_month:%Y-%m}-{params.last_month:%Y-%m}",
        landscape=True,
        notes=[_("Letters: the lessons missed that day and their reasons; a number after a letter counts lessons.")],
    )


def _class_sheet(class_group: ClassGroup, params: ReportParams) -> list[Section]:
    periods = grade_periods(params.year.pk, class_group.grade)
    year_end = min(params.year.end, max(timezone.localdate(), params.year.start))
    facts = class_facts(class_group, params.year.start, year_end)
    policy = period_policy(facts)
    absences = class_absences(facts)
    lessons = lessons_per_day(facts)
    spans = [(str(p), p.start, p.end) for p in periods] + [(_("year"), params.year.start, year_end)]
    figures = []
    for _label, start, end in spans:
        narrowed = facts.narrowed(start, end)
        own = [a for a in absences if start <= a.day <= end]
        figures.append(attendance_by_student(narrowed, own, lessons))
    per = [head(_("days")), head(_("lessons")), *reason_heads(policy)]
    head_top = [head("№", rows=2), head(_("Student"), rows=2), *[head(label, span=len(per)) for label, _s, _e in spans]]
    head_sub = [cell for _span in spans for cell in per]
    body = []
    empty = StudentAttendance(AttendanceCounts(), 0)
    for index, entry in enumerate(facts.roster, start=1):
        cells = []
        for by_student in figures:
            value = by_student.get(entry.student.pk, empty)
            cells += [
                number(value.full_days, blank_zero=True),
                number(value.counts.missed, blank_zero=True),
                *reason_cells(value.counts),
            ]
        body.append([*student_cells(index, entry.student.short_name, left=not facts.in_class_at_end(entry)), *cells])
    foot = [text(""), text(_("Class total"), "total")]
    for by_student in figures:
        total = total_attendance(list(by_student.values()))
        foot += [
            number(total.full_days, css="total"),
            number(total.counts.missed, css="total"),
            *reason_cells(total.counts, "total", blank_zero=False),
        ]
    table = Table(head=[head_top, head_sub], body=body, foot=[foot], empty=_("No students in the class this year."))
    return [Section(heading=str(class_group), tables=[table], sheet=str(class_group))]


def attendance_sheet(params: ReportParams, progress: Progress | None = None) -> Report:
    """Сводная ведомость учёта посещаемости: students × periods and the year (days and lessons missed, and
    the lessons by every reason: Б, УП, НП, Н)."""
    sections = per_class(params.classes(), progress, lambda c: _class_sheet(c, params))
    return Report(
        title=_("Summary sheet of attendance"),
        lines=params.lines(),
        sections=sections,
        filename=f"attendance-sheet-{params.slug()}-{params.year.start:%Y}",
        landscape=True,
    )
