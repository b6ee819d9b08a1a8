"""One-off changes of lessons (§4.5): cancel, restore, move, change the room, add an extra lesson.

The deputy and the administrator make them (:func:`journal.rules.edits_timetable`); the services check
the rest and write the change log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import deny_unless, staff_required
from core.messages import flash_errors
from journal import rules
from journal.access import get_class_for_user, get_lesson_for_user
from journal.forms.lessons import (
    ExtraLessonForm,
    MoveForm,
    RangeForm,
    ReasonForm,
    RoomForm,
)
from journal.models import ClassGroup, Lesson, LessonStatus
from journal.selectors.calendar import teaching_days
from journal.selectors.lessons import (
    changes_of_class,
    class_slots,
    describe_lesson,
    lessons_of_class,
    week_of,
)
from journal.selectors.scope import classes_visible_to, courses_visible_to
from journal.selectors.timetable import rooms_of_school
from journal.services.lessons import (
    lesson_add_extra,
    lesson_cancel,
    lesson_change_room,
    lesson_move,
    lesson_restore,
)
from journal.templatetags.journal_forms import Choices

MAX_RANGE_DAYS = 42


def _range(data: Any) -> tuple[datetime.date, datetime.date]:
    """The dates the changes page shows: ``start``–``end`` from the query, this week by default."""
    form = RangeForm(data)
    start, end = week_of(timezone.localdate())
    if form.is_valid():
        given_start, given_end = form.cleaned_data["start"], form.cleaned_data["end"]
        if given_start:
            start, end = given_start, given_end or given_start + datetime.timedelta(days=6)
        elif given_end:
            start, end = given_end - datetime.timedelta(days=6), given_end
    if end < start:
        start, end = end, start
    return start, min(end, start + datetime.timedelta(days=MAX_RANGE_DAYS - 1))


def _changes_url(class_id: int, start: datetime.date, end: datetime.date) -> str:
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    return f"{reverse('journal:changes_class', args=[class_id])}?{query}"


def _back_to_changes(request: HttpRequest, lesson: Lesson) -> HttpResponseRedirect:
    """Back to the page the form was on (its range travels in hidden fields), else the lesson's week."""
    if request.POST.get("start"):
        start, end = _range(request.POST)
    else:
        start, end = week_of(lesson.date)
    return redirect(_changes_url(lesson.course.class_group_id, start, end))


@staff_required
def changes_index(request: HttpRequest) -> HttpResponse:
    classes = classes_visible_to(request.user, request.school).filter(year__is_current=True).order_by("grade", "letter")
    return render(request, "journal/changes/index.html", {"classes": classes})


@staff_required
def changes_class(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    start, end = _range(request.GET)
    lessons = list(lessons_of_class(class_group, start, end))
    days: dict[datetime.date, list[Lesson]] = {day: [] for day in teaching_days(class_group.year, start, end)}
    for lesson in lessons:
        days.setdefault(lesson.date, []).append(lesson)
    can_edit = rules.edits_timetable(request.user)
    context: dict[str, Any] = {
        "class_group": class_group,
        "start": start,
        "end": end,
        "previous_url": _changes_url(class_id, start - datetime.timedelta(days=7), end - datetime.timedelta(days=7)),
        "next_url": _changes_url(class_id, start + datetime.timedelta(days=7), end + datetime.timedelta(days=7)),
        "days": sorted(days.items()),
        "changes": changes_of_class(class_group, start, end),
        "can_edit": can_edit,
        "cancelled": LessonStatus.CANCELLED,
        "held": LessonStatus.HELD,
    }
    if can_edit:
        slots = class_slots(class_group)
        rooms = list(rooms_of_school(request.school))
        context |= {
            "slot_choices": Choices((n, _("lesson %(n)s") % {"n": n}) for n in slots),
            "room_choices": Choices([("", _("no room")), *((room.pk, room) for room in rooms)]),
            "extra_form": ExtraLessonForm(
                courses=_class_courses(request, class_group),
                slots=slots,
                rooms=rooms_of_school(request.school),
                initial={"date": start},
            ),
        }
    return render(request, "journal/changes/class.html", context)


def _class_courses(request: HttpRequest, class_group: ClassGroup) -> Any:
    return (
        courses_visible_to(request.user, request.school)
        .filter(class_group=class_group)
        .select_related("class_group", "subject", "subgroup")
        .order_by("subject__name", "subgroup__name")
    )


def _lesson_for_change(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id)
    deny_unless(rules.edits_timetable(request.user))
    return lesson


def _apply_change(
    request: HttpRequest, form: Form, change: Callable[[dict[str, Any]], Lesson], success: str
) -> Lesson | None:
    """Validate ``form``, run ``change`` on its data; flash the errors or ``success`` (``%(lesson)s``).

    Returns the changed lesson, ``None`` when the form or the service refused.
    """
    if not form.is_valid():
        flash_errors(request, form)
        return None
    try:
        lesson = change(form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, error)
        return None
    messages.success(request, success % {"lesson": describe_lesson(lesson)})
    return lesson


@staff_required
@require_POST
def change_cancel(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        ReasonForm(request.POST),
        lambda data: lesson_cancel(actor=request.user, lesson=lesson, reason=data["reason"]),
        _("Cancelled: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_restore(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        ReasonForm(request.POST),
        lambda data: lesson_restore(actor=request.user, lesson=lesson, reason=data["reason"]),
        _("Restored: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        MoveForm(request.POST, slots=class_slots(lesson.course.class_group)),
        lambda data: lesson_move(
            actor=request.user, lesson=lesson, date=data["date"], slot=data["slot"], reason=data["reason"]
        ),
        _("Moved: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_room(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        RoomForm(request.POST, rooms=rooms_of_school(request.school)),
        lambda data: lesson_change_room(actor=request.user, lesson=lesson, room=data["room"], reason=data["reason"]),
        _("Room changed: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_extra(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    deny_unless(rules.edits_timetable(request.user))
    form = ExtraLessonForm(
        request.POST,
        courses=_class_courses(request, class_group),
        slots=class_slots(class_group),
        rooms=rooms_of_school(request.school),
    )
    start, end = _range(request.POST) if request.POST.get("start") else _range({})
    _apply_change(
        request,
        form,
        lambda data: lesson_add_extra(actor=request.user, **data),
        _("Extra lesson added: %(lesson)s."),
    )
    return redirect(_changes_url(class_group.pk, start, end))
