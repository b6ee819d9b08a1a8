"""The curriculum, the regime (bells and teaching days) and the timetable screens (§4.1, §4.4, §4.5).

The deputy and the administrator edit; the director reads; a teacher reads
their own week and the classes they teach or lead; parents and students reach
none of these pages (their diary shows the timetable).
Cells of the class grid are edited in place with htmx: a GET brings a small
form into the cell, its POST returns the cell (or the form with the clash
message). Without JavaScript the same URLs work as whole pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journal.access import (
    get_curriculum_item_for_user,
    get_timetable_class_for_user,
    get_timetable_entry_for_user,
    get_timetable_room_for_user,
    get_timetable_teacher_for_user,
    get_year_for_user,
)
from journal.forms_timetable import CurriculumItemForm, EntryAddForm, EntryEndForm, EntryRoomForm
from journal.models import AcademicYear, ClassGroup, TimetableEntry
from journal.selectors.schools import current_year
from journal.selectors.scope import classes_visible_to, reads_whole_school
from journal.selectors.timetable import (
    Cell,
    can_edit_curriculum,
    can_edit_timetable,
    can_read_curriculum,
    cell_entries,
    class_week,
    courses_of_class,
    curriculum_check,
    curriculum_of,
    day_in_year,
    regime,
    room_week,
    rooms_of_school,
    subjects_of_school,
    teacher_week,
    teachers_of_school,
    years_of_school,
)
from journal.services.curriculum import curriculum_item_create, curriculum_item_delete, curriculum_item_update
from journal.services.timetable import (
    lessons_generate,
    timetable_entry_change,
    timetable_entry_create,
    timetable_entry_end,
)
from journal.views.pages import staff_required

# --- Helpers -------------------------------------------------------------------------


def _requested_day(request: HttpRequest) -> datetime.date | None:
    raw = request.GET.get("on") or request.POST.get("on")
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        return None


def _on(request: HttpRequest, year: AcademicYear | None) -> datetime.date:
    """``?on=YYYY-MM-DD`` (today by default), moved into the year shown."""
    return day_in_year(year, _requested_day(request))


def _with_on(url: str, on: datetime.date) -> str:
    return f"{url}?{urlencode({'on': on.isoformat()})}"


def _field_ids(weekday: int, slot: int) -> str:
    """Field ids unique per cell: several cells of the grid may hold a form at once."""
    return f"id_%s_{weekday}_{slot}"


def _add_errors(form: Form, error: ValidationError) -> None:
    """A service's refusal shown above the form, message by message."""
    for message in error.messages:
        form.add_error(None, message)


def _editable(request: HttpRequest, year: AcademicYear) -> bool:
    return can_edit_timetable(request.user) and not year.is_archived


def _require_editable(year: AcademicYear) -> None:
    if year.is_archived:
        raise PermissionDenied


def _cell_context(
    request: HttpRequest, class_group: ClassGroup, weekday: int, slot: int, on: datetime.date
) -> dict[str, Any]:
    return {
        "class_group": class_group,
        "cell": Cell(weekday=weekday, slot=slot, entries=cell_entries(class_group, weekday, slot, on)),
        "on": on,
        "can_edit": _editable(request, class_group.year),
    }


def _render_cell(
    request: HttpRequest,
    class_group: ClassGroup,
    weekday: int,
    slot: int,
    on: datetime.date,
    notice: str = "",
) -> HttpResponse:
    context = _cell_context(request, class_group, weekday, slot, on) | {"notice": notice}
    template = "journal/timetable/_cell.html" if request.htmx else "journal/timetable/cell.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _render_form(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "journal/timetable/_entry_form.html" if request.htmx else "journal/timetable/entry_form.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _saved(
    request: HttpRequest, class_group: ClassGroup, weekday: int, slot: int, on: datetime.date, notice: str
) -> HttpResponse:
    """htmx: the cell in place. A whole-page form: back to the grid with the notice."""
    if request.htmx:  # type: ignore[attr-defined]
        return _render_cell(request, class_group, weekday, slot, on, notice)
    messages.success(request, notice)
    return redirect(_with_on(reverse("journal:timetable_class", args=[class_group.pk]), on))


def _check_weekday(request: HttpRequest, weekday: int) -> None:
    if not 1 <= weekday <= request.school.week_days:  # type: ignore[attr-defined]
        raise Http404("No such school day")


# --- Timetable: reading --------------------------------------------------------------


@staff_required
def timetable_index(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school
    year = current_year(school)
    classes = classes_visible_to(user, school).filter(year=year).order_by("grade", "letter") if year else []
    if reads_whole_school(user):
        teachers = list(teachers_of_school(school))
        rooms = list(rooms_of_school(school))
    else:
        teachers = list(teachers_of_school(school).filter(pk=user.pk))
        rooms = []
    context = {
        "year": year,
        "classes": classes,
        "teachers": teachers,
        "rooms": rooms,
        "can_edit": year is not None and _editable(request, year),
    }
    return render(request, "journal/timetable/index.html", context)


@staff_required
def class_timetable(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_timetable_class_for_user(request.user, request.school, class_id)
    on = _on(request, class_group.year)
    context = {
        "class_group": class_group,
        "grid": class_week(class_group, on, request.school),
        "on": on,
        "can_edit": _editable(request, class_group.year),
        "view": "class",
    }
    return render(request, "journal/timetable/class.html", context)


def _week_page(request: HttpRequest, view: str, shown: Any, week: Callable[..., Any]) -> HttpResponse:
    """The week of a teacher or a room (``view``) as of ``?on=`` in the current year."""
    on = _on(request, current_year(request.school))
    context = {view: shown, "grid": week(shown, on, request.school), "on": on, "view": view}
    return render(request, f"journal/timetable/{view}.html", context)


@staff_required
def teacher_timetable(request: HttpRequest, teacher_id: int) -> HttpResponse:
    teacher = get_timetable_teacher_for_user(request.user, request.school, teacher_id)
    return _week_page(request, "teacher", teacher, teacher_week)


@staff_required
def room_timetable(request: HttpRequest, room_id: int) -> HttpResponse:
    room = get_timetable_room_for_user(request.user, request.school, room_id)
    return _week_page(request, "room", room, room_week)


@staff_required
def regime_page(request: HttpRequest) -> HttpResponse:
    school = request.school
    if school is None:
        raise Http404("No school")
    return render(request, "journal/timetable/regime.html", {"regime": regime(school, current_year(school))})


# --- Timetable: editing (the deputy and the administrator) -------------------------------


@staff_required
def timetable_cell(request: HttpRequest, class_id: int, weekday: int, slot: int) -> HttpResponse:
    """One cell of the class grid: what the Cancel button of a cell form brings back."""
    class_group = get_timetable_class_for_user(request.user, request.school, class_id)
    _check_weekday(request, weekday)
    return _render_cell(request, class_group, weekday, slot, _on(request, class_group.year))


@staff_required
def entry_add(request: HttpRequest, class_id: int, weekday: int, slot: int) -> HttpResponse:
    class_group = get_timetable_class_for_user(request.user, request.school, class_id, write=True)
    _check_weekday(request, weekday)
    year = class_group.year
    _require_editable(year)
    on = _on(request, year)
    form = EntryAddForm(
        request.POST if request.method == "POST" else None,
        courses=courses_of_class(class_group),
        rooms=rooms_of_school(request.school),
        year=year,
        initial={"valid_from": day_in_year(year)},
        auto_id=_field_ids(weekday, slot),
    )
    if form.is_valid():
        try:
            entry = timetable_entry_create(
                actor=request.user,
                course=form.cleaned_data["course"],
                weekday=weekday,
                slot=slot,
                room=form.cleaned_data["room"],
                valid_from=form.cleaned_data["valid_from"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            notice = _("Added: %(course)s from %(day)s.") % {
                "course": entry.course,
                "day": entry.valid_from.strftime("%d.%m.%Y"),
            }
            return _saved(request, class_group, weekday, slot, on, notice)
    context = {
        "form": form,
        "class_group": class_group,
        "weekday": weekday,
        "slot": slot,
        "on": on,
        "action": reverse("journal:timetable_entry_add", args=[class_group.pk, weekday, slot]),
        "title": _("Add a lesson to the timetable"),
    }
    return _render_form(request, context)


def _entry_form_context(
    entry: TimetableEntry, form: Form, on: datetime.date, url_name: str, title: str
) -> dict[str, Any]:
    return {
        "form": form,
        "entry": entry,
        "class_group": entry.course.class_group,
        "weekday": entry.weekday,
        "slot": entry.slot,
        "on": on,
        "action": reverse(url_name, args=[entry.pk]),
        "title": title,
    }


def _check_within_entry(form: Form, field: str, entry: TimetableEntry) -> None:
    """The date must fall inside the entry's own dates: changing it outside them would stretch it."""
    day = form.cleaned_data[field]
    last = entry.valid_to
    if day < entry.valid_from or (last is not None and day > last):
        form.add_error(
            field,
            _("The entry runs %(start)s – %(end)s: choose a date within it.")
            % {
                "start": entry.valid_from.strftime("%d.%m.%Y"),
                "end": last.strftime("%d.%m.%Y") if last else "…",
            },
        )


@staff_required
def entry_end(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_timetable_entry_for_user(request.user, request.school, entry_id, write=True)
    class_group = entry.course.class_group
    year = class_group.year
    _require_editable(year)
    on = _on(request, year)
    form = EntryEndForm(
        request.POST if request.method == "POST" else None,
        year=year,
        initial={"first_free_day": max(day_in_year(year), entry.valid_from)},
        auto_id=_field_ids(entry.weekday, entry.slot),
    )
    if form.is_valid():
        _check_within_entry(form, "first_free_day", entry)
    if form.is_valid():
        first_free_day = form.cleaned_data["first_free_day"]
        course, weekday, slot = entry.course, entry.weekday, entry.slot
        timetable_entry_end(actor=request.user, entry=entry, last_day=first_free_day - datetime.timedelta(days=1))
        notice = _("%(course)s: no lessons in this slot from %(day)s.") % {
            "course": course,
            "day": first_free_day.strftime("%d.%m.%Y"),
        }
        return _saved(request, class_group, weekday, slot, on, notice)
    context = _entry_form_context(entry, form, on, "journal:timetable_entry_end", _("End a timetable entry"))
    return _render_form(request, context)


@staff_required
def entry_room(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_timetable_entry_for_user(request.user, request.school, entry_id, write=True)
    class_group = entry.course.class_group
    year = class_group.year
    _require_editable(year)
    on = _on(request, year)
    form = EntryRoomForm(
        request.POST if request.method == "POST" else None,
        rooms=rooms_of_school(request.school),
        year=year,
        initial={"room": entry.room_id, "from_date": max(day_in_year(year), entry.valid_from)},
        auto_id=_field_ids(entry.weekday, entry.slot),
    )
    if form.is_valid():
        _check_within_entry(form, "from_date", entry)
        if form.cleaned_data.get("room") == entry.room:
            form.add_error("room", _("The entry already has this room."))
    if form.is_valid():
        try:
            new = timetable_entry_change(
                actor=request.user,
                entry=entry,
                from_date=form.cleaned_data["from_date"],
                room=form.cleaned_data["room"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            notice = _("%(course)s: room %(room)s from %(day)s.") % {
                "course": new.course,
                "room": new.room or "—",
                "day": new.valid_from.strftime("%d.%m.%Y"),
            }
            return _saved(request, class_group, new.weekday, new.slot, on, notice)
    context = _entry_form_context(entry, form, on, "journal:timetable_entry_room", _("Change the room"))
    return _render_form(request, context)


def _generated_message(created: int, removed: int, kept: int) -> str:
    return _("Lessons generated: %(created)s created, %(removed)s removed, %(kept)s kept.") % {
        "created": created,
        "removed": removed,
        "kept": kept,
    }


@staff_required
@require_POST
def generate_class(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_timetable_class_for_user(request.user, request.school, class_id, write=True)
    _require_editable(class_group.year)
    result = lessons_generate(actor=request.user, year=class_group.year, courses=courses_of_class(class_group))
    messages.success(request, _generated_message(result.created, result.removed, result.kept))
    return redirect(_with_on(reverse("journal:timetable_class", args=[class_group.pk]), _on(request, class_group.year)))


@staff_required
@require_POST
def generate_school(request: HttpRequest) -> HttpResponse:
    if not can_edit_timetable(request.user):
        raise PermissionDenied
    year = current_year(request.school)
    if year is None:
        raise Http404("No current year")
    _require_editable(year)
    result = lessons_generate(actor=request.user, year=year)
    messages.success(request, _generated_message(result.created, result.removed, result.kept))
    return redirect("journal:timetable")


# --- Curriculum ------------------------------------------------------------------------


def _year_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("year") or request.POST.get("year")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise Http404("No such year") from error


def _curriculum_year(request: HttpRequest, *, write: bool = False) -> AcademicYear:
    if not can_read_curriculum(request.user) or (write and not can_edit_curriculum(request.user)):
        raise PermissionDenied
    year = get_year_for_user(request.user, request.school, _year_param(request))
    if year is None:
        raise Http404("The school has no academic year yet")
    if write and year.is_archived:
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
    can_edit = can_edit_curriculum(request.user) and not year.is_archived
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
    _require_editable(item.year)
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
    _require_editable(item.year)
    if request.method == "POST":
        year, grade, label = item.year, item.grade, str(item)
        curriculum_item_delete(actor=request.user, item=item)
        messages.success(request, _("Removed from the curriculum: %(item)s.") % {"item": label})
        return redirect(_curriculum_url(year, grade))
    return render(request, "journal/timetable/curriculum_delete.html", {"item": item, "year": item.year})


@staff_required
def curriculum_hours_check(request: HttpRequest) -> HttpResponse:
    year = _curriculum_year(request)
    on = _on(request, year)
    classes = curriculum_check(year, on)
    context = {
        "year": year,
        "years": years_of_school(request.school),
        "on": on,
        "classes": classes,
        "mismatched": [c for c in classes if c.mismatches],
    }
    return render(request, "journal/timetable/curriculum_check.html", context)


urlpatterns = [
    path("timetable/", timetable_index, name="timetable"),
    path("timetable/regime/", regime_page, name="timetable_regime"),
    path("timetable/generate/", generate_school, name="timetable_generate"),
    path("timetable/class/<int:class_id>/", class_timetable, name="timetable_class"),
    path("timetable/class/<int:class_id>/generate/", generate_class, name="timetable_generate_class"),
    path("timetable/class/<int:class_id>/cell/<int:weekday>/<int:slot>/", timetable_cell, name="timetable_cell"),
    path("timetable/class/<int:class_id>/cell/<int:weekday>/<int:slot>/add/", entry_add, name="timetable_entry_add"),
    path("timetable/entry/<int:entry_id>/end/", entry_end, name="timetable_entry_end"),
    path("timetable/entry/<int:entry_id>/room/", entry_room, name="timetable_entry_room"),
    path("timetable/teacher/<int:teacher_id>/", teacher_timetable, name="timetable_teacher"),
    path("timetable/room/<int:room_id>/", room_timetable, name="timetable_room"),
    path("curriculum/", curriculum, name="curriculum"),
    path("curriculum/add/", curriculum_add, name="curriculum_add"),
    path("curriculum/<int:item_id>/edit/", curriculum_edit, name="curriculum_edit"),
    path("curriculum/<int:item_id>/delete/", curriculum_delete, name="curriculum_delete"),
    path("curriculum/check/", curriculum_hours_check, name="curriculum_check"),
]
