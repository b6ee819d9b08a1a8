"""The grading policy in force on a day, and what it says about a cell (may it hold marks, its letters).

The numbers computed from marks (averages, suggestions, minimums, the report figures) are in
:mod:`journal.statistics`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from core.compiled import CompiledQuery
from journal.models import CurriculumItem, GradingPolicy, MarkValue, School, WorkType
from journal.models.structure import Assessment
from journal.statistics import NOT_ASSESSED

# The general work type of a lesson (its name in the demo's and new schools' defaults).
DEFAULT_WORK_TYPE_NAME = "Ответ на уроке"


def _default(school: School) -> GradingPolicy:
    # A school without any version gets the defaults (unsaved), so rules always apply.
    return GradingPolicy(school=school, valid_from=datetime.date.min)


def policy_for(school: School, day: datetime.date) -> GradingPolicy:
    """The policy version in force on ``day``: the latest one not after it."""
    policy = GradingPolicy.objects.filter(school=school, valid_from__lte=day).order_by("-valid_from").first()
    return policy if policy is not None else _default(school)


_POLICY_FIELDS = [f.attname for f in GradingPolicy._meta.concrete_fields]
_VERSIONS = CompiledQuery(
    lambda school_id, day: (
        GradingPolicy.objects.filter(school_id=school_id, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list(*_POLICY_FIELDS)
    ),
    school_id=int,
    day=datetime.date,
)


def policies_on(school: School, days: Iterable[datetime.date]) -> dict[datetime.date, GradingPolicy]:
    """The policy in force on each of ``days`` (a lesson's date, a period's start), from one query."""
    days = set(days)
    versions = [
        GradingPolicy.from_db("default", _POLICY_FIELDS, row)
        for row in _VERSIONS.rows(school_id=school.pk, day=max(days))
    ]
    return {day: next((v for v in versions if v.valid_from <= day), None) or _default(school) for day in days}


def marks_allowed(policy: GradingPolicy, grade: int) -> bool:
    """Grade 1 (by default) keeps attendance and topics only (§3.11)."""
    return grade >= policy.marks_from_grade


# What a mark in a course of each assessment of the curriculum may be (н/а and осв. in any assessed one).
PASS_FAIL_VALUES = frozenset({MarkValue.PASS.value, MarkValue.FAIL.value, *NOT_ASSESSED})


def course_assessment() -> Subquery:
    """For a query of lessons: how the curriculum assesses the course's subject in its grade (marks,
    pass/fail or none; ``None`` without a curriculum line, taken as marks)."""
    return Subquery(
        CurriculumItem.objects.filter(
            year_id=OuterRef("course__class_group__year_id"),
            grade=OuterRef("course__class_group__grade"),
            subject_id=OuterRef("course__subject_id"),
        ).values("assessment")[:1]
    )


def refuse_off_assessment(value: str, assessment: str | None, subject: str) -> None:
    """A subject the curriculum does not assess takes no marks; a pass/fail one only зачёт/незачёт (and н/а,
    осв.)."""
    if assessment == Assessment.NONE:
        raise ValidationError(
            {"value": _("«%(subject)s» is not assessed in this grade: it takes no marks.") % {"subject": subject}}
        )
    if assessment == Assessment.PASS_FAIL and value not in PASS_FAIL_VALUES:
        raise ValidationError(
            {
                "value": _("«%(subject)s» is assessed pass/fail here: type зч (зачёт) or нз (незачёт).")
                % {"subject": subject}
            }
        )


def attendance_letter(policy: GradingPolicy, status: str, reason: str) -> str:
    if status == "late":
        return policy.letter_late
    return {
        "illness": policy.letter_illness,
        "excused": policy.letter_excused,
        "unexcused": policy.letter_unexcused,
    }.get(reason, policy.letter_absent)


def ranked_work_types(school_ref: OuterRef | int, kind_ref: OuterRef | str) -> QuerySet[WorkType]:
    """The school's active work types a mark of a lesson of this kind may default to, best first: the ones for
    that kind (the heaviest first), then the general «Ответ на уроке», then the other general ones (the
    lightest first). The first is a new mark's work type; the references let a lesson query carry it.

    Only the filter names the lesson's kind: among the rows it keeps, one with a kind has the lesson's, so
    the order reads the work type alone. SQLite refuses a subquery whose ORDER BY names a column of the
    outer query (``no such column``), and the zero-setup run is on SQLite."""
    for_the_kind = ~Q(lesson_kind="")
    rank = Case(When(for_the_kind, then=Value(0)), When(name=DEFAULT_WORK_TYPE_NAME, then=Value(1)), default=Value(2))
    heaviest_first = Case(When(for_the_kind, then=-F("weight")), default=F("weight"))
    return (
        WorkType.objects.filter(Q(lesson_kind=kind_ref) | Q(lesson_kind=""), school_id=school_ref, is_active=True)
        .annotate(rank=rank, order_weight=heaviest_first)
        .order_by("rank", "order_weight", "name")
    )


def default_work_type_of_lesson() -> tuple[Subquery, Subquery]:
    """For a query of lessons: the id and the weight of their school's default work type of their kind."""
    ranked = ranked_work_types(OuterRef("course__class_group__year__school_id"), OuterRef("kind"))
    return Subquery(ranked.values("pk")[:1]), Subquery(ranked.values("weight")[:1])


def default_work_type(school: School, lesson_kind: str) -> WorkType | None:
    """The default work type of a new mark on a lesson of this kind (one query)."""
    return ranked_work_types(school.pk, lesson_kind).first()
