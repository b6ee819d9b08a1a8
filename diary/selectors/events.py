"""School and class events (§2.10, §3.10): who sees and who manages which."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import User
from core.compiled import CompiledQuery, RowModel
from diary.models import Event
from diary.selectors.children import diary_students_for
from journal import rules
from journal.models import ClassGroup, Enrolment, School
from journal.selectors.scope import classes_led_by

_EVENT_ROW = RowModel(Event, "class_group")
# The diary week's events, on every parent's evening: compiled once per process (core.compiled).
_EVENTS = CompiledQuery(
    lambda school_id, class_ids, start, end: (
        Event.objects.filter(Q(class_group__isnull=True) | Q(class_group_id__in=class_ids), school_id=school_id)
        .filter(date__lte=end)
        .filter(Q(end_date__gte=start) | Q(end_date__isnull=True, date__gte=start))
        .order_by("date", "time", "pk")
        .values_list(*_EVENT_ROW.columns)
    ),
    school_id=int,
    class_ids=list,
    start=datetime.date,
    end=datetime.date,
)


def events_between(school: School, class_ids: Iterable[int], start: datetime.date, end: datetime.date) -> list[Event]:
    """School-wide events and those of the given classes on any day of ``start``–``end`` (one query)."""
    rows = _EVENTS.rows(school_id=school.pk, class_ids=sorted(class_ids), start=start, end=end)
    return [_EVENT_ROW.build(row) for row in rows]


def events_visible_to(user: User, school: School | None) -> QuerySet[Event]:
    """Staff read all the school's events; parents and students the school-wide ones and their children's classes'."""
    if school is None:
        return Event.objects.none()
    events = Event.objects.filter(school=school).select_related("class_group", "created_by")
    if rules.is_staff(user):
        return events
    children = diary_students_for(user, school).values("pk")
    classes = Enrolment.objects.filter(student__in=children).values("class_group_id")
    return events.filter(Q(class_group__isnull=True) | Q(class_group__in=classes))


def event_classes_for(user: User, school: School | None) -> QuerySet[ClassGroup]:
    """The classes ``user`` may make events for: any of the current year for the managers, else the led ones."""
    if school is None:
        return ClassGroup.objects.none()
    if rules.manages_school_events(user):
        return ClassGroup.objects.filter(year__school=school, year__is_current=True).order_by("grade", "letter")
    if rules.is_teacher(user):
        return classes_led_by(user, school).filter(year__is_current=True).order_by("grade", "letter")
    return ClassGroup.objects.none()


def can_manage_events(user: User, school: School | None) -> bool:
    """May create some event: a manager, or a class teacher (for their class)."""
    return rules.manages_school_events(user) or event_classes_for(user, school).exists()


def event_manager_scope(user: User, school: School | None) -> tuple[bool, set[int]]:
    """(manages every event of the school, the ids of the classes whose events the user manages): one query."""
    if school is None:
        return False, set()
    if rules.manages_school_events(user):
        return True, set()
    return False, set(event_classes_for(user, school).values_list("pk", flat=True))
