"""School and class events: the deputy, the director and the administrator for the school or any
class; a class teacher for their own class (§2.10)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from diary.models import Event
from journal.models import ClassGroup, School
from journal.rules import manages_events_of


def _check(
    *,
    actor: User,
    school: School,
    class_group: ClassGroup | None,
    title: str,
    date: datetime.date,
    end_date: datetime.date | None,
) -> None:
    if class_group is not None and class_group.year.school_id != school.pk:
        raise PermissionDenied
    if not manages_events_of(actor, school, class_group):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError(_("The event needs a title."))
    if end_date is not None and end_date < date:
        raise ValidationError(
            _("The last day %(end)s is before the first day %(start)s.")
            % {"end": f"{end_date:%d.%m.%Y}", "start": f"{date:%d.%m.%Y}"}
        )


@transaction.atomic
def event_create(
    *,
    actor: User,
    school: School,
    class_group: ClassGroup | None,
    title: str,
    date: datetime.date,
    description: str = "",
    time: datetime.time | None = None,
    end_date: datetime.date | None = None,
    place: str = "",
) -> Event:
    _check(actor=actor, school=school, class_group=class_group, title=title, date=date, end_date=end_date)
    return Event.objects.create(
        school=school,
        class_group=class_group,
        title=title.strip(),
        description=description.strip(),
        date=date,
        time=time,
        end_date=end_date if end_date != date else None,
        place=place.strip(),
        created_by=actor,
    )


@transaction.atomic
def event_update(
    *,
    actor: User,
    event: Event,
    class_group: ClassGroup | None,
    title: str,
    date: datetime.date,
    description: str = "",
    time: datetime.time | None = None,
    end_date: datetime.date | None = None,
    place: str = "",
) -> Event:
    """Change an event; the actor must manage both its old and its new class (or the school)."""
    if not manages_events_of(actor, event.school, event.class_group):
        raise PermissionDenied
    _check(actor=actor, school=event.school, class_group=class_group, title=title, date=date, end_date=end_date)
    event.class_group = class_group
    event.title = title.strip()
    event.description = description.strip()
    event.date = date
    event.time = time
    event.end_date = end_date if end_date != date else None
    event.place = place.strip()
    event.save()
    return event


@transaction.atomic
def event_delete(*, actor: User, event: Event) -> None:
    if not manages_events_of(actor, event.school, event.class_group):
        raise PermissionDenied
    event.delete()
