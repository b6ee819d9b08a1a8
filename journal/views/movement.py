"""Movement of students (§4.1, §4.3): the class teacher asks on the class's page, the administrator
confirms with the director's order or refuses on the movement list; a student moved between the groups of
a split subject on the class's subgroups page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import deny_unless, staff_required
from core.messages import error_text
from core.params import date_param, int_param, parse_day, text_param
from journal import rules
from journal.access import get_class_for_user
from journal.models import Movement, MovementKind, MovementStatus
from journal.selectors.membership import class_roster
from journal.selectors.movement import (
    class_movements,
    other_classes,
    school_movements,
    school_student,
    students_without_class,
)
from journal.selectors.subgroups import class_split_subjects, class_subgroup
from journal.selectors.timetable import day_in_year
from journal.services.guards import refuse_archived
from journal.services.movement import movement_confirm, movement_refuse, movement_request
from journal.services.subgroups import subgroup_move


def _day(raw: str) -> datetime.date:
    try:
        day = parse_day(raw)
    except ValueError:
        raise ValidationError(_("«%(value)s» is not a date.") % {"value": raw}) from None
    if day is None:
        raise ValidationError(_("Give the day of the movement."))
    return day


@staff_required
@require_http_methods(["GET", "POST"])
def class_movement(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    deny_unless(rules.requests_movement(request.user, request.school, class_group.pk))
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        try:
            student = school_student(request.school, int_param(request, "student"))
            if student is None:
                raise ValidationError(_("Choose the student."))
            kind = request.POST.get("kind", "")
            if kind not in MovementKind.values:
                raise ValidationError(_("Choose what happens: arrival, transfer or departure."))
            to_class = None
            if kind == MovementKind.ARRIVAL:
                to_class = class_group
            elif int_param(request, "to_class"):
                to_class = other_classes(class_group).filter(pk=int_param(request, "to_class")).first()
            movement_request(
                actor=request.user,
                student=student,
                kind=kind,
                on=_day(request.POST.get("on", "")),
                to_class=to_class,
                other_school=text_param(request, "other_school"),
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            messages.success(request, _("The request is sent to the administrator."))
            return redirect(reverse("journal:class_movement", args=[class_group.pk]))
    context = {
        "class_group": class_group,
        "roster": [entry.student for entry in class_roster(class_group, today)],
        "newcomers": students_without_class(request.school, class_group, today)[:200],
        "classes": other_classes(class_group),
        "movements": class_movements(class_group)[:100],
        "today": today,
        "kinds": MovementKind.choices,
    }
    return render(request, "journal/classes/movement.html", context, status=status)


@staff_required
def movement_list(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.confirms_movement(request.user))
    rows = school_movements(request.school)
    return render(
        request,
        "journal/movement_list.html",
        {
            "pending": rows.filter(status=MovementStatus.REQUESTED).order_by("requested_at"),
            "decided": rows.exclude(status=MovementStatus.REQUESTED).order_by("-decided_at")[:100],
            "today": timezone.localdate(),
        },
    )


def _movement(request: HttpRequest, movement_id: int) -> Movement:
    if not rules.confirms_movement(request.user):
        raise PermissionDenied
    movement = school_movements(request.school).filter(pk=movement_id).first()
    if movement is None:
        raise Http404("No such movement")
    return movement


@staff_required
@require_POST
def movement_confirm_view(request: HttpRequest, movement_id: int) -> HttpResponse:
    movement = _movement(request, movement_id)
    try:
        order_date = parse_day(request.POST.get("order_date", ""))
        movement_confirm(
            actor=request.user,
            movement=movement,
            order_number=text_param(request, "order_number"),
            order_date=order_date,
        )
    except ValueError:
        messages.error(request, _("«%(value)s» is not a date.") % {"value": request.POST.get("order_date", "")})
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(student)s: the movement is confirmed.") % {"student": movement.student})
    return redirect("journal:movement_list")


@staff_required
@require_POST
def movement_refuse_view(request: HttpRequest, movement_id: int) -> HttpResponse:
    movement = _movement(request, movement_id)
    try:
        movement_refuse(actor=request.user, movement=movement, reason=text_param(request, "reason"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(student)s: the movement is refused.") % {"student": movement.student})
    return redirect("journal:movement_list")


@staff_required
@require_http_methods(["GET", "POST"])
def class_subgroups(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's groups of split subjects on a day, and a student moved to the other group from a day
    (the old membership ends the day before: the old group's journal keeps their marks)."""
    class_group = get_class_for_user(request.user, request.school, class_id)
    deny_unless(rules.keeps_subgroups(request.user, request.school, class_group.pk))
    status = 200
    day = day_in_year(class_group.year, date_param(request, "on"))
    if request.method == "POST":
        try:
            refuse_archived(class_group.year)
            subgroup = class_subgroup(class_group, int_param(request, "subgroup"))
            student = school_student(request.school, int_param(request, "student"))
            if subgroup is None or student is None:
                raise ValidationError(_("Choose the student and the group."))
            on = _day(request.POST.get("on", ""))
            subgroup_move(actor=request.user, student=student, subgroup=subgroup, on=on)
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            messages.success(
                request,
                _("%(student)s is in %(group)s from %(day)s.")
                % {"student": student.short_name, "group": subgroup.name, "day": on.strftime("%d.%m.%Y")},
            )
            return redirect(reverse("journal:class_subgroups", args=[class_group.pk]))
    context = {
        "class_group": class_group,
        "splits": class_split_subjects(class_group, day),
        "day": day,
        "writable": not class_group.year.is_archived,
    }
    return render(request, "journal/classes/subgroups.html", context, status=status)
