"""The course page of the journal: students × lessons, each cell saved on its own.

Reading: those who see the course (its teacher, the class teacher, the
administration); parents and students never (§3.12). Writing a cell: the
course's teacher or the substitute of that lesson (the services check the
regulation's rules; this module only asks who may call them).

A cell's save is one transaction: the typed text is parsed, then each of the
cell's rows (mark 1, mark 2, attendance) is set, removed or left as it is,
each against the version the page showed. Any refusal rolls back the whole
cell and is answered with JSON: 400 for a value the rules refuse, 409 for an
edit based on a stale version (with what is stored now and who stored it).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.decorators import deny_unless, staff_post, staff_required
from core.messages import error_text
from core.params import text_param
from journal import rules
from journal.access import CourseAccess, course_access
from journal.models import Course, Lesson, LessonStatus, StudyPeriod
from journal.models.planning import LessonKind
from journal.selectors.journal_grid import PICKER_MARKS, CourseGrid, GridRow, cell_details, course_grid
from journal.selectors.periods import grade_periods
from journal.selectors.scope import lessons_substituted_by
from journal.services.conflicts import StaleEdit
from journal.services.marks import (
    BATCH_MAX_CELLS,
    CellEdit,
    CellRefusal,
    CellResult,
    SummarySpan,
    cells_set,
    mark_details_set,
)


def _kind_marks() -> dict[str, str]:
    """Short marks of the lesson kinds in a column's header (an ordinary lesson has none)."""
    return {
        LessonKind.TEST: _("T (test, short)"),
        LessonKind.LAB: _("L (lab, short)"),
        LessonKind.PRACTICAL: _("P (practical, short)"),
        LessonKind.DICTATION: _("D (dictation, short)"),
        LessonKind.ESSAY: _("E (essay, short)"),
        LessonKind.REVIEW: _("R (revision, short)"),
    }


# --- What a cell shows -------------------------------------------------------------------


class _GridWriter:
    """Writes the grid's head and rows as HTML in Python.

    A quarter's page has about 1,500 cells, most of them empty: a cell is its text alone (``<td>5</td>``),
    with the versions of its rows only where it holds something (``data-v="v1,v2,att"``) and a class only
    when it is not an ordinary one (not attended, a cancelled lesson, a late mark). The lesson is the
    column's and the student the row's: ``static/js/grid.js`` reads them from the head and the row, and
    puts its one editor into the cell that has the focus. Every text is escaped once (cell texts repeat).
    """

    def __init__(self, lessons: list[Lesson], writable: set[int]) -> None:
        self.lessons = lessons
        self.writable = writable
        self.columns = [(lesson.pk, lesson.date, lesson.status == LessonStatus.CANCELLED) for lesson in lessons]
        self.escaped: dict[str, str] = {}

    def _text(self, text: str) -> str:
        found = self.escaped.get(text)
        if found is None:
            found = self.escaped[text] = conditional_escape(text)
        return found

    def colgroup(self, today: datetime.date) -> SafeString:
        """One ``<col>`` a column, today's lessons tinted (``jg-today``): the column to fill stands out."""
        cols = "".join('<col class="jg-today">' if day == today else "<col>" for _pk, day, _c in self.columns)
        return mark_safe(f"<colgroup><col>{cols}</colgroup>")  # noqa: S308 - no dynamic text

    def header(self) -> SafeString:
        """The lessons' column heads: date, the kind's short mark, the topic (and «cancelled») as a tooltip;
        ``jg-ro`` on a column the user does not write."""
        kinds = _kind_marks()
        cancelled_note = conditional_escape(" (" + _("cancelled") + ")")
        # The date opens the lesson's page (topic, homework, «everyone present»).
        lesson_path = reverse("journal:lesson_detail", args=[0]).removesuffix("0/")
        parts = []
        for lesson in self.lessons:
            cancelled = lesson.status == LessonStatus.CANCELLED
            label = lesson.date.strftime("%d.%m")
            kind = kinds.get(lesson.kind, "")
            badge = f'<br><span class="badge text-bg-warning jg-kind">{conditional_escape(kind)}</span>' if kind else ""
            classes = "jg-lesson"
            if cancelled:
                classes += " jg-cancelled"
            if cancelled or lesson.pk not in self.writable:
                classes += " jg-ro"
            parts.append(
                f'<th scope="col" class="{classes}" data-l="{lesson.pk}" data-d="{label}"'
                f' title="{conditional_escape(lesson.topic)}{cancelled_note if cancelled else ""}">'
                f'<a class="jg-day" href="{lesson_path}{lesson.pk}/">{label}</a>{badge}</th>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every dynamic part above is escaped or an integer

    def row(self, row: GridRow, minimum: int, *, with_summary: bool) -> SafeString:
        """A student's ``<tr>``: the name, the cells and (unless a substitute looks) the summary columns."""
        student_id = row.student.pk
        entry = row.entry
        throughout = entry.attends_throughout(self.columns[0][1], self.columns[-1][1]) if self.columns else True
        cells = row.cells
        parts = [
            f'<tr data-s="{student_id}" data-testid="row-{student_id}">'
            f'<th scope="row" class="jg-name">{conditional_escape(row.student.short_name)}</th>'
        ]
        for lesson_id, day, cancelled in self.columns:
            if not throughout and not entry.attends(day):
                parts.append('<td class="jg-out"></td>')
                continue
            cell = cells.get(lesson_id)
            if cell is None:
                parts.append('<td class="jg-c"></td>' if cancelled else "<td></td>")
                continue
            classes = " ".join(name for name, on in (("jg-c", cancelled), ("jg-late", cell.late)) if on)
            class_attr = f' class="{classes}"' if classes else ""
            parts.append(f'<td data-v="{cell.versions}"{class_attr}>{self._text(cell.text)}</td>')
        if with_summary:
            below = " jg-below" if row.marks_count < minimum else ""
            final = conditional_escape(row.final_value)
            parts.append(
                f'<td class="jg-sum" data-testid="avg-{student_id}">{row.summary.average_text}</td>'
                f'<td class="jg-sum{below}" data-testid="count-{student_id}">{row.marks_count}/{minimum}</td>'
                f'<td class="jg-sum" data-testid="suggested-{student_id}">{conditional_escape(row.suggested)}</td>'
                f'<td class="jg-sum fw-bold" data-testid="final-{student_id}">{final}</td>'
            )
        parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 - every dynamic part above is escaped or a number


# --- The page ------------------------------------------------------------------------------


def _periods(course: Course) -> list[StudyPeriod]:
    return grade_periods(course.class_group.year_id, course.class_group.grade)


def _chosen_period(request: HttpRequest, periods: list[StudyPeriod]) -> StudyPeriod | None:
    """``?period=<id>`` (one of the class's periods), else the one containing today, else the nearest."""
    raw = request.GET.get("period")
    if raw:
        chosen = next((p for p in periods if str(p.pk) == raw), None)
        if chosen is None:
            raise Http404("No such period for this class")
        return chosen
    if not periods:
        return None
    today = timezone.localdate()
    current = next((p for p in periods if p.start <= today <= p.end), None)
    if current is not None:
        return current
    started = [p for p in periods if p.start <= today]
    return started[-1] if started else periods[0]


def _writable_lessons(request: HttpRequest, access: CourseAccess, lessons: list[Lesson]) -> set[int]:
    """The lessons of the page the user may write: all of them for the course's teacher, else those substituted."""
    ids = [lesson.pk for lesson in lessons]
    if access.teaches:
        return set(ids)
    return set(lessons_substituted_by(request.user, request.school).filter(pk__in=ids).values_list("pk", flat=True))


def _period_range(course: Course, period: StudyPeriod | None) -> tuple[datetime.date, datetime.date]:
    if period is not None:
        return period.start, period.end
    return course.class_group.year.start, course.class_group.year.end


@dataclass(frozen=True)
class _Month:
    key: str  # "2026-11"
    start: datetime.date
    end: datetime.date


def _months(start: datetime.date, end: datetime.date) -> list[_Month]:
    """The calendar months that meet ``start``–``end``, each clipped to it."""
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        months.append(
            _Month(first.strftime("%Y-%m"), max(first, start), min(following - datetime.timedelta(days=1), end))
        )
        first = following
    return months


def _chosen_month(request: HttpRequest, months: list[_Month]) -> _Month | None:
    """``?month=YYYY-MM``: a month of the chosen period (a phone shows a month more easily than a quarter)."""
    raw = request.GET.get("month")
    if raw == "all":
        return None
    if not raw:
        # Opened without a choice: the month holding today when the period does (the lessons to fill now,
        # not the quarter's first weeks); «Whole period» is ``month=all``.
        today = timezone.localdate()
        return next((month for month in months if month.start <= today <= month.end), None)
    chosen = next((month for month in months if month.key == raw), None)
    if chosen is None:
        raise Http404("No such month in this period")
    return chosen


@staff_required
@require_GET
def course_journal(request: HttpRequest, course_id: int) -> HttpResponse:
    access = course_access(request.user, request.school, course_id)
    course, substitute_only = access.course, access.substitute_only
    periods = _periods(course)
    period = _chosen_period(request, periods)
    start, end = _period_range(course, period)
    months = _months(start, end)
    month = _chosen_month(request, months)
    if month is not None:
        start, end = month.start, month.end
    # A substitute sees the columns of the lessons they substitute, not the course's other lessons.
    only = (
        set(lessons_substituted_by(request.user, request.school).filter(course=course).values_list("pk", flat=True))
        if substitute_only
        else None
    )
    grid: CourseGrid = course_grid(course, start, end, period=period, lesson_ids=only)
    writable = _writable_lessons(request, access, grid.lessons)
    renderer = _GridWriter(grid.lessons, writable)
    # The summary columns (average, marks against the minimum, suggestion, final): not for a substitute, and
    # not where no marks are given (grade 1: no «0/3», no averages).
    with_summary = not substitute_only and grid.marks_allowed
    rows = [renderer.row(row, grid.minimum_marks, with_summary=with_summary) for row in grid.rows]
    context: dict[str, Any] = {
        "course": course,
        "grid": grid,
        "header": renderer.header(),
        "colgroup": renderer.colgroup(timezone.localdate()),
        "rows": rows,
        "periods": periods,
        "period": period,
        "months": months if len(months) > 1 else [],
        "month": month,
        "substitute_only": substitute_only,
        "with_summary": with_summary,
        "can_write": bool(writable),
        # The editor starts in today's column (its first lesson) when the page shows today.
        "today_lesson": next((lesson.pk for lesson in grid.lessons if lesson.date == timezone.localdate()), ""),
        "picker_marks": PICKER_MARKS if grid.marks_allowed else [],
        "picker_letters": [grid.policy.letter_absent, grid.policy.letter_illness],
        "letters": [
            grid.policy.letter_absent,
            grid.policy.letter_illness,
            grid.policy.letter_excused,
            grid.policy.letter_unexcused,
            grid.policy.letter_late,
        ],
    }
    return render(request, "journal/grid/course_journal.html", context)


# --- Saving a cell ---------------------------------------------------------------------------


class _BadRequestError(Exception):
    pass


def _int_field(data: Any, name: str) -> int:
    raw = data.get(name, "")
    if not isinstance(raw, str) or not raw.isdigit() or len(raw) > 18:
        raise _BadRequestError(name)
    return int(raw)


def _parse_versions(raw: str) -> dict[str, int | None]:
    try:
        given = json.loads(raw or "{}")
    except ValueError:
        raise _BadRequestError("versions") from None
    return _versions(given)


def _versions(given: Any) -> dict[str, int | None]:
    if not isinstance(given, dict):
        raise _BadRequestError("versions")
    versions: dict[str, int | None] = {}
    for key in ("1", "2", "att"):
        value = given.get(key)
        if value in (None, ""):
            versions[key] = None
        elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            versions[key] = int(value)
        else:
            raise _BadRequestError("versions")
    return versions


def _span(data: Any) -> SummarySpan | None:
    """The dates whose figures the page shows (``start``/``end``) and its period's start (``policy_day``); the
    service answers the figures only if they hold the lesson."""
    try:
        start = datetime.date.fromisoformat(data.get("start", ""))
        end = datetime.date.fromisoformat(data.get("end", ""))
        policy_day = datetime.date.fromisoformat(data.get("policy_day", "") or data.get("start", ""))
    except ValueError:
        return None
    if not policy_day <= start <= end:
        return None
    return SummarySpan(start=start, end=end, policy_day=policy_day)


def _refuse_unparsed(request: HttpRequest, course_id: int, error: _BadRequestError) -> JsonResponse:
    """A save that was not understood: 403 for parents and students (§3.12) and the course's readers, 404
    outside the course, 400 for its writers."""
    deny_unless(rules.is_staff(request.user))
    access = course_access(request.user, request.school, course_id)
    deny_unless(access.teaches or access.substitutes)
    return JsonResponse({"error": _("The cell was not understood (%(field)s).") % {"field": error}}, status=400)


def _saved_body(result: CellResult) -> dict[str, Any]:
    """The cell as saved (and the row's figures): the grid shows them without a reload."""
    state = result.state
    body: dict[str, Any] = {"saved": True, "text": state.text, "versions": state.versions, "late": state.late}
    if result.summary is not None:
        body["summary"] = {
            "average": result.summary.average_text,
            "count": result.summary.count,
            "suggested": result.summary.suggested,
        }
    return body


def _saved(result: CellResult, **extra: Any) -> JsonResponse:
    return JsonResponse({**_saved_body(result), **extra})


def _stale_body(stale: StaleEdit) -> dict[str, Any]:
    at = timezone.localtime(stale.at) if stale.at is not None else None
    state = stale.state
    return {
        "error": error_text(stale),
        "value": stale.value,
        "author": stale.author.short_name if stale.author is not None else None,
        "at": at.strftime("%d.%m.%Y %H:%M") if at is not None else None,
        "text": state.text if state is not None else "",
        "versions": state.versions if state is not None else {},
        "late": state.late if state is not None else False,
    }


def _stale_response(stale: StaleEdit) -> JsonResponse:
    return JsonResponse(_stale_body(stale), status=409)


def _refused_body(error: ValidationError) -> dict[str, Any]:
    return {"error": error_text(error), "value": None, "author": None, "at": None}


def _refused(error: ValidationError) -> JsonResponse:
    return JsonResponse(_refused_body(error), status=400)


def _answer(answer: CellResult | CellRefusal) -> tuple[int, dict[str, Any]]:
    """A cell's answer: its HTTP status and body, the same for a cell saved alone and one of a batch."""
    if isinstance(answer, CellResult):
        return 200, _saved_body(answer)
    if isinstance(answer, StaleEdit):
        return 409, _stale_body(answer)
    if isinstance(answer, ValidationError):
        return 400, _refused_body(answer)
    if isinstance(answer, PermissionDenied):
        words = str(answer) or _("Only the course's teacher or the lesson's substitute writes this lesson.")
        return 403, {"error": words, "value": None, "author": None, "at": None}
    return 404, {"error": _("The lesson or the student is not in this course."), "value": None}


def _single_edit(data: Any) -> CellEdit:
    return CellEdit(
        lesson_id=_int_field(data, "lesson"),
        student_id=_int_field(data, "student"),
        text=data.get("text", ""),
        versions=_parse_versions(data.get("versions", "")),
    )


def _batch_edits(raw: str) -> list[CellEdit]:
    """``cells``: a JSON list of ``{"lesson", "student", "text", "versions"}``, as the single form's fields."""
    try:
        given = json.loads(raw)
    except ValueError:
        raise _BadRequestError("cells") from None
    if not isinstance(given, list) or not 0 < len(given) <= BATCH_MAX_CELLS:
        raise _BadRequestError("cells")
    edits = []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("text", ""), str):
            raise _BadRequestError("cells")
        edits.append(
            CellEdit(
                lesson_id=_int_field(item, "lesson"),
                student_id=_int_field(item, "student"),
                text=item.get("text", ""),
                versions=_versions(item.get("versions") or {}),
            )
        )
    return edits


# The saves need no roles query: the service finds the writer's permission rows with the lesson, and asks
# the roles only to word a refusal.
@staff_post
def course_journal_cell(request: HttpRequest, course_id: int) -> HttpResponse:
    """Save one cell, or a batch (``cells``: those the grid queued while a save was in flight), with
    :func:`journal.services.marks.cells_set`: each cell answered on its own ("saved" only after the commit).
    One cell is answered with its own status (403/404 as the page's); a batch with 200 and ``{"cells": [...]}``,
    each holding its ``status`` and the body a single save would have had."""
    batch = "cells" in request.POST
    try:
        edits = _batch_edits(request.POST["cells"]) if batch else [_single_edit(request.POST)]
    except _BadRequestError as error:
        return _refuse_unparsed(request, course_id, error)
    answers = cells_set(
        actor=request.user, school=request.school, course_id=course_id, cells=edits, span=_span(request.POST)
    )
    if not batch:
        (answer,) = answers
        if isinstance(answer, PermissionDenied | Http404):
            raise answer
        status, body = _answer(answer)
        return JsonResponse(body, status=status)
    cells = []
    for edit, answer in zip(edits, answers, strict=True):
        status, body = _answer(answer)
        cells.append({"lesson": edit.lesson_id, "student": edit.student_id, "status": status, **body})
    return JsonResponse({"cells": cells})


# --- A cell's details: its marks' work types and comments, its history, the phone's picker ----


@staff_required
@require_GET
def course_journal_cell_details(request: HttpRequest, course_id: int) -> HttpResponse:
    """The panel below the grid for one cell (``?lesson=&student=``): readers see it too."""
    access = course_access(request.user, request.school, course_id)
    try:
        lesson_id = _int_field(request.GET, "lesson")
        student_id = _int_field(request.GET, "student")
    except _BadRequestError as error:
        return HttpResponse(_("The cell was not understood (%(field)s).") % {"field": error}, status=400)
    details = cell_details(request.user, access, lesson_id, student_id)
    return render(request, "journal/grid/_cell_details.html", {"course": access.course, **details.context()})


@staff_post
def course_journal_mark(request: HttpRequest, course_id: int) -> HttpResponse:
    """Change a mark's work type and comment (its value stays), against the version the panel showed."""
    try:
        lesson_id = _int_field(request.POST, "lesson")
        student_id = _int_field(request.POST, "student")
        position = _int_field(request.POST, "position")
        version = _int_field(request.POST, "version")
        raw_type = request.POST.get("work_type", "")
        work_type_id = _int_field(request.POST, "work_type") if raw_type else None
    except _BadRequestError as error:
        return _refuse_unparsed(request, course_id, error)
    try:
        result = mark_details_set(
            actor=request.user,
            school=request.school,
            course_id=course_id,
            lesson_id=lesson_id,
            student_id=student_id,
            position=position,
            work_type_id=work_type_id,
            comment=text_param(request, "comment"),
            expected_version=version,
            span=_span(request.POST),
        )
    except StaleEdit as stale:
        return _stale_response(stale)
    except ValidationError as error:
        return _refused(error)
    return _saved(result, version=result.state.versions[str(position)])
