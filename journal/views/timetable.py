"""The timetable (§4.1, §4.5): a class's, a teacher's and a room's week, the cells, entries, lesson generation.

Reading: the administration, a class's teachers and class teacher. Writing: the deputy and the
administrator (:func:`journal.rules.edits_timetable`), never in an archived year.
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
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import deny_unless, staff_required
from core.messages import add_form_errors
from core.params import date_param
from journal import rules
from journal.access import (
    get_timetable_class_for_user,
    get_timetable_entry_for_user,
    get_timetable_room_for_user,
    get_timetable_teacher_for_user,
)
from journal.forms.timetable import EntryAddForm, EntryEndForm, EntryRoomForm
from journal.models import AcademicYear, ClassGroup, TimetableEntry
from journal.selectors.schools import current_year, teachers_of_school
from journal.selectors.scope import classes_visible_to
from journal.selectors.timetable import (
    Cell,
    cell_entries,
    class_week,
    courses_of_class,
    day_in_year,
    regime,
    room_week,
    rooms_of_school,
    teacher_week,
)
from journal.services.timetable import (
    lessons_generate,
    timetable_entry_change,
    timetable_entry_create,
    timetable_entry_end,
)


def _on(request: HttpRequest, year: AcademicYear | None) -> datetime.date:
    """``?on=YYYY-MM-DD`` (today by default), moved into the year shown."""
    return day_in_year(year, date_param(request, "on"))


def _with_on(url: str, on: datetime.date) -> str:
    return f"{url}?{urlencode({'on': on.isoformat()})}"


def _field_ids(weekday: int, slot: int) -> str:
    """Field ids unique per cell: several cells of the grid may hold a form at once."""
    return f"id_%s_{weekday}_{slot}"


def _editable(request: HttpRequest, year: AcademicYear) -> bool:
    return rules.edits_timetable(request.user) and rules.year_is_open(year)


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


@staff_required
def timetable_index(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school
    year = current_year(school)
    classes = classes_visible_to(user, school).filter(year=year).order_by("grade", "letter") if year else []
    if rules.reads_whole_school(user):
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
    deny_unless(rules.year_is_open(year))
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
            add_form_errors(form, error, above=True)
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
    deny_unless(rules.year_is_open(year))
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
    deny_unless(rules.year_is_open(year))
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
            add_form_errors(form, error, above=True)
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
    deny_unless(rules.year_is_open(class_group.year))
    result = lessons_generate(actor=request.user, year=class_group.year, courses=courses_of_class(class_group))
    messages.success(request, _generated_message(result.created, result.removed, result.kept))
    return redirect(_with_on(reverse("journal:timetable_class", args=[class_group.pk]), _on(request, class_group.year)))


@staff_required
@require_POST
def generate_school(request: HttpRequest) -> HttpResponse:
    if not rules.edits_timetable(request.user):
        raise PermissionDenied
    year = current_year(request.school)
    if year is None:
        raise Http404("No current year")
    deny_unless(rules.year_is_open(year))
    result = lessons_generate(actor=request.user, year=year)
    messages.success(request, _generated_message(result.created, result.removed, result.kept))
    return redirect("journal:timetable")
