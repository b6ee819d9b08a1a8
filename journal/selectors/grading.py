"""The grading policy in force on a day, and what it says about a cell (may it hold marks, its letters).

The numbers computed from marks (averages, suggestions, minimums, the report figures) are in
:mod:`journal.statistics`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from journal.models import GradingPolicy, School, WorkType

# The general work type of a lesson (its name in the demo's and new schools' defaults).
DEFAULT_WORK_TYPE_NAME = "Ответ на уроке"


def _default(school: School) -> GradingPolicy:
    # A school without any version gets the defaults (unsaved), so rules always apply.
    return GradingPolicy(school=school, valid_from=datetime.date.min)


def policy_for(school: School, day: datetime.date) -> GradingPolicy:
    """The policy version in force on ``day``: the latest one not after it."""
    policy = GradingPolicy.objects.filter(school=school, valid_from__lte=day).order_by("-valid_from").first()
    return policy if policy is not None else _default(school)


def policies_on(school: School, days: Iterable[datetime.date]) -> dict[datetime.date, GradingPolicy]:
    """The policy in force on each of ``days`` (a lesson's date, a period's start), from one query."""
    days = set(days)
    versions = list(GradingPolicy.objects.filter(school=school, valid_from__lte=max(days)).order_by("-valid_from"))
    return {day: next((v for v in versions if v.valid_from <= day), None) or _default(school) for day in days}


def marks_allowed(policy: GradingPolicy, grade: int) -> bool:
    """Grade 1 (by default) keeps attendance and topics only (§3.11)."""
    return grade >= policy.marks_from_grade


def attendance_letter(policy: GradingPolicy, status: str, reason: str) -> str:
    if status == "late":
        return policy.letter_late
    return {
        "illness": policy.letter_illness,
        "excused": policy.letter_excused,
        "unexcused": policy.letter_unexcused,
    }.get(reason, policy.letter_absent)


def pick_default_work_type(work_types: list[WorkType], lesson_kind: str) -> WorkType | None:
    """Of the school's active work types, the one for lessons of this kind (the heaviest if several); else
    the general one («Ответ на уроке», or the lightest without a kind); else none."""
    by_kind = sorted((w for w in work_types if w.lesson_kind == lesson_kind), key=lambda w: (-w.weight, w.name))
    if by_kind:
        return by_kind[0]
    general = sorted((w for w in work_types if not w.lesson_kind), key=lambda w: (w.weight, w.name))
    return next((w for w in general if w.name == DEFAULT_WORK_TYPE_NAME), None) or (general[0] if general else None)


def default_work_type(school: School, lesson_kind: str) -> WorkType | None:
    """:func:`pick_default_work_type` of the school's active work types (one query)."""
    candidates = WorkType.objects.filter(school=school, is_active=True, lesson_kind__in=[lesson_kind, ""])
    return pick_default_work_type(list(candidates), lesson_kind)
