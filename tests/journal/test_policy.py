"""Grading policy versions and work types."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from journal import models as m
from journal.selectors.grading import policy_for
from journal.selectors.periods import period_summary
from journal.services.policy import (
    default_policy_and_work_types,
    policy_create_version,
    work_type_create,
    work_type_update,
)
from tests.factories import YEAR_START

# Also run on SQLite, the zero-setup default (scripts/test.sh).
pytestmark = pytest.mark.both_engines


def test_defaults_create_the_first_version_and_the_work_types_of_the_design(world):
    policy = default_policy_and_work_types(world.school)
    default_policy_and_work_types(world.school)  # idempotent
    assert policy.valid_from == YEAR_START
    assert m.GradingPolicy.objects.filter(school=world.school).count() == 1
    types = {w.name: (w.weight, w.lesson_kind) for w in m.WorkType.objects.filter(school=world.school)}
    assert types == {
        "Ответ на уроке": (Decimal("1"), "ordinary"),
        "Домашняя работа": (Decimal("1"), ""),
        "Самостоятельная работа": (Decimal("2"), ""),
        "Диктант": (Decimal("2"), "dictation"),
        "Лабораторная работа": (Decimal("2"), "lab"),
        "Практическая работа": (Decimal("2"), "practical"),
        "Контрольная работа": (Decimal("3"), "test"),
    }


def test_a_new_version_takes_over_the_rest_and_a_same_day_version_is_replaced(world):
    default_policy_and_work_types(world.school)
    today = timezone.localdate()
    deputy = world.users["deputy"]
    first = policy_create_version(actor=deputy, school=world.school, valid_from=today, letter_absent="нб")
    second = policy_create_version(actor=deputy, school=world.school, valid_from=today, min_marks_1h=4)
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.letter_absent, second.min_marks_1h, second.threshold_5) == ("нб", 4, Decimal("4.60"))
    assert m.GradingPolicy.objects.filter(school=world.school).count() == 2


def test_a_version_never_starts_in_the_past(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        policy_create_version(actor=world.users["deputy"], school=world.school, valid_from=yesterday)
    assert "valid_from" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"threshold_5": "3.50", "threshold_4": "3.60"}, "threshold_4"),
        ({"threshold_3": "1.50"}, "threshold_3"),
        ({"letter_illness": "Н"}, "letter_illness"),
        ({"letter_late": "  "}, "letter_late"),
        ({"lowest_mark": 3}, "lowest_mark"),
    ],
)
def test_bad_settings_are_refused_and_nothing_saved(world, fields, field):
    with pytest.raises(ValidationError) as error:
        policy_create_version(
            actor=world.users["deputy"], school=world.school, valid_from=timezone.localdate(), **fields
        )
    assert field in error.value.message_dict
    assert not m.GradingPolicy.objects.exists()


def test_only_the_deputy_or_administrator_changes_the_policy(world):
    for persona in ("teacher", "director", "foreign_admin"):
        with pytest.raises(PermissionDenied):
            policy_create_version(actor=world.users[persona], school=world.school, valid_from=timezone.localdate())


def test_a_later_version_does_not_change_the_suggestion_of_an_earlier_period(world):
    default_policy_and_work_types(world.school)
    period = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=YEAR_START, end=datetime.date(2026, 10, 25)
    )
    for day, (value, weight) in enumerate([("5", "1"), ("3", "3")]):
        lesson = m.Lesson.objects.create(
            course=world.math_5a, date=YEAR_START + datetime.timedelta(days=day), slot=1, status="held"
        )
        m.Mark.objects.create(
            lesson=lesson, student=world.child, value=value, weight=Decimal(weight), author=world.users["teacher"]
        )
    policy_create_version(
        actor=world.users["deputy"],
        school=world.school,
        valid_from=timezone.localdate(),
        threshold_5="4.80",
        threshold_4="4.00",
        threshold_3="3.60",
    )
    assert policy_for(world.school, timezone.localdate()).threshold_3 == Decimal("3.60")
    row = next(r for r in period_summary(world.math_5a, period) if r.student == world.child)
    assert (row.average, row.suggested) == (Decimal("3.50"), "3")


def test_work_types_need_a_positive_weight_and_a_unique_name(world):
    deputy = world.users["deputy"]
    essay = work_type_create(actor=deputy, school=world.school, name="Сочинение", weight="2.5", lesson_kind="essay")
    for weight in ("0", "-1", "11", "1.25"):
        with pytest.raises(ValidationError) as error:
            work_type_update(actor=deputy, work_type=essay, weight=weight)
        assert "weight" in error.value.message_dict
    with pytest.raises(ValidationError):
        work_type_create(actor=deputy, school=world.school, name="сочинение", weight=1)
    work_type_update(actor=deputy, work_type=essay, weight=3, is_active=False)
    essay.refresh_from_db()
    assert (essay.weight, essay.is_active) == (Decimal("3"), False)
    with pytest.raises(PermissionDenied):
        work_type_update(actor=world.users["teacher"], work_type=essay, weight=1)
