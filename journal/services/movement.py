"""A student's arrival, transfer and departure (§4.1, §4.3): asked for by the class teacher, confirmed by
the administrator with the director's order. Confirming changes the enrolments (the journal, the diary,
the printouts and the figures follow their dates); a refusal keeps its reason."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import ClassGroup, Enrolment, Movement, MovementKind, MovementStatus, Student
from journal.models.people import EnrolmentReason
from journal.selectors.membership import enrolment_holding
from journal.services.guards import refuse_archived
from journal.services.structure import enrolment_create, enrolment_end, student_transfer
from journal.services.text import clean_reason


def _class_on(student: Student, day: datetime.date) -> ClassGroup | None:
    enrolment = enrolment_holding(student.pk, day)
    return enrolment.class_group if enrolment is not None else None


@transaction.atomic
def movement_request(
    *,
    actor: User,
    student: Student,
    kind: str,
    on: datetime.date,
    to_class: ClassGroup | None = None,
    other_school: str = "",
) -> Movement:
    """Ask for the movement; nothing changes in the enrolments until it is confirmed."""
    Student.objects.select_for_update().get(pk=student.pk)
    school = student.school
    from_class = _class_on(student, on) if kind != MovementKind.ARRIVAL else None
    asking_for = from_class or to_class
    if asking_for is None:
        raise ValidationError(_("The student is in no class on %(day)s.") % {"day": on.strftime("%d.%m.%Y")})
    if not rules.requests_movement(actor, school, asking_for.pk):
        raise PermissionDenied
    refuse_archived(asking_for.year)
    if kind == MovementKind.ARRIVAL and _class_on(student, on) is not None:
        raise ValidationError(_("The student is already in a class on %(day)s.") % {"day": on.strftime("%d.%m.%Y")})
    if kind in (MovementKind.ARRIVAL, MovementKind.TRANSFER):
        if to_class is None:
            raise ValidationError({"to_class": _("Choose the class the student goes to.")})
        if to_class.year.school_id != school.pk or not (to_class.year.start <= on <= to_class.year.end):
            raise ValidationError(
                {"to_class": _("The class %(cls)s is not of this school on that day.") % {"cls": to_class}}
            )
        if from_class is not None and to_class.pk == from_class.pk:
            raise ValidationError({"to_class": _("The student is in %(cls)s already.") % {"cls": to_class}})
    else:
        to_class = None
    if Movement.objects.filter(student=student, status=MovementStatus.REQUESTED).exists():
        raise ValidationError(_("A movement of this student waits for the administrator already."))
    movement = Movement(
        student=student,
        kind=kind,
        on=on,
        from_class=from_class,
        to_class=to_class,
        other_school=other_school.strip()[:255],
        requested_by=actor,
    )
    movement.full_clean()
    movement.save()
    return movement


@transaction.atomic
def movement_confirm(
    *, actor: User, movement: Movement, order_number: str, order_date: datetime.date | None
) -> Movement:
    """Confirm with the order: the enrolments change from the movement's day."""
    if not rules.confirms_movement(actor):
        raise PermissionDenied
    movement = (
        Movement.objects.select_for_update(of=("self",))
        .select_related("student", "from_class", "to_class")
        .get(pk=movement.pk)
    )
    if movement.status != MovementStatus.REQUESTED:
        raise ValidationError(_("This movement was decided already."))
    order_number = (order_number or "").strip()
    if not order_number or order_date is None:
        raise ValidationError(_("Give the number and the date of the director's order."))
    movement.order_number, movement.order_date = order_number[:32], order_date
    note = movement.order
    student, on = movement.student, movement.on
    if movement.kind == MovementKind.TRANSFER:
        assert movement.to_class is not None  # noqa: S101 - a request of a transfer names it
        student_transfer(actor=actor, student=student, to_class=movement.to_class, on=on, note=note)
    elif movement.kind == MovementKind.ARRIVAL:
        assert movement.to_class is not None  # noqa: S101 - a request of an arrival names it
        enrolment_create(
            actor=actor,
            student=student,
            class_group=movement.to_class,
            date_from=on,
            reason=EnrolmentReason.ARRIVAL,
            note=note,
        )
    else:
        current = enrolment_holding(student.pk, on)
        if current is None:
            raise ValidationError(_("The student is in no class on %(day)s.") % {"day": on.strftime("%d.%m.%Y")})
        enrolment_end(
            actor=actor,
            enrolment=current,
            date_to=max(on - datetime.timedelta(days=1), current.date_from),
            reason=EnrolmentReason.DEPARTURE,
            note=f"{note}; {movement.other_school}" if movement.other_school else note,
        )
        # Next year's enrolment made ahead by the new-year wizard goes too: the student has left.
        Enrolment.objects.filter(student=student, date_from__gt=on).delete()
    movement.status = MovementStatus.CONFIRMED
    movement.decided_by, movement.decided_at = actor, timezone.now()
    movement.save()
    return movement


@transaction.atomic
def movement_refuse(*, actor: User, movement: Movement, reason: str) -> Movement:
    if not rules.confirms_movement(actor):
        raise PermissionDenied
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    if movement.status != MovementStatus.REQUESTED:
        raise ValidationError(_("This movement was decided already."))
    movement.refusal = clean_reason(reason, missing=_("Say why the movement is refused."))
    movement.status = MovementStatus.REFUSED
    movement.decided_by, movement.decided_at = actor, timezone.now()
    movement.save()
    return movement
