"""The grading policy in force, weighted averages and the suggested period mark."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from journal.models import GradingPolicy, Mark, School
from journal.models.marks import NUMERIC_MARKS


def policy_for(school: School, day: datetime.date) -> GradingPolicy:
    """The policy version in force on ``day``: the latest one not after it.

    A school without any version gets the defaults (unsaved), so rules always apply.
    """
    policy = GradingPolicy.objects.filter(school=school, valid_from__lte=day).order_by("-valid_from").first()
    return policy if policy is not None else GradingPolicy(school=school, valid_from=datetime.date.min)


def weighted_average(marks: Iterable[Mark]) -> Decimal | None:
    """Σ(mark × weight) / Σ(weight) over numeric marks, two decimals; ``None`` without any."""
    total = Decimal(0)
    weights = Decimal(0)
    for mark in marks:
        if mark.value in NUMERIC_MARKS:
            total += Decimal(mark.value) * mark.weight
            weights += mark.weight
    if not weights:
        return None
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def suggested_mark(average: Decimal | None, policy: GradingPolicy) -> str:
    """The period mark the average rounds to under the policy's thresholds ("" without marks)."""
    if average is None:
        return ""
    if average >= policy.threshold_5:
        return "5"
    if average >= policy.threshold_4:
        return "4"
    if average >= policy.threshold_3:
        return "3"
    return "2" if policy.lowest_mark == 2 or average >= Decimal("1.60") else "1"


def minimum_marks(policy: GradingPolicy, hours_per_week: Decimal | float | None) -> int:
    """How many marks a sound period mark needs (§6.2), by the subject's weekly hours."""
    hours = Decimal(str(hours_per_week or 1))
    if hours >= 3:
        return policy.min_marks_3h
    if hours >= 2:
        return policy.min_marks_2h
    return policy.min_marks_1h


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
