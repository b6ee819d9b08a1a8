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
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import staff_required
from journal import rules
from journal.access import CourseAccess, course_access, get_student_of_school
from journal.models import Attendance, Course, Lesson, LessonStatus, Mark, Student, StudyPeriod, WorkType
from journal.models.planning import LessonKind
from journal.selectors.grading import attendance_letter, marks_allowed, policy_for
from journal.selectors.journal_grid import CourseGrid, GridRow, course_grid, summarise
from journal.selectors.periods import period_kind_for_grade
from journal.selectors.scope import lessons_substituted_by
from journal.services.marks import (
    StaleEdit,
    attendance_clear,
    attendance_set,
    default_work_type,
    mark_delete,
    mark_set,
    parse_cell_input,
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


def cell_text(letter: str, marks: list[str]) -> str:
    """The text of a cell as the teacher would type it: "н", "4/5", "оп 5"."""
    return " ".join(part for part in (letter, "/".join(marks)) if part)


def _version_attr(value: int | None) -> str:
    return "" if value is None else str(value)


class _CellRenderer:
    """Writes the ``<td>`` cells of the grid as HTML in Python.

    A quarter's page has about 1,500 cells; through the template engine each cost
    some twenty variable lookups and the page ~150 ms. Here a cell is one f-string:
    ids and versions are integers, every text is escaped once (cell texts repeat:
    "5", "н", "4/5", so their escaped forms are cached).
    """

    def __init__(self, lessons: list[Lesson], writable: set[int]) -> None:
        self.lessons = lessons
        self.writable = writable
        self.labels = {lesson.pk: lesson.date.strftime("%d.%m") for lesson in lessons}
        self.escaped: dict[str, str] = {}

    def _text(self, text: str) -> str:
        found = self.escaped.get(text)
        if found is None:
            found = self.escaped[text] = conditional_escape(text)
        return found

    def header(self) -> SafeString:
        """The lessons' column heads: date, the kind's short mark, the topic (and «cancelled») as a tooltip."""
        kinds = _kind_marks()
        cancelled_note = conditional_escape(" (" + _("cancelled") + ")")
        parts = []
        for lesson in self.lessons:
            cancelled = lesson.status == LessonStatus.CANCELLED
            kind = kinds.get(lesson.kind, "")
            badge = f'<br><span class="badge text-bg-warning jg-kind">{conditional_escape(kind)}</span>' if kind else ""
            parts.append(
                f'<th scope="col" class="jg-lesson{" jg-cancelled" if cancelled else ""}"'
                f' title="{conditional_escape(lesson.topic)}{cancelled_note if cancelled else ""}"'
                f' data-testid="col-{lesson.pk}">{self.labels[lesson.pk]}{badge}</th>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every dynamic part above is escaped or an integer

    def row(self, row: GridRow, minimum: int, *, with_summary: bool) -> SafeString:
        """A student's ``<tr>``: the name, the cells and (unless a substitute looks) the summary columns."""
        student_id = row.student.pk
        name = conditional_escape(row.student.short_name)
        parts = [f'<tr data-testid="row-{student_id}"><th scope="row" class="jg-name">{name}</th>']
        for cell in row.cells:
            lesson = cell.lesson
            lesson_id = lesson.pk
            cancelled = lesson.status == LessonStatus.CANCELLED
            marks = cell.marks
            att = cell.attendance
            classes = "jg-cell"
            if not cell.enrolled:
                classes += " jg-out"
            elif cancelled:
                classes += " jg-cancelled"
            if marks or att is not None:
                text = self._text(cell_text(cell.attendance_letter, [mark.value for mark in marks]))
                if any(mark.is_late for mark in marks):
                    classes += " jg-late"
            else:  # most cells of a quarter are empty: nothing to compute for them
                text = ""
            testid = f"cell-{student_id}-{lesson_id}"
            if cell.enrolled and not cancelled and lesson_id in self.writable:
                by_position = {mark.position: mark.version for mark in marks}
                parts.append(
                    f'<td class="{classes}" data-lesson="{lesson_id}" data-student="{student_id}">'
                    f'<input type="text" class="jg-input" autocomplete="off" autocapitalize="off" spellcheck="false"'
                    f' maxlength="16" value="{text}" aria-label="{name}, {self.labels[lesson_id]}"'
                    f' data-v1="{_version_attr(by_position.get(1))}" data-v2="{_version_attr(by_position.get(2))}"'
                    f' data-va="{_version_attr(att.version if att is not None else None)}" data-testid="{testid}"></td>'
                )
            else:
                parts.append(
                    f'<td class="{classes}" data-lesson="{lesson_id}" data-student="{student_id}" tabindex="0">'
                    f'<span class="jg-value" data-testid="{testid}">{text}</span></td>'
                )
        if with_summary:
            average = "" if row.average is None else str(row.average)
            below = " jg-below" if row.marks_count < minimum else ""
            final = conditional_escape(row.final_mark.value) if row.final_mark is not None else ""
            parts.append(
                f'<td class="jg-sum" data-testid="avg-{student_id}">{average}</td>'
                f'<td class="jg-sum{below}" data-testid="count-{student_id}">{row.marks_count}/{minimum}</td>'
                f'<td class="jg-sum" data-testid="suggested-{student_id}">{conditional_escape(row.suggested)}</td>'
                f'<td class="jg-sum fw-bold" data-testid="final-{student_id}">{final}</td>'
            )
        parts.append("</tr>")
        return mark_safe("".join(parts))  # noqa: S308 - every dynamic part above is escaped or a number


# --- The page ------------------------------------------------------------------------------


def _periods(course: Course) -> list[StudyPeriod]:
    class_group = course.class_group
    kind = period_kind_for_grade(class_group.year, class_group.grade)
    return list(StudyPeriod.objects.filter(year_id=class_group.year_id, kind=kind).order_by("start"))


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
    if not raw:
        return None
    chosen = next((month for month in months if month.key == raw), None)
    if chosen is None:
        raise Http404("No such month in this period")
    return chosen


def _range_of_post(request: HttpRequest, course: Course, lesson: Lesson) -> tuple[datetime.date, datetime.date] | None:
    """The dates whose summary the page shows (``start``/``end`` posted by the grid), if they hold the lesson."""
    try:
        start = datetime.date.fromisoformat(request.POST.get("start", ""))
        end = datetime.date.fromisoformat(request.POST.get("end", ""))
    except ValueError:
        return None
    year = course.class_group.year
    if not (year.start <= start <= lesson.date <= end <= year.end):
        return None
    return start, end


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
    renderer = _CellRenderer(grid.lessons, writable)
    rows = [renderer.row(row, grid.minimum_marks, with_summary=not substitute_only) for row in grid.rows]
    context: dict[str, Any] = {
        "course": course,
        "grid": grid,
        "header": renderer.header(),
        "rows": rows,
        "periods": periods,
        "period": period,
        "months": months if len(months) > 1 else [],
        "month": month,
        "substitute_only": substitute_only,
        "can_write": bool(writable),
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
    try:
        return int(data.get(name, ""))
    except (TypeError, ValueError):
        raise _BadRequestError(name) from None


def _parse_versions(raw: str) -> dict[str, int | None]:
    try:
        given = json.loads(raw or "{}")
    except ValueError:
        raise _BadRequestError("versions") from None
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


def _stale(row: Mark | Attendance, value: str) -> StaleEdit:
    return StaleEdit(value=value, author=row.author, at=row.updated_at, current_version=row.version)


def _apply_cell(
    *,
    actor: Any,
    lesson: Lesson,
    student: Student,
    text: str,
    versions: dict[str, int | None],
) -> None:
    """Bring the cell's rows to what ``text`` says, each against the version the page showed."""
    policy = policy_for(lesson.course.class_group.year.school, lesson.date)
    wanted = parse_cell_input(text, policy)
    stored_marks = {
        mark.position: mark
        for mark in Mark.objects.select_for_update().filter(lesson=lesson, student=student).select_related("author")
    }
    for position in (1, 2):
        expected = versions[str(position)]
        current = stored_marks.get(position)
        if position <= len(wanted.marks):
            value = wanted.marks[position - 1]
            if current is not None and current.version == expected and current.value == value:
                continue
            mark_set(
                actor=actor, lesson=lesson, student=student, value=value, position=position, expected_version=expected
            )
        elif current is not None:
            if expected is None:  # someone put a mark where the teacher saw none
                raise _stale(current, current.value)
            mark_delete(actor=actor, mark=current, expected_version=expected)
        # no mark wanted and none stored: nothing to do, whoever removed it

    expected = versions["att"]
    current_att = Attendance.objects.select_for_update().filter(lesson=lesson, student=student).first()
    if wanted.attendance is not None:
        status, reason = wanted.attendance
        if (
            current_att is not None
            and current_att.version == expected
            and current_att.status == status
            and current_att.reason == reason
        ):
            return
        attendance_set(
            actor=actor, lesson=lesson, student=student, status=status, reason=reason, expected_version=expected
        )
    elif current_att is not None:
        if expected is None:
            letter = attendance_letter(policy, current_att.status, current_att.reason)
            raise _stale(current_att, letter)
        attendance_clear(actor=actor, attendance=current_att, expected_version=expected)


def _cell_state(
    lesson: Lesson, student: Student, period: tuple[datetime.date, datetime.date] | None = None
) -> dict[str, Any]:
    """What the cell holds now: its text and the versions of its rows; with ``period`` (start, end),
    also the student's summary columns over it (the page updates them after a save)."""
    school = lesson.course.class_group.year.school
    if period is not None:
        # One query for the row's marks over the period; the cell's own marks are among them.
        period_marks = list(
            Mark.objects.filter(
                lesson__course_id=lesson.course_id, lesson__date__range=period, student=student
            ).order_by("position")
        )
        marks = [mark for mark in period_marks if mark.lesson_id == lesson.pk]
    else:
        marks = list(Mark.objects.filter(lesson=lesson, student=student).order_by("position"))
    attendance = Attendance.objects.filter(lesson=lesson, student=student).first()
    letter = ""
    if attendance is not None:
        letter = attendance_letter(policy_for(school, lesson.date), attendance.status, attendance.reason)
    state: dict[str, Any] = {
        "text": cell_text(letter, [mark.value for mark in marks]),
        "versions": _versions(marks, attendance),
        "late": any(mark.is_late for mark in marks),
    }
    if period is not None:
        summary = summarise(period_marks, policy_for(school, period[0]))
        state["summary"] = {
            "average": "" if summary.average is None else str(summary.average),
            "count": summary.marks_count,
            "suggested": summary.suggested,
        }
    return state


def _versions(marks: list[Mark], attendance: Attendance | None) -> dict[str, int | None]:
    by_position = {mark.position: mark.version for mark in marks}
    return {
        "1": by_position.get(1),
        "2": by_position.get(2),
        "att": attendance.version if attendance is not None else None,
    }


def _error_message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _course_for_writing(request: HttpRequest, course_id: int) -> tuple[Course, bool, bool]:
    """``(course, substitute_only, teaches)``: the course, if the user sees it or substitutes one of its
    lessons (404 otherwise); 403 at once for those who see it but may write none of its lessons."""
    access = course_access(request.user, request.school, course_id)
    if not access.teaches and not access.substitutes:
        raise PermissionDenied
    return access.course, access.substitute_only, access.teaches


@staff_required
@require_POST
def course_journal_cell(request: HttpRequest, course_id: int) -> HttpResponse:
    course, substitute_only, teaches = _course_for_writing(request, course_id)
    try:
        lesson_id = _int_field(request.POST, "lesson")
        student_id = _int_field(request.POST, "student")
        versions = _parse_versions(request.POST.get("versions", ""))
    except _BadRequestError as error:
        return JsonResponse({"error": _("The cell was not understood (%(field)s).") % {"field": error}}, status=400)
    text = request.POST.get("text", "")
    lesson, student = _lesson_and_student(request, course, lesson_id, student_id, substitute_only)
    # The course's teacher writes every lesson of it; anyone else only a lesson they substitute.
    if not teaches and not rules.writes_lesson(request.user, request.school, lesson):
        raise PermissionDenied

    try:
        with transaction.atomic():
            _apply_cell(actor=request.user, lesson=lesson, student=student, text=text, versions=versions)
    except StaleEdit as stale:
        return _stale_response(stale, lesson, student)
    except ValidationError as error:
        return JsonResponse({"error": _error_message(error), "value": None, "author": None, "at": None}, status=400)
    # Committed: only now is the cell reported saved.
    return JsonResponse({"saved": True, **_cell_state(lesson, student, _range_of_post(request, course, lesson))})


def _stale_response(stale: StaleEdit, lesson: Lesson, student: Student) -> JsonResponse:
    at = timezone.localtime(stale.at) if stale.at is not None else None
    return JsonResponse(
        {
            "error": _error_message(stale),
            "value": stale.value,
            "author": stale.author.short_name if stale.author is not None else None,
            "at": at.strftime("%d.%m.%Y %H:%M") if at is not None else None,
            **_cell_state(lesson, student),
        },
        status=409,
    )


# --- A cell's details: its marks' work types and comments, its history, the phone's picker ----


def _lesson_and_student(
    request: HttpRequest, course: Course, lesson_id: int, student_id: int, substitute_only: bool
) -> tuple[Lesson, Student]:
    """The lesson of the course (for a substitute, one they substitute) and a student of the school, or 404."""
    lessons = Lesson.objects.select_related("course__class_group__year__school", "course__subgroup").filter(
        pk=lesson_id, course=course
    )
    if substitute_only:
        lessons = lessons.filter(pk__in=lessons_substituted_by(request.user, request.school).values("pk"))
    lesson = lessons.first()
    student = get_student_of_school(course.class_group.year.school_id, student_id)
    if lesson is None or student is None:
        raise Http404("No such lesson or student in this course")
    return lesson, student


@staff_required
@require_GET
def course_journal_cell_details(request: HttpRequest, course_id: int) -> HttpResponse:
    """The panel below the grid for one cell (``?lesson=&student=``): readers see it too."""
    access = course_access(request.user, request.school, course_id)
    course, substitute_only = access.course, access.substitute_only
    try:
        lesson_id = _int_field(request.GET, "lesson")
        student_id = _int_field(request.GET, "student")
    except _BadRequestError as error:
        return HttpResponse(_("The cell was not understood (%(field)s).") % {"field": error}, status=400)
    lesson, student = _lesson_and_student(request, course, lesson_id, student_id, substitute_only)
    school = course.class_group.year.school
    policy = policy_for(school, lesson.date)
    marks = list(
        Mark.objects.filter(lesson=lesson, student=student).select_related("work_type", "author").order_by("position")
    )
    attendance = Attendance.objects.filter(lesson=lesson, student=student).select_related("author").first()
    writable = lesson.status != LessonStatus.CANCELLED and rules.writes_lesson(request.user, request.school, lesson)
    default = default_work_type(school, lesson.kind)
    work_types = list(WorkType.objects.filter(school=school, is_active=True).order_by("name"))
    context: dict[str, Any] = {
        "course": course,
        "lesson": lesson,
        "student": student,
        "marks": [
            {"mark": mark, "work_type_id": mark.work_type_id or (default.pk if default is not None else None)}
            for mark in marks
        ],
        "attendance": attendance,
        "attendance_letter": (
            attendance_letter(policy, attendance.status, attendance.reason) if attendance is not None else ""
        ),
        "writable": writable,
        "marks_allowed": marks_allowed(policy, lesson.course.class_group.grade),
        "work_types": work_types,
        "picker_marks": ["5", "4", "3", "2"],
        "picker_letters": [policy.letter_absent, policy.letter_illness],
    }
    return render(request, "journal/grid/_cell_details.html", context)


@staff_required
@require_POST
def course_journal_mark(request: HttpRequest, course_id: int) -> HttpResponse:
    """Change a mark's work type and comment (its value stays), against the version the panel showed."""
    course, substitute_only, teaches = _course_for_writing(request, course_id)
    try:
        lesson_id = _int_field(request.POST, "lesson")
        student_id = _int_field(request.POST, "student")
        position = _int_field(request.POST, "position")
        version = _int_field(request.POST, "version")
    except _BadRequestError as error:
        return JsonResponse({"error": _("The cell was not understood (%(field)s).") % {"field": error}}, status=400)
    lesson, student = _lesson_and_student(request, course, lesson_id, student_id, substitute_only)
    # The course's teacher writes every lesson of it; anyone else only a lesson they substitute.
    if not teaches and not rules.writes_lesson(request.user, request.school, lesson):
        raise PermissionDenied
    school = course.class_group.year.school
    raw_type = request.POST.get("work_type", "")
    work_type: WorkType | None = None
    if raw_type:
        work_type = WorkType.objects.filter(pk=int(raw_type) if raw_type.isdigit() else 0, school=school).first()
        if work_type is None:
            return JsonResponse(
                {"error": _("The work type «%(name)s» is not in use in this school.") % {"name": raw_type}},
                status=400,
            )
    try:
        with transaction.atomic():
            mark = Mark.objects.select_for_update().filter(lesson=lesson, student=student, position=position).first()
            if mark is None:  # removed meanwhile: the panel's version is stale
                removal = (
                    Mark.history.filter(  # type: ignore[attr-defined]
                        lesson_id=lesson.pk, student_id=student.pk, position=position, history_type="-"
                    )
                    .select_related("history_user")
                    .order_by("-history_date", "-history_id")
                    .first()
                )
                raise StaleEdit(
                    value=None,
                    author=removal.history_user if removal is not None else None,
                    at=removal.history_date if removal is not None else None,
                    current_version=None,
                )
            saved = mark_set(
                actor=request.user,
                lesson=lesson,
                student=student,
                value=mark.value,
                position=position,
                work_type=work_type,
                comment=request.POST.get("comment", ""),
                expected_version=version,
            )
    except StaleEdit as stale:
        return _stale_response(stale, lesson, student)
    except ValidationError as error:
        return JsonResponse({"error": _error_message(error), "value": None, "author": None, "at": None}, status=400)
    state = _cell_state(lesson, student, _range_of_post(request, course, lesson))
    return JsonResponse({"saved": True, "version": saved.version, **state})
