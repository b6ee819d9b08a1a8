"""Movement of students (§4.1, §4.3): the class teacher asks on the class's page, the administrator
confirms with the director's order or refuses on the movement list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import deny_unless, staff_required
from core.messages import error_text
from core.params import parse_day
from journal import rules
from journal.access import get_class_for_user
from journal.models import ClassGroup, Enrolment, Movement, MovementKind, MovementStatus, Student
from journal.selectors.membership import class_roster
from journal.services.movement import movement_confirm, movement_refuse, movement_request


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
            student = Student.objects.filter(pk=request.POST.get("student") or 0, school=request.school).first()
            if student is None:
                raise ValidationError(_("Choose the student."))
            kind = request.POST.get("kind", "")
            if kind not in MovementKind.values:
                raise ValidationError(_("Choose what happens: arrival, transfer or departure."))
            to_class = None
            if kind == MovementKind.ARRIVAL:
                to_class = class_group
            elif request.POST.get("to_class"):
                to_class = ClassGroup.objects.filter(pk=request.POST["to_class"], year=class_group.year).first()
            movement_request(
                actor=request.user,
                student=student,
                kind=kind,
                on=_day(request.POST.get("on", "")),
                to_class=to_class,
                other_school=request.POST.get("other_school", ""),
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            status = 400
        else:
            messages.success(request, _("The request is sent to the administrator."))
            return redirect(reverse("journal:class_movement", args=[class_group.pk]))
    roster = [entry.student for entry in class_roster(class_group, today)]
    in_a_class = Enrolment.objects.filter(class_group__year=class_group.year, date_from__lte=today).filter(
        Q(date_to__isnull=True) | Q(date_to__gte=today)
    )
    context = {
        "class_group": class_group,
        "roster": roster,
        "newcomers": Student.objects.filter(school=request.school)
        .exclude(pk__in=in_a_class.values("student_id"))
        .order_by("last_name", "first_name")[:200],
        "classes": ClassGroup.objects.filter(year=class_group.year)
        .exclude(pk=class_group.pk)
        .order_by("grade", "letter"),
        "movements": Movement.objects.filter(Q(from_class=class_group) | Q(to_class=class_group))
        .select_related("student", "from_class", "to_class", "requested_by", "decided_by")
        .order_by("-requested_at")[:100],
        "today": today,
        "kinds": MovementKind.choices,
    }
    return render(request, "journal/classes/movement.html", context, status=status)


@staff_required
def movement_list(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.confirms_movement(request.user))
    if request.school is None:
        raise Http404("No school")
    rows = Movement.objects.filter(student__school=request.school).select_related(
        "student", "from_class", "to_class", "requested_by", "decided_by"
    )
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
    movement = Movement.objects.filter(pk=movement_id, student__school=request.school).first()
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
            order_number=request.POST.get("order_number", ""),
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
        movement_refuse(actor=request.user, movement=movement, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(student)s: the movement is refused.") % {"student": movement.student})
    return redirect("journal:movement_list")
