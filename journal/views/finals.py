"""Final marks of a course: a period's marks, and the year, exam and final marks.

Reading: the staff who see the course (parents and students never, §3.12). Writing: the course's teacher;
:mod:`journal.services.final_marks` decides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from core.decorators import staff_required
from core.messages import flash_errors
from journal.access import (
    course_access,
)
from journal.forms.finals import (
    FinalMarkForm,
)
from journal.models import (
    Course,
    FinalMark,
    Student,
    StudyPeriod,
)
from journal.models.marks import FinalMarkKind
from journal.selectors.periods import (
    EXAM_GRADES,
    YEAR_KINDS,
    SummaryRow,
    YearRow,
    period_kind_for_grade,
    period_of,
    period_summary,
    year_marks_locked,
    year_summary,
)
from journal.services.final_marks import final_mark_set


def _course(request: HttpRequest, course_id: int, *, write: bool) -> tuple[Course, bool]:
    """The course (404 outside the scope) and whether the user teaches it; ``write``: 403 for its readers."""
    access = course_access(request.user, request.school, course_id)
    if access.substitute_only:
        raise Http404("No such course in your scope")
    if write and not access.teaches:
        raise PermissionDenied
    return access.course, access.teaches


def _course_periods(course: Course) -> QuerySet[StudyPeriod]:
    year = course.class_group.year
    kind = period_kind_for_grade(year, course.class_group.grade)
    return StudyPeriod.objects.filter(year=year, kind=kind).order_by("number")


def _chosen_period(course: Course, periods: QuerySet[StudyPeriod], raw: str | None) -> StudyPeriod | None:
    if raw:
        try:
            period_id = int(raw)
        except ValueError:
            raise Http404("No such period") from None
        period = periods.filter(pk=period_id).first()
        if period is None:
            raise Http404("No such period of the course")
        return period
    today = timezone.localdate()
    current = period_of(course.class_group.year, course.class_group.grade, today)
    if current is not None:
        return current
    return periods.filter(start__lte=today).last() or periods.first()


def _finals_url(course: Course, period: StudyPeriod) -> str:
    return f"{reverse('journal:course_finals', args=[course.pk])}?{urlencode({'period': period.pk})}"


def _row_form(row: SummaryRow, prefix: str, data: Any = None) -> FinalMarkForm:
    final = row.final
    return FinalMarkForm(
        data,
        prefix=prefix,
        marks_count=row.marks_count,
        minimum=row.minimum,
        stored=final.value if final else "",
        initial={
            "student": row.student.pk,
            "version": final.version if final else None,
            "value": final.value if final else row.suggested,
            "reason": final.reason if final else "",
        },
    )


def _save_final_mark(
    request: HttpRequest,
    form: FinalMarkForm,
    *,
    course: Course,
    student: Student,
    kind: str,
    period: StudyPeriod | None = None,
) -> bool:
    """Save the mark the row's form holds; a refusal goes on the form (``False``)."""
    if not form.is_valid():
        return False
    try:
        final_mark_set(
            actor=request.user,
            course=course,
            student=student,
            kind=kind,
            period=period,
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form.add_error(None, error if hasattr(error, "error_dict") else ValidationError(error.messages))
        return False
    return True


def _changed(form: FinalMarkForm, stored: FinalMark | None) -> bool:
    """The form holds a mark to store: a value, and not the very one (and reason) stored already."""
    value, reason = form.cleaned_data["value"], form.cleaned_data["reason"]
    return bool(value) and (stored is None or (stored.value, stored.reason) != (value, reason))


def _touched(post: Any, row: SummaryRow) -> bool:
    """The teacher chose or changed the row's mark: a value, and not the one the page came with (the stored
    mark, else the suggestion it was filled with) with the same reason."""
    prefix = f"s{row.student.pk}"
    value, reason = post.get(f"{prefix}-value", ""), post.get(f"{prefix}-reason", "").strip()
    shown = (row.final.value, row.final.reason) if row.final else (row.suggested, "")
    return bool(value) and (value, reason) != shown


def _save_all(
    request: HttpRequest,
    rows: list[SummaryRow],
    forms: dict[int, FinalMarkForm],
    *,
    course: Course,
    period: StudyPeriod,
) -> int | None:
    """«Save all»: every row whose mark the teacher chose or changed, all or none (a refused row keeps the
    rest unsaved and shows why); a suggestion left as the page filled it in is not a choice and is not
    saved (accepting the suggestions is a button of its own). How many were saved, None when a row was
    refused."""
    chosen = [row for row in rows if _touched(request.POST, row)]
    for row in chosen:
        forms[row.student.pk] = _row_form(row, f"s{row.student.pk}", request.POST)
    if not all(forms[row.student.pk].is_valid() for row in chosen):
        return None
    saved = 0
    try:
        with transaction.atomic():
            for row in chosen:
                form = forms[row.student.pk]
                if not _changed(form, row.final):
                    continue
                if not _save_final_mark(
                    request, form, course=course, student=row.student, kind=period.kind, period=period
                ):
                    raise _RowRefusedError
                saved += 1
    except _RowRefusedError:
        return None
    return saved


def _accept_suggested(request: HttpRequest, rows: list[SummaryRow], *, course: Course, period: StudyPeriod) -> int:
    """«Accept the suggestions»: the suggested mark of every row without a mark yet, all or none; a row with
    fewer marks than the minimum is left to be confirmed on its own (§6.2). How many were saved."""
    accepted = [row for row in rows if row.final is None and row.suggested and not row.below_minimum]
    with transaction.atomic():
        for row in accepted:
            final_mark_set(
                actor=request.user,
                course=course,
                student=row.student,
                kind=period.kind,
                period=period,
                value=row.suggested,
            )
    return len(accepted)


class _RowRefusedError(Exception):
    """A row of «save all» was refused: the transaction is rolled back."""


@staff_required
@require_http_methods(["GET", "POST"])
def course_finals(request: HttpRequest, course_id: int) -> HttpResponse:
    write = request.method == "POST"
    course, can_edit = _course(request, course_id, write=write)
    periods = _course_periods(course)
    period = _chosen_period(course, periods, request.POST.get("period") if write else request.GET.get("period"))
    rows = period_summary(course, period) if period is not None else []
    forms = {row.student.pk: _row_form(row, f"s{row.student.pk}") for row in rows}
    status = 200
    if write:
        if period is None:
            raise Http404("No period")
        if period.is_locked:
            raise PermissionDenied
        if request.POST.get("accept_suggested"):
            try:
                saved = _accept_suggested(request, rows, course=course, period=period)
            except ValidationError as error:
                flash_errors(request, error)
            else:
                messages.success(
                    request,
                    ngettext("%(n)s final mark is saved.", "%(n)s final marks are saved.", saved) % {"n": saved},
                )
            return redirect(_finals_url(course, period) + "#final-save-all")
        if request.POST.get("save_all"):
            saved = _save_all(request, rows, forms, course=course, period=period)
            if saved is not None:
                messages.success(
                    request,
                    ngettext("%(n)s final mark is saved.", "%(n)s final marks are saved.", saved) % {"n": saved},
                )
                return redirect(_finals_url(course, period) + "#final-save-all")
        else:
            student_id = request.POST.get("student", "")
            row = next((r for r in rows if str(r.student.pk) == student_id), None)
            if row is None:
                raise Http404("No such student in the course")
            form = _row_form(row, f"s{row.student.pk}", request.POST)
            forms[row.student.pk] = form
            if _save_final_mark(request, form, course=course, student=row.student, kind=period.kind, period=period):
                messages.success(
                    request,
                    _("%(student)s: the final mark «%(value)s» is saved.")
                    % {"student": row.student.short_name, "value": form.cleaned_data["value"]},
                )
                # Back at the row: the page keeps its place.
                return redirect(_finals_url(course, period) + f"#final-row-{row.student.pk}")
        status = 400
    context = {
        "course": course,
        "periods": periods,
        "period": period,
        "rows": [(row, forms[row.student.pk]) for row in rows],
        "can_edit": can_edit and period is not None and not period.is_locked,
        "teaches": can_edit,
    }
    return render(request, "journal/finals/course.html", context, status=status)


YEAR_LABELS = {
    FinalMarkKind.YEAR.value: gettext_lazy("Year mark"),
    FinalMarkKind.EXAM.value: gettext_lazy("Exam mark"),
    FinalMarkKind.FINAL.value: gettext_lazy("Final mark"),
}


@dataclass
class YearCell:
    """One mark of a student on the year page: its kind, the form, what is stored and suggested."""

    kind: str
    label: str
    form: FinalMarkForm
    mark: FinalMark | None
    suggested: str
    editable: bool
    needs_reason: bool

    @property
    def select(self) -> str:
        return self.form.value_select()


def _year_url(course: Course, *, focus: str = "", exam: bool = False) -> str:
    url = reverse("journal:course_finals_year", args=[course.pk])
    query = {k: v for k, v in (("exam", "1" if exam else ""), ("focus", focus)) if v}
    # No #fragment: a page opened at a fragment skips autofocus, which moves the keyboard down the column.
    return f"{url}?{urlencode(query)}" if query else url


def _year_form(row: YearRow, kind: str, focus: str, *, prefill: bool) -> FinalMarkForm:
    """The form of one mark: the stored one, else (once the year's periods are over) the suggestion."""
    mark = row.mark(kind)
    form = FinalMarkForm(
        prefix=f"{kind}{row.student.pk}",
        initial={
            "student": row.student.pk,
            "version": mark.version if mark else None,
            "value": mark.value if mark else (row.suggested(kind) if prefill else ""),
            "reason": mark.reason if mark else "",
        },
    )
    _label_form(form, row, kind, focus)
    return form


def _label_form(form: FinalMarkForm, row: YearRow, kind: str, focus: str) -> None:
    attrs = form.fields["value"].widget.attrs
    attrs["aria-label"] = f"{YEAR_LABELS[kind]}: {row.student.short_name}"
    if focus == f"{kind}{row.student.pk}":
        attrs["autofocus"] = True


def _save_all_year(
    request: HttpRequest,
    rows: list[YearRow],
    kinds: list[str],
    forms: dict[tuple[int, str], FinalMarkForm],
    *,
    course: Course,
    focus: str,
) -> int | None:
    """«Save all» of the year page: every new or changed mark of the ``kinds`` (year before exam before
    final, so a final mark's suggestion sees the year mark saved with it), all or none."""
    chosen = [
        (row, kind) for kind in kinds for row in rows if request.POST.get(f"{kind}{row.student.pk}-value")
    ]  # «—» cells are left alone
    for row, kind in chosen:
        form = FinalMarkForm(request.POST, prefix=f"{kind}{row.student.pk}")
        _label_form(form, row, kind, focus)
        forms[(row.student.pk, kind)] = form
    if not all(forms[(row.student.pk, kind)].is_valid() for row, kind in chosen):
        return None
    saved = 0
    try:
        with transaction.atomic():
            for row, kind in chosen:
                form = forms[(row.student.pk, kind)]
                if not _changed(form, row.mark(kind)):
                    continue
                if not _save_final_mark(request, form, course=course, student=row.student, kind=kind):
                    raise _RowRefusedError
                saved += 1
    except _RowRefusedError:
        return None
    return saved


@staff_required
@require_http_methods(["GET", "POST"])
def course_finals_year(request: HttpRequest, course_id: int) -> HttpResponse:
    """Year, exam and final marks of a course: the period marks, the suggestions, the marks set."""
    write = request.method == "POST"
    course, teaches = _course(request, course_id, write=write)
    summary = year_summary(course)
    archived = course.class_group.year.is_archived
    locked = year_marks_locked(summary.periods)
    data = request.POST if write else request.GET
    show_exam = course.class_group.grade in EXAM_GRADES or summary.has_exam_marks or data.get("exam") == "1"
    kinds = [FinalMarkKind.YEAR.value, *([FinalMarkKind.EXAM.value] if show_exam else []), FinalMarkKind.FINAL.value]
    focus = request.GET.get("focus", "")
    # Before the last period ends the suggestion counts the periods so far: shown, not prefilled.
    year_over = not summary.periods or timezone.localdate() > summary.periods[-1].end
    forms = {
        (row.student.pk, kind): _year_form(row, kind, focus, prefill=year_over)
        for row in summary.rows
        for kind in kinds
    }
    status = 200
    if write:
        if request.POST.get("save_all"):
            if archived:
                raise PermissionDenied
            editable = [k for k in kinds if not (k == FinalMarkKind.YEAR and locked is not None)]
            saved = _save_all_year(request, summary.rows, editable, forms, course=course, focus=focus)
            if saved is not None:
                messages.success(
                    request,
                    ngettext("%(n)s final mark is saved.", "%(n)s final marks are saved.", saved) % {"n": saved},
                )
                url = _year_url(course, exam=data.get("exam") == "1")
                return redirect(url + "#year-save-all")
        else:
            kind, _sep, student_id = request.POST.get("cell", "").partition(":")
            if not student_id:  # a form of one mark names them apart
                kind, student_id = request.POST.get("kind", ""), request.POST.get("student", "")
            index = next((i for i, r in enumerate(summary.rows) if str(r.student.pk) == student_id), None)
            if index is None or kind not in YEAR_KINDS or kind not in kinds:
                raise Http404("No such student or mark in the course")
            if archived or (kind == FinalMarkKind.YEAR and locked is not None):
                raise PermissionDenied
            row = summary.rows[index]
            form = FinalMarkForm(request.POST, prefix=f"{kind}{row.student.pk}")
            _label_form(form, row, kind, f"{kind}{row.student.pk}")
            forms[(row.student.pk, kind)] = form
            if _save_final_mark(request, form, course=course, student=row.student, kind=kind):
                messages.success(
                    request,
                    _("%(student)s: %(kind)s «%(value)s» — saved.")
                    % {
                        "student": row.student.short_name,
                        "value": form.cleaned_data["value"],
                        "kind": YEAR_LABELS[kind],
                    },
                )
                following = summary.rows[index + 1] if index + 1 < len(summary.rows) else None
                focus = f"{kind}{following.student.pk}" if following is not None else ""
                return redirect(_year_url(course, focus=focus, exam=data.get("exam") == "1"))
        status = 400
    can_write = teaches and not archived
    rows = []
    for row in summary.rows:
        cells = []
        for kind in kinds:
            suggested = row.suggested(kind)
            cells.append(
                YearCell(
                    kind=kind,
                    label=str(YEAR_LABELS[kind]),
                    form=forms[(row.student.pk, kind)],
                    mark=row.mark(kind),
                    suggested=suggested,
                    editable=can_write and not (kind == FinalMarkKind.YEAR and locked is not None),
                    needs_reason=kind != FinalMarkKind.EXAM,
                )
            )
        rows.append((row, cells))
    context = {
        "course": course,
        "periods": summary.periods,
        "policy": summary.policy,
        "rows": rows,
        "kinds": kinds,
        "show_exam": show_exam,
        "exam_toggle": teaches and not show_exam and not archived,
        "exam_url": _year_url(course, exam=True),
        "locked": locked,
        "archived": archived,
        "year_over": year_over,
        "teaches": teaches,
        "can_write": can_write,
        "exam_param": "1" if data.get("exam") == "1" else "",
    }
    return render(request, "journal/finals/year.html", context, status=status)
