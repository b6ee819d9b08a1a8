"""Year, exam and final marks (issue 4): what is suggested, when a reason is needed, when they are locked.

The year mark is suggested from the mean of the period marks rounded by the policy's thresholds (н/а and
осв. periods left out; no period marks, no suggestion); the final mark («итоговая») from the year and
exam marks (their mean rounded half up; without an exam, the year mark). Year marks are read-only once
the year's last period is locked; exam and final marks until the year is archived.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from journal import models as m
from journal.selectors.grading import policy_for
from journal.selectors.periods import final_mark_suggestion, year_mark_suggestion, year_summary
from journal.services.final_marks import final_mark_set
from tests.conftest import World
from tests.factories import YEAR_START

QUARTERS = [
    (YEAR_START, datetime.date(2026, 10, 25)),
    (datetime.date(2026, 11, 5), datetime.date(2026, 12, 27)),
    (datetime.date(2027, 1, 9), datetime.date(2027, 3, 21)),
    (datetime.date(2027, 3, 30), datetime.date(2027, 5, 26)),
]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def quarters(world: World) -> list[m.StudyPeriod]:
    return [
        m.StudyPeriod.objects.create(year=world.year, kind="quarter", number=n, start=start, end=end)
        for n, (start, end) in enumerate(QUARTERS, start=1)
    ]


def period_marks(world: World, quarters: list[m.StudyPeriod], student: m.Student, *values: str) -> None:
    for period, value in zip(quarters, values, strict=False):
        m.FinalMark.objects.create(
            course=world.math_5a,
            student=student,
            kind="quarter",
            period=period,
            value=value,
            suggested=value,
            author=world.users["teacher"],
        )


def set_mark(world: World, kind: str, value: str, reason: str = "", **kwargs: object) -> m.FinalMark:
    return final_mark_set(
        actor=kwargs.pop("actor", world.users["teacher"]),  # type: ignore[arg-type]
        course=world.math_5a,
        student=kwargs.pop("student", world.child),  # type: ignore[arg-type]
        kind=kind,
        value=value,
        reason=reason,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        (["5", "4", "4", "5"], "4"),  # 4.50: below the 4.60 of a 5
        (["5", "5", "4", "5"], "5"),  # 4.75
        (["3", "4"], "3"),  # 3.50 is below the 3.60 of a 4
        (["5", "на", "осв", "5"], "5"),  # н/а and осв. periods are left out
        (["на", "осв"], ""),  # no numeric period mark: no suggestion
        ([], ""),
        (["зч", "зч"], ""),
    ],
)
def test_year_suggestion_is_the_mean_of_period_marks_by_thresholds(
    world: World, periods: list[str], expected: str
) -> None:
    policy = policy_for(world.school, world.year.start)
    assert year_mark_suggestion(periods, policy) == expected


def test_year_suggestion_follows_the_schools_thresholds(world: World) -> None:
    policy = m.GradingPolicy.objects.create(
        school=world.school, valid_from=world.year.start, threshold_5=Decimal("4.50")
    )
    assert year_mark_suggestion(["5", "4", "4", "5"], policy) == "5"


@pytest.mark.parametrize(
    ("year", "exam", "expected"),
    [
        ("4", "5", "5"),  # 4.5 rounds half up
        ("3", "4", "4"),
        ("5", "3", "4"),
        ("4", "", "4"),  # no exam: the year mark
        ("4", "на", "4"),
        ("осв", "", "осв"),
        ("", "5", ""),  # no year mark: no suggestion
    ],
)
def test_final_suggestion_from_the_year_and_exam_marks(year: str, exam: str, expected: str) -> None:
    assert final_mark_suggestion(year, exam) == expected


def test_a_year_mark_differing_from_the_suggestion_needs_a_reason(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "5", "4", "4", "5")

    with pytest.raises(ValidationError, match="differs from the suggested «4»"):
        set_mark(world, "year", "5")
    assert not m.FinalMark.objects.filter(kind="year").exists()

    mark = set_mark(world, "year", "5", "Сильная работа в 4 четверти")
    assert (mark.value, mark.suggested, mark.reason, mark.period) == ("5", "4", "Сильная работа в 4 четверти", None)
    record = m.FinalMark.history.filter(id=mark.pk).latest("history_date")
    assert (record.value, record.history_user) == ("5", world.users["teacher"])


def test_a_year_mark_equal_to_the_suggestion_needs_no_reason(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "5", "5", "4", "5")
    assert set_mark(world, "year", "5").suggested == "5"


def test_a_student_without_period_marks_gets_no_suggestion_and_needs_no_reason(world: World, quarters) -> None:
    mark = set_mark(world, "year", "осв")
    assert (mark.value, mark.suggested, mark.reason) == ("осв", "", "")


def test_the_final_mark_is_suggested_from_the_year_and_exam_marks(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "4", "4", "4", "4")
    set_mark(world, "year", "4")
    assert set_mark(world, "exam", "5").suggested == ""

    with pytest.raises(ValidationError, match="differs from the suggested «5»"):
        set_mark(world, "final", "4")
    final = set_mark(world, "final", "5")
    assert (final.value, final.suggested) == ("5", "5")


def test_without_an_exam_the_final_mark_is_the_year_mark(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "3", "3", "3", "3")
    set_mark(world, "year", "3")
    with pytest.raises(ValidationError, match="differs from the suggested «3»"):
        set_mark(world, "final", "4")
    assert set_mark(world, "final", "3").suggested == "3"


def test_year_marks_lock_with_the_last_period_exam_and_final_do_not(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "4", "4", "4", "4")
    last = quarters[-1]
    last.is_locked = True
    last.save(update_fields=["is_locked"])

    with pytest.raises(ValidationError, match="last period .* is locked"):
        set_mark(world, "year", "4")
    assert not m.FinalMark.objects.filter(kind="year").exists()
    assert set_mark(world, "exam", "5").value == "5"
    assert set_mark(world, "final", "5", "По экзамену").value == "5"

    last.is_locked = False
    last.save(update_fields=["is_locked"])
    assert set_mark(world, "year", "4").value == "4"


def test_an_archived_year_refuses_year_exam_and_final_marks(world: World, quarters) -> None:
    world.year.is_archived = True
    world.year.save(update_fields=["is_archived"])
    for kind in ("year", "exam", "final"):
        with pytest.raises(ValidationError, match="archived"):
            set_mark(world, kind, "4")
    assert not m.FinalMark.objects.filter(period__isnull=True).exists()


def test_only_the_teacher_of_the_course_sets_year_marks(world: World, quarters) -> None:
    for persona in ("other_teacher", "class_teacher", "deputy"):
        with pytest.raises(PermissionDenied):
            set_mark(world, "year", "4", actor=world.users[persona])
    assert not m.FinalMark.objects.exists()


def test_a_stale_year_mark_is_refused(world: World, quarters) -> None:
    first = set_mark(world, "year", "4")
    set_mark(world, "year", "5", expected_version=first.version)
    with pytest.raises(ValidationError, match="changed meanwhile"):
        set_mark(world, "year", "3", expected_version=first.version)
    assert m.FinalMark.objects.get(kind="year").value == "5"


def test_year_summary_lists_period_marks_in_order_with_the_suggestions(world: World, quarters) -> None:
    period_marks(world, quarters, world.child, "5", "на", "4")
    set_mark(world, "year", "5", "Итог")
    summary = year_summary(world.math_5a)

    row = next(r for r in summary.rows if r.student == world.child)
    assert [p.value if p else None for p in row.periods] == ["5", "на", "4", None]
    assert row.suggested_year == "4"  # (5 + 4) / 2 = 4.50
    assert row.year is not None and row.year.value == "5"
    assert row.suggested_final == "5"
    other = next(r for r in summary.rows if r.student == world.other_child)
    assert (other.suggested_year, other.year, other.suggested_final) == ("", None, "")
    assert summary.has_exam_marks is False
