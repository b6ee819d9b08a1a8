"""The curriculum (учебный план): subjects' weekly hours per grade, and the check against the timetable."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.decorators import deny_unless, staff_required
from core.params import date_param
from journal import rules
from journal.access import (
    get_curriculum_item_for_user,
    get_year_for_user,
)
from journal.forms.timetable import CurriculumItemForm
from journal.models import AcademicYear
from journal.selectors.timetable import (
    curriculum_check,
    curriculum_of,
    day_in_year,
    subjects_of_school,
    years_of_school,
)
from journal.services.curriculum import curriculum_item_create, curriculum_item_delete, curriculum_item_update


def _year_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("year") or request.POST.get("year")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise Http404("No such year") from error


def _curriculum_year(request: HttpRequest, *, write: bool = False) -> AcademicYear:
    if not rules.reads_curriculum(request.user) or (write and not rules.edits_timetable(request.user)):
        raise PermissionDenied
    year = get_year_for_user(request.user, request.school, _year_param(request))
    if year is None:
        raise Http404("The school has no academic year yet")
    if write and not rules.year_is_open(year):
        raise PermissionDenied
    return year


def _curriculum_url(year: AcademicYear, grade: int | None = None) -> str:
    params: dict[str, Any] = {"year": year.pk}
    if grade:
        params["grade"] = grade
    return f"{reverse('journal:curriculum')}?{urlencode(params)}"


@staff_required
def curriculum(request: HttpRequest) -> HttpResponse:
    year = _curriculum_year(request)
    grade = request.GET.get("grade", "")
    items = curriculum_of(year)
    if grade.isdigit():
        items = items.filter(grade=int(grade))
    can_edit = rules.edits_timetable(request.user) and rules.year_is_open(year)
    form = None
    if can_edit:
        form = CurriculumItemForm(
            subjects=subjects_of_school(request.school), initial={"grade": int(grade) if grade.isdigit() else None}
        )
    context = {
        "year": year,
        "years": years_of_school(request.school),
        "items": items,
        "grade": int(grade) if grade.isdigit() else None,
        "grades": range(1, 12),
        "can_edit": can_edit,
        "form": form,
    }
    return render(request, "journal/timetable/curriculum.html", context)


@staff_required
def curriculum_add(request: HttpRequest) -> HttpResponse:
    year = _curriculum_year(request, write=True)
    form = CurriculumItemForm(
        request.POST if request.method == "POST" else None, subjects=subjects_of_school(request.school)
    )
    if form.is_valid():
        try:
            item = curriculum_item_create(
                actor=request.user,
                year=year,
                grade=form.cleaned_data["grade"],
                subject=form.cleaned_data["subject"],
                hours_per_week=form.hours,
                assessment=form.cleaned_data["assessment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added to the curriculum: %(item)s.") % {"item": item})
            return redirect(_curriculum_url(year, item.grade))
    context = {"form": form, "year": year, "title": _("Add a curriculum line"), "item": None}
    return render(request, "journal/timetable/curriculum_form.html", context)


@staff_required
def curriculum_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_curriculum_item_for_user(request.user, request.school, item_id, write=True)
    deny_unless(rules.year_is_open(item.year))
    form = CurriculumItemForm(
        request.POST if request.method == "POST" else None,
        subjects=subjects_of_school(request.school),
        with_grade=False,
        initial={"subject": item.subject_id, "hours_per_week": item.hours_per_week, "assessment": item.assessment},
    )
    if form.is_valid():
        try:
            curriculum_item_update(
                actor=request.user,
                item=item,
                subject=form.cleaned_data["subject"],
                hours_per_week=form.hours,
                assessment=form.cleaned_data["assessment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Curriculum line saved: %(item)s.") % {"item": item})
            return redirect(_curriculum_url(item.year, item.grade))
    context = {"form": form, "year": item.year, "title": _("Change a curriculum line"), "item": item}
    return render(request, "journal/timetable/curriculum_form.html", context)


@staff_required
def curriculum_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_curriculum_item_for_user(request.user, request.school, item_id, write=True)
    deny_unless(rules.year_is_open(item.year))
    if request.method == "POST":
        year, grade, label = item.year, item.grade, str(item)
        curriculum_item_delete(actor=request.user, item=item)
        messages.success(request, _("Removed from the curriculum: %(item)s.") % {"item": label})
        return redirect(_curriculum_url(year, grade))
    return render(request, "journal/timetable/curriculum_delete.html", {"item": item, "year": item.year})


@staff_required
def curriculum_hours_check(request: HttpRequest) -> HttpResponse:
    year = _curriculum_year(request)
    on = day_in_year(year, date_param(request, "on"))
    classes = curriculum_check(year, on)
    context = {
        "year": year,
        "years": years_of_school(request.school),
        "on": on,
        "classes": classes,
        "mismatched": [c for c in classes if c.mismatches],
    }
    return render(request, "journal/timetable/curriculum_check.html", context)
