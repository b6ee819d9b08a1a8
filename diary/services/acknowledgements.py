"""A parent acknowledges a week of the child's diary («ознакомлен»)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import WeekAcknowledgement
from journal.models import Student
from journal.rules import is_parent_of


@transaction.atomic
def week_acknowledge(*, actor: User, student: Student, week_start: datetime.date) -> WeekAcknowledgement:
    """Record that ``actor``, a parent of ``student``, has read the week from Monday ``week_start``.

    Once per parent, child and week: a second call returns the first record unchanged.
    Refused (nothing written) for anyone but an active parent, for a day that is not a Monday,
    and for a week that has not begun yet.
    """
    if not is_parent_of(actor, student):
        raise ValidationError(_("Only a parent of the student can acknowledge a week of the diary."))
    if week_start.weekday() != 0:
        raise ValidationError(_("A week begins on a Monday; %(day)s is not one.") % {"day": f"{week_start:%d.%m.%Y}"})
    if week_start > timezone.localdate():
        raise ValidationError(_("The week of %(day)s has not begun yet.") % {"day": f"{week_start:%d.%m.%Y}"})
    existing = WeekAcknowledgement.objects.filter(parent=actor, student=student, week_start=week_start).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return WeekAcknowledgement.objects.create(
                parent=actor, student=student, week_start=week_start, acknowledged_at=timezone.now()
            )
    except IntegrityError:
        # A second press that raced the first: the first one stands.
        return WeekAcknowledgement.objects.get(parent=actor, student=student, week_start=week_start)
