"""Final marks of a course, study periods (lock/unlock), the grading policy and the history of changes.

Reading: the staff in their scope (parents and students never, §3.12). Writing:
the course's teacher sets its final marks; the deputy and the administrator
lock and unlock periods and change the policy; the administrator reverts
changes. The services decide; the views parse, show and redirect.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.roles import Role
from journal.access import (
    get_course_for_user,
    get_lesson_for_user,
    get_period_for_user,
    get_student_of_school,
    get_year_for_user,
)
from journal.forms_finals import (
    ChangesForm,
    FinalMarkForm,
    PolicyVersionForm,
    RevertAllForm,
    RevertForm,
    UnlockForm,
    WorkTypeForm,
)
from journal.models import (
    Attendance,
    Course,
    FinalMark,
    GradingPolicy,
    Mark,
    PeriodUnlock,
    Student,
    StudyPeriod,
    WorkType,
)
from journal.models.marks import FinalMarkKind
from journal.selectors.grading import policy_for
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
from journal.selectors.scope import courses_taught_by
from journal.services.final_marks import final_mark_set, period_lock, period_relock, period_unlock
from journal.services.history import Change, change_revert, changes_by_user_since, changes_revert_all
from journal.services.policy import policy_create_version, work_type_create, work_type_update
from journal.views.pages import staff_required

PERIOD_READERS = (Role.DEPUTY, Role.ADMINISTRATOR, Role.DIRECTOR)
PERIOD_EDITORS = (Role.DEPUTY, Role.ADMINISTRATOR)
HISTORY_ADMINS = (Role.ADMINISTRATOR,)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _require(request: HttpRequest, *roles: Role) -> None:
    if not request.user.has_role(*roles):
        raise PermissionDenied


# --- Final marks ---------------------------------------------------------------------


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


def _row_form(row: SummaryRow, prefix: str) -> FinalMarkForm:
    final = row.final
    return FinalMarkForm(
        prefix=prefix,
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


@staff_required
@require_http_methods(["GET", "POST"])
def course_finals(request: HttpRequest, course_id: int) -> HttpResponse:
    write = request.method == "POST"
    course = get_course_for_user(request.user, request.school, course_id, write=write)
    periods = _course_periods(course)
    period = _chosen_period(course, periods, request.POST.get("period") if write else request.GET.get("period"))
    can_edit = courses_taught_by(request.user, request.school).filter(pk=course.pk).exists()
    rows = period_summary(course, period) if period is not None else []
    forms = {row.student.pk: _row_form(row, f"s{row.student.pk}") for row in rows}
    status = 200
    if write:
        if period is None:
            raise Http404("No period")
        if period.is_locked:
            raise PermissionDenied
        student_id = request.POST.get("student", "")
        row = next((r for r in rows if str(r.student.pk) == student_id), None)
        if row is None:
            raise Http404("No such student in the course")
        form = FinalMarkForm(request.POST, prefix=f"s{row.student.pk}")
        forms[row.student.pk] = form
        if _save_final_mark(request, form, course=course, student=row.student, kind=period.kind, period=period):
            messages.success(
                request,
                _("%(student)s: the final mark «%(value)s» is saved.")
                % {"student": row.student.short_name, "value": form.cleaned_data["value"]},
            )
            return redirect(_finals_url(course, period))
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


# --- The year: year, exam and final marks ------------------------------------------------


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


@staff_required
@require_http_methods(["GET", "POST"])
def course_finals_year(request: HttpRequest, course_id: int) -> HttpResponse:
    """Year, exam and final marks of a course: the period marks, the suggestions, the marks set."""
    write = request.method == "POST"
    course = get_course_for_user(request.user, request.school, course_id, write=write)
    summary = year_summary(course)
    teaches = courses_taught_by(request.user, request.school).filter(pk=course.pk).exists()
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
        kind = request.POST.get("kind", "")
        student_id = request.POST.get("student", "")
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
        "exam_param": "1" if data.get("exam") == "1" else "",
    }
    return render(request, "journal/finals/year.html", context, status=status)


# --- Study periods: lock and unlock ----------------------------------------------------


@staff_required
def period_list(request: HttpRequest) -> HttpResponse:
    _require(request, *PERIOD_READERS)
    raw_year = request.GET.get("year")
    year = get_year_for_user(request.user, request.school, int(raw_year) if raw_year and raw_year.isdigit() else None)
    periods = (
        list(StudyPeriod.objects.filter(year=year).order_by("kind", "number").prefetch_related("unlocks__unlocked_by"))
        if year is not None
        else []
    )
    unlocks = (
        PeriodUnlock.objects.filter(period__year=year).select_related("period", "unlocked_by")
        if year is not None
        else PeriodUnlock.objects.none()
    )
    return render(
        request,
        "journal/policy/periods.html",
        {
            "year": year,
            "periods": periods,
            "unlocks": unlocks,
            "can_edit": request.user.has_role(*PERIOD_EDITORS),
            "unlock_form": UnlockForm(),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_POST
def period_lock_view(request: HttpRequest, period_id: int) -> HttpResponse:
    _require(request, *PERIOD_EDITORS)
    period = get_period_for_user(request.school, period_id)
    try:
        if PeriodUnlock.objects.filter(period=period, relocked_at__isnull=True).exists():
            period_relock(actor=request.user, period=period)
        else:
            period_lock(actor=request.user, period=period)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The period %(period)s is locked.") % {"period": period})
    return redirect(f"{reverse('journal:period_list')}?{urlencode({'year': period.year_id})}")


@staff_required
@require_POST
def period_unlock_view(request: HttpRequest, period_id: int) -> HttpResponse:
    _require(request, *PERIOD_EDITORS)
    period = get_period_for_user(request.school, period_id)
    form = UnlockForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        period_unlock(actor=request.user, period=period, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The period %(period)s is unlocked.") % {"period": period})
    return redirect(f"{reverse('journal:period_list')}?{urlencode({'year': period.year_id})}")


# --- Grading policy ----------------------------------------------------------------------


def _policy_page(
    request: HttpRequest,
    *,
    version_form: PolicyVersionForm | None = None,
    type_form: WorkTypeForm | None = None,
    edit_forms: dict[int, WorkTypeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    school = request.school
    if school is None:
        raise Http404("No school")
    today = timezone.localdate()
    in_force = policy_for(school, today)
    versions = GradingPolicy.objects.filter(school=school).select_related("created_by").order_by("-valid_from")
    work_types = list(WorkType.objects.filter(school=school).order_by("name"))
    edit_forms = edit_forms or {}
    can_edit = request.user.has_role(*PERIOD_EDITORS)
    if version_form is None:
        version_form = PolicyVersionForm(initial=PolicyVersionForm.initial_from(in_force, today))
    type_rows = [
        (
            wt,
            edit_forms.get(wt.pk)
            or WorkTypeForm(
                prefix=f"wt{wt.pk}",
                initial={
                    "name": wt.name,
                    "weight": wt.weight,
                    "lesson_kind": wt.lesson_kind,
                    "is_active": wt.is_active,
                },
            ),
        )
        for wt in work_types
    ]
    return render(
        request,
        "journal/policy/policy.html",
        {
            "in_force": in_force,
            "versions": versions,
            "today": today,
            "type_rows": type_rows,
            "can_edit": can_edit,
            "version_form": version_form,
            "type_form": type_form or WorkTypeForm(prefix="new"),
        },
        status=status,
    )


@staff_required
def policy(request: HttpRequest) -> HttpResponse:
    _require(request, *PERIOD_READERS)
    return _policy_page(request)


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
@require_POST
def policy_version_create(request: HttpRequest) -> HttpResponse:
    _require(request, *PERIOD_EDITORS)
    form = PolicyVersionForm(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "valid_from"}
        try:
            version = policy_create_version(
                actor=request.user, school=request.school, valid_from=form.cleaned_data["valid_from"], **fields
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The grading policy from %(date)s is saved.") % {"date": version.valid_from.strftime("%d.%m.%Y")},
            )
            return redirect("journal:policy")
    return _policy_page(request, version_form=form, status=400)


@staff_required
@require_POST
def work_type_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, *PERIOD_EDITORS)
    form = WorkTypeForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            work_type = work_type_create(
                actor=request.user,
                school=request.school,
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
                lesson_kind=form.cleaned_data["lesson_kind"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The work type «%(name)s» is added.") % {"name": work_type.name})
            return redirect("journal:policy")
    return _policy_page(request, type_form=form, status=400)


@staff_required
@require_POST
def work_type_update_view(request: HttpRequest, work_type_id: int) -> HttpResponse:
    _require(request, *PERIOD_EDITORS)
    work_type = WorkType.objects.filter(school=request.school, pk=work_type_id).first()
    if work_type is None:
        raise Http404("No such work type in your school")
    form = WorkTypeForm(request.POST, prefix=f"wt{work_type.pk}")
    if form.is_valid():
        try:
            work_type_update(
                actor=request.user,
                work_type=work_type,
                name=form.cleaned_data["name"],
                weight=form.cleaned_data["weight"],
                lesson_kind=form.cleaned_data["lesson_kind"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The work type «%(name)s» is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("journal:policy")
    return _policy_page(request, edit_forms={work_type.pk: form}, status=400)


# --- History of a cell and the administrator's changes page -----------------------------


def _record_changes(records: list[Any]) -> list[dict[str, Any]]:
    """Old → new values of each history row (records of several objects, oldest first)."""
    last: dict[int, Any] = {}
    rows = []
    for record in records:
        model = record.instance_type
        names = [
            f.name
            for f in record.tracked_fields
            if f.editable and not f.primary_key and f.name not in ("version", "lesson", "student")
        ]
        prev = last.get(record.id)
        if record.history_type == "~" and prev is not None:
            delta = record.diff_against(prev, excluded_fields=["version"])
            fields = [(c.field, c.old, c.new) for c in delta.changes if c.field in names]
        elif record.history_type == "-":
            fields = [(n, getattr(record, model._meta.get_field(n).attname), None) for n in names]
        else:
            fields = [(n, None, getattr(record, model._meta.get_field(n).attname)) for n in names]
        last[record.id] = record
        rows.append(
            {
                "record": record,
                "what": model._meta.verbose_name,
                "fields": [(model._meta.get_field(n).verbose_name, old, new) for n, old, new in fields],
            }
        )
    return rows


def _change_entry(change: Change) -> dict[str, Any]:
    """A change of the service (old → new against the object's previous history row) for the templates."""
    meta = change.model._meta
    return {
        "record": change.record,
        "what": meta.verbose_name,
        "fields": [(meta.get_field(fc.field).verbose_name, fc.old, fc.new) for fc in change.fields],
    }


@staff_required
def cell_history(request: HttpRequest, lesson_id: int, student_id: int) -> HttpResponse:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id)
    student = get_student_of_school(lesson.course.class_group.year.school_id, student_id)
    if student is None:
        raise Http404("No such student")
    records: list[Any] = []
    for model in (Mark, Attendance):
        records.extend(
            model.history.filter(lesson_id=lesson.pk, student_id=student.pk).select_related(  # type: ignore[attr-defined]
                "history_user"
            )
        )
    records.sort(key=lambda r: (r.history_date, r.history_id))
    entries = _record_changes(records)
    entries.reverse()
    context = {"lesson": lesson, "student": student, "entries": entries}
    if getattr(request, "htmx", False):
        return render(request, "journal/history/_cell.html", context)
    return render(request, "journal/history/cell.html", context)


def _school_users(request: HttpRequest) -> QuerySet[User]:
    return User.objects.filter(memberships__school=request.school).distinct().order_by("last_name", "first_name")


def _changes_query(user: User, since: datetime.datetime) -> str:
    local = timezone.localtime(since)
    return urlencode({"user": user.pk, "since": local.strftime("%Y-%m-%dT%H:%M")})


@staff_required
def history_changes(request: HttpRequest) -> HttpResponse:
    _require(request, *HISTORY_ADMINS)
    users = _school_users(request)
    form = ChangesForm(request.GET or None, users=users)
    changes: list[Change] = []
    entries: list[tuple[Change, dict[str, Any]]] = []
    if form.is_bound and form.is_valid():
        changes = changes_by_user_since(form.cleaned_data["user"], form.cleaned_data["since"])
        entries = [(c, _change_entry(c)) for c in changes]
    return render(request, "journal/history/changes.html", {"form": form, "entries": entries})


def _find_change(user: User, since: datetime.datetime, model_label: str, history_id: int) -> Change:
    for change in changes_by_user_since(user, since):
        if change.model_label == model_label and change.record.history_id == history_id:
            return change
    raise Http404("No such change")


@staff_required
@require_POST
def history_revert(request: HttpRequest) -> HttpResponse:
    _require(request, *HISTORY_ADMINS)
    form = RevertForm(request.POST, users=_school_users(request))
    if not form.is_valid():
        raise Http404("No such change")
    user, since = form.cleaned_data["user"], form.cleaned_data["since"]
    change = _find_change(user, since, form.cleaned_data["model_label"], form.cleaned_data["history_id"])
    back = f"{reverse('journal:history')}?{_changes_query(user, since)}"
    if not form.cleaned_data["confirm"]:
        entry = _change_entry(change)
        return render(
            request,
            "journal/history/confirm.html",
            {"form": form, "entries": [(change, entry)], "action": reverse("journal:history_revert"), "back": back},
        )
    try:
        change_revert(actor=request.user, change=change)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The change is reverted."))
    return redirect(back)


@staff_required
@require_POST
def history_revert_all(request: HttpRequest) -> HttpResponse:
    _require(request, *HISTORY_ADMINS)
    form = RevertAllForm(request.POST, users=_school_users(request))
    if not form.is_valid():
        raise Http404("No such user")
    user, since = form.cleaned_data["user"], form.cleaned_data["since"]
    back = f"{reverse('journal:history')}?{_changes_query(user, since)}"
    if not form.cleaned_data["confirm"]:
        changes = changes_by_user_since(user, since)
        entries = [(c, _change_entry(c)) for c in changes]
        return render(
            request,
            "journal/history/confirm.html",
            {"form": form, "entries": entries, "action": reverse("journal:history_revert_all"), "back": back},
        )
    try:
        reverted = changes_revert_all(actor=request.user, user=user, since=since)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Changes reverted: %(count)s.") % {"count": len(reverted)})
    return redirect(back)


urlpatterns: list[URLPattern] = [
    path("courses/<int:course_id>/finals/", course_finals, name="course_finals"),
    path("courses/<int:course_id>/finals/year/", course_finals_year, name="course_finals_year"),
    path("periods/", period_list, name="period_list"),
    path("periods/<int:period_id>/lock/", period_lock_view, name="period_lock"),
    path("periods/<int:period_id>/unlock/", period_unlock_view, name="period_unlock"),
    path("policy/", policy, name="policy"),
    path("policy/versions/", policy_version_create, name="policy_version_create"),
    path("policy/work-types/", work_type_create_view, name="work_type_create"),
    path("policy/work-types/<int:work_type_id>/", work_type_update_view, name="work_type_update"),
    path("lessons/<int:lesson_id>/history/<int:student_id>/", cell_history, name="cell_history"),
    path("history/", history_changes, name="history"),
    path("history/revert/", history_revert, name="history_revert"),
    path("history/revert-all/", history_revert_all, name="history_revert_all"),
]
