"""Every change a user made since a time, across the journal's histories, and reverting them.

The changes come from django-simple-history's tables of marks, attendance,
homework, final marks and lessons (topic, status, teacher). Reverting writes a
new history row by the person who reverts; nothing in the history is erased.
This is what the compromised-login feature (§3.16) uses.
"""

from __future__ import annotations

import builtins
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import Attendance, Course, FinalMark, Homework, Lesson, Mark, Student, StudyPeriod

TRACKED_MODELS: tuple[type[models.Model], ...] = (Mark, Attendance, Homework, FinalMark, Lesson)
# Bookkeeping fields: not shown as changes and not restored by a revert.
BOOKKEEPING = frozenset({"version"})


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class Change:
    model_label: str
    object_id: int
    when: datetime.datetime
    type: str  # "+" created, "~" changed, "-" deleted
    ip_address: str | None
    record: Any = field(repr=False)
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def model(self) -> builtins.type[models.Model]:
        return type(self.record).instance_type  # type: ignore[no-any-return]


def _tracked_names(record: Any) -> list[str]:
    return [f.name for f in record.tracked_fields if f.editable and f.name not in BOOKKEEPING and not f.primary_key]


def _value(record: Any, name: str) -> Any:
    model_field = record.instance_type._meta.get_field(name)
    return getattr(record, model_field.attname)


def _field_changes(record: Any, prev: Any | None) -> list[FieldChange]:
    names = _tracked_names(record)
    if record.history_type == "-":
        return [FieldChange(n, _value(record, n), None) for n in names]
    if record.history_type == "+" or prev is None:
        return [FieldChange(n, None, _value(record, n)) for n in names]
    delta = record.diff_against(prev, excluded_fields=BOOKKEEPING)
    return [FieldChange(c.field, c.old, c.new) for c in delta.changes if c.field in names]


def _to_change(record: Any, prev: Any | None) -> Change:
    model = record.instance_type
    return Change(
        model_label=model._meta.label,
        object_id=getattr(record, model._meta.pk.attname),
        when=record.history_date,
        type=record.history_type,
        ip_address=getattr(record, "ip_address", None),
        record=record,
        fields=_field_changes(record, prev),
    )


def changes_by_user_since(user: User, since: datetime.datetime) -> list[Change]:
    """Changes ``user`` made to marks, attendance, homework, final marks and lessons since ``since``, oldest first."""
    changes: list[Change] = []
    for model in TRACKED_MODELS:
        records = list(model.history.filter(history_user=user, history_date__gte=since))  # type: ignore[attr-defined]
        for record in records:
            prev = record.prev_record if record.history_type == "~" else None
            changes.append(_to_change(record, prev))
    changes.sort(key=lambda c: (c.when, c.record.history_id))
    return changes


def changes_about(changes: list[Change]) -> list[str]:
    """What each change is about, as the Act and the history list it: «Соколов Артём · Математика, 5А ·
    07.09.2026» for a mark or an absence, the period for a final mark, the lesson for its homework and
    topic (four queries whatever the number of changes)."""
    records = [c.record for c in changes]
    lesson_ids = {r.lesson_id for r in records if hasattr(r, "lesson_id")}
    lesson_ids |= {c.object_id for c in changes if c.model is Lesson}
    lessons = {
        lesson.pk: lesson
        for lesson in Lesson.objects.filter(pk__in=lesson_ids).select_related("course__subject", "course__class_group")
    }

    def ids(name: str) -> set[int]:
        return {value for r in records if (value := getattr(r, name, None))}

    students = {s.pk: s for s in Student.objects.filter(pk__in=ids("student_id"))}
    courses = {
        course.pk: course
        for course in Course.objects.filter(pk__in=ids("course_id")).select_related("subject", "class_group")
    }
    periods = {p.pk: p for p in StudyPeriod.objects.filter(pk__in=ids("period_id"))}

    def course_label(course: Course | None) -> str:
        return f"{course.subject.name}, {course.class_group}" if course is not None else ""

    found = []
    for change in changes:
        record = change.record
        lesson = lessons.get(getattr(record, "lesson_id", None) or (change.object_id if change.model is Lesson else 0))
        student = students.get(getattr(record, "student_id", None) or 0)
        if lesson is not None:
            where = [course_label(lesson.course), lesson.date.strftime("%d.%m.%Y")]
        else:
            period = periods.get(getattr(record, "period_id", None) or 0)
            kind = record.get_kind_display() if hasattr(record, "get_kind_display") else ""
            course = courses.get(getattr(record, "course_id", None) or 0)
            where = [course_label(course), str(period) if period else kind]
        parts = [student.full_name if student is not None else "", *where]
        found.append(" · ".join(p for p in parts if p))
    return found


def _stale(change: Change, detail: str) -> ValidationError:
    return ValidationError(
        _("The change of %(what)s #%(id)s on %(when)s cannot be reverted: %(detail)s")
        % {
            "what": change.model._meta.verbose_name,
            "id": change.object_id,
            "when": change.when.strftime("%d.%m.%Y %H:%M"),
            "detail": detail,
        },
        code="stale",
    )


def _bump_version(obj: models.Model, update_fields: list[str]) -> None:
    if hasattr(obj, "version"):
        obj.version += 1  # type: ignore[attr-defined]
        update_fields.append("version")
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update_fields.append("updated_at")


def _revert_create(actor: User, change: Change) -> None:
    obj = change.model._default_manager.select_for_update().filter(pk=change.object_id).first()
    if obj is None:
        return  # already gone: nothing to undo
    obj._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        raise _stale(change, _("other records depend on it.")) from None


def _revert_delete(actor: User, change: Change) -> None:
    model = change.model
    if model._default_manager.filter(pk=change.object_id).exists():
        raise _stale(change, _("the record exists again."))
    obj = change.record.instance
    obj._history_user = actor
    if hasattr(obj, "version"):
        obj.version += 1
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise _stale(change, _("it clashes with a record made since.")) from None


def _revert_update(actor: User, change: Change) -> None:
    model = change.model
    obj = model._default_manager.select_for_update().filter(pk=change.object_id).first()
    if obj is None:
        raise _stale(change, _("the record was deleted since."))
    update_fields: list[str] = []
    for fc in change.fields:
        attname = model._meta.get_field(fc.field).attname  # type: ignore[union-attr]
        if getattr(obj, attname) != fc.new:
            raise _stale(change, _("«%(field)s» was changed again since.") % {"field": fc.field})
        setattr(obj, attname, fc.old)
        update_fields.append(fc.field)
    if not update_fields:
        return
    _bump_version(obj, update_fields)
    obj._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError:
        raise _stale(change, _("it clashes with a record made since.")) from None


def _require_reverter(actor: User, user: User) -> None:
    if not rules.reverts_changes_of(actor, user):
        raise PermissionDenied(_("Only the administrator reverts another user's changes."))


@transaction.atomic
def change_revert(*, actor: User, change: Change) -> None:
    """Undo one change: delete what was created, recreate what was deleted, restore changed fields.

    Refused (and nothing changed) when the object was changed again since.
    """
    _require_reverter(actor, change.record.history_user)
    if change.type == "+":
        _revert_create(actor, change)
    elif change.type == "-":
        _revert_delete(actor, change)
    else:
        _revert_update(actor, change)


@transaction.atomic
def changes_revert_all(*, actor: User, user: User, since: datetime.datetime) -> list[Change]:
    """Undo everything ``user`` changed since ``since``, newest first, all or nothing; returns what was reverted."""
    _require_reverter(actor, user)
    changes = changes_by_user_since(user, since)
    for change in reversed(changes):
        change_revert(actor=actor, change=change)
    return changes
