"""The school's grading policy, versioned from a date, and its work types.

A change of policy is a new version in force from its date on: it never
starts in the past, so the periods already assessed keep the rules they were
assessed by. A second change on the same day replaces that day's version.
Weights live on the work types; each mark keeps the weight it was given, so
changing a work type's weight does not rewrite the marks already given.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import AcademicYear, GradingPolicy, School, WorkType
from journal.models.planning import LessonKind

# What a version may set; everything not given is taken over from the version in force.
POLICY_FIELDS = (
    "lowest_mark",
    "marks_from_grade",
    "threshold_5",
    "threshold_4",
    "threshold_3",
    "min_marks_1h",
    "min_marks_2h",
    "min_marks_3h",
    "late_days_primary",
    "late_days_senior",
    "late_days_test",
    "letter_absent",
    "letter_illness",
    "letter_excused",
    "letter_unexcused",
    "letter_late",
)
LETTER_FIELDS = ("letter_absent", "letter_illness", "letter_excused", "letter_unexcused", "letter_late")
THRESHOLD_FIELDS = ("threshold_5", "threshold_4", "threshold_3")
COUNT_FIELDS = (
    "min_marks_1h",
    "min_marks_2h",
    "min_marks_3h",
    "late_days_primary",
    "late_days_senior",
    "late_days_test",
)

# DESIGN.md "Grading policy": the default work types, their weights and the lesson kinds they default for.
DEFAULT_WORK_TYPES: tuple[tuple[str, Decimal, str], ...] = (
    ("Ответ на уроке", Decimal("1"), LessonKind.ORDINARY.value),
    ("Домашняя работа", Decimal("1"), ""),
    ("Самостоятельная работа", Decimal("2"), ""),
    ("Диктант", Decimal("2"), LessonKind.DICTATION.value),
    ("Лабораторная работа", Decimal("2"), LessonKind.LAB.value),
    ("Практическая работа", Decimal("2"), LessonKind.PRACTICAL.value),
    ("Контрольная работа", Decimal("3"), LessonKind.TEST.value),
)


def _require_editor(actor: User, school: School) -> None:
    if not rules.edits_periods(actor):
        raise PermissionDenied(_("Only the deputy director or the administrator changes the grading policy."))
    if not rules.is_member(actor, school):
        raise PermissionDenied(_("The grading policy belongs to another school."))


def _decimal(name: str, value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("«%(value)s» is not a number.") % {"value": value}}) from None


def _int(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("«%(value)s» is not a whole number.") % {"value": value}}) from None


def _validate(policy: GradingPolicy) -> None:
    errors: dict[str, str] = {}
    if policy.lowest_mark not in (1, 2):
        errors["lowest_mark"] = _("The scale starts at 1 or at 2.")
    if not 1 <= policy.marks_from_grade <= 11:
        errors["marks_from_grade"] = _("Marks start at a grade from 1 to 11.")
    t5, t4, t3 = policy.threshold_5, policy.threshold_4, policy.threshold_3
    for name, value in zip(THRESHOLD_FIELDS, (t5, t4, t3), strict=True):
        if not Decimal(policy.lowest_mark) < value <= Decimal(5):
            errors[name] = _("The threshold %(value)s must lie above %(lowest)s and not above 5.") % {
                "value": value,
                "lowest": policy.lowest_mark,
            }
    if not errors and not t5 > t4 > t3:
        errors["threshold_4"] = _(
            "The thresholds must go down: for a 5 (%(t5)s) above a 4 (%(t4)s) above a 3 (%(t3)s)."
        ) % {"t5": t5, "t4": t4, "t3": t3}
    for name in COUNT_FIELDS:
        if getattr(policy, name) < 0:
            errors[name] = _("The number cannot be negative.")
    seen: dict[str, str] = {}
    for name in LETTER_FIELDS:
        letter = getattr(policy, name)
        if not letter:
            errors[name] = _("The letter cannot be empty.")
        elif len(letter) > 3:
            errors[name] = _("The letter «%(letter)s» is too long: at most 3 characters.") % {"letter": letter}
        elif letter.casefold() in seen:
            errors[name] = _("The letter «%(letter)s» is already used.") % {"letter": letter}
        else:
            seen[letter.casefold()] = name
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_create_version(*, actor: User, school: School, valid_from: datetime.date, **fields: Any) -> GradingPolicy:
    """A new version of the school's policy in force from ``valid_from`` (today or later).

    Fields not given are taken from the version in force on ``valid_from``; a
    version of the same day is replaced, never a version of a past day.
    """
    _require_editor(actor, school)
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown settings of the policy: %(names)s.") % {"names": ", ".join(unknown)})
    if valid_from < timezone.localdate():
        raise ValidationError(
            {
                "valid_from": _(
                    "A change of the policy applies from today or a later date, never to the past (%(date)s)."
                )
                % {"date": valid_from.strftime("%d.%m.%Y")}
            }
        )
    # Serialise versions of one school: two deputies saving at once take turns.
    School.objects.select_for_update().filter(pk=school.pk).first()
    policy = GradingPolicy.objects.filter(school=school, valid_from=valid_from).first()
    if policy is None:
        base = GradingPolicy.objects.filter(school=school, valid_from__lte=valid_from).order_by("-valid_from").first()
        policy = GradingPolicy(school=school, valid_from=valid_from)
        if base is not None:
            for name in POLICY_FIELDS:
                setattr(policy, name, getattr(base, name))
    for name, value in fields.items():
        if name in THRESHOLD_FIELDS:
            value = _decimal(name, value)
        elif name in LETTER_FIELDS:
            value = str(value or "").strip()
        else:
            value = _int(name, value)
        setattr(policy, name, value)
    _validate(policy)
    policy.created_by = actor
    policy.save()
    return policy


# --- Work types ------------------------------------------------------------------


def _clean_work_type(school: School, name: str, weight: Any, lesson_kind: str, exclude_pk: int | None) -> tuple:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the work type.")})
    if len(name) > 64:
        raise ValidationError({"name": _("The name is too long: at most 64 characters.")})
    clash = WorkType.objects.filter(school=school, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("The work type «%(name)s» already exists.") % {"name": name}})
    weight = _decimal("weight", weight)
    if not Decimal(0) < weight <= Decimal(10) or weight != weight.quantize(Decimal("0.1")):
        raise ValidationError(
            {"weight": _("The weight must be above 0 and at most 10, with one decimal: %(value)s.") % {"value": weight}}
        )
    lesson_kind = lesson_kind or ""
    if lesson_kind and lesson_kind not in LessonKind.values:
        raise ValidationError({"lesson_kind": _("Unknown lesson kind: «%(kind)s».") % {"kind": lesson_kind}})
    return name, weight, lesson_kind


@transaction.atomic
def work_type_create(
    *, actor: User, school: School, name: str, weight: Decimal | str | int, lesson_kind: str = ""
) -> WorkType:
    _require_editor(actor, school)
    name, weight, lesson_kind = _clean_work_type(school, name, weight, lesson_kind, None)
    return WorkType.objects.create(school=school, name=name, weight=weight, lesson_kind=lesson_kind)


@transaction.atomic
def work_type_update(
    *,
    actor: User,
    work_type: WorkType,
    name: str | None = None,
    weight: Decimal | str | int | None = None,
    lesson_kind: str | None = None,
    is_active: bool | None = None,
) -> WorkType:
    """Change a work type; the marks already given keep the weight they were given."""
    work_type = WorkType.objects.select_for_update().select_related("school").get(pk=work_type.pk)
    _require_editor(actor, work_type.school)
    name, weight, lesson_kind = _clean_work_type(
        work_type.school,
        work_type.name if name is None else name,
        work_type.weight if weight is None else weight,
        work_type.lesson_kind if lesson_kind is None else lesson_kind,
        work_type.pk,
    )
    work_type.name, work_type.weight, work_type.lesson_kind = name, weight, lesson_kind
    if is_active is not None:
        work_type.is_active = is_active
    work_type.save(update_fields=["name", "weight", "lesson_kind", "is_active"])
    return work_type


@transaction.atomic
def default_policy_and_work_types(school: School) -> GradingPolicy:
    """The default version (from the current year's start) and the default work types, if missing."""
    year = AcademicYear.objects.filter(school=school, is_current=True).order_by("-start").first()
    valid_from = year.start if year is not None else timezone.localdate()
    policy = GradingPolicy.objects.filter(school=school).order_by("valid_from").first()
    if policy is None:
        policy = GradingPolicy.objects.create(school=school, valid_from=valid_from)
    for name, weight, lesson_kind in DEFAULT_WORK_TYPES:
        WorkType.objects.get_or_create(
            school=school, name=name, defaults={"weight": weight, "lesson_kind": lesson_kind}
        )
    return policy
