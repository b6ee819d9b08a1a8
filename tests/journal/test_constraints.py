"""Model constraints and validation: a clear error, and nothing saved."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from journal import models as m
from journal.services.structure import (
    enrolment_create,
    enrolment_end,
    parent_link_create,
    parent_link_end,
    student_transfer,
    study_period_create,
    teaching_assignment_create,
)
from tests.factories import YEAR_END, YEAR_START, AcademicYearFactory, StudentFactory, SubjectFactory, UserFactory

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _has_russian_catalog() -> bool:
    return any((Path(p) / "ru" / "LC_MESSAGES" / "django.mo").exists() for p in settings.LOCALE_PATHS)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Study periods ---------------------------------------------------------------


def test_study_period_outside_academic_year_is_rejected_and_not_saved(world):
    with pytest.raises(ValidationError) as excinfo:
        study_period_create(
            year=world.year,
            kind=m.PeriodKind.QUARTER,
            number=1,
            start=YEAR_START - datetime.timedelta(days=7),
            end=datetime.date(2026, 10, 31),
        )

    assert "2026/2027" in _messages(excinfo.value)
    assert not m.StudyPeriod.objects.exists()


def test_study_period_ending_after_academic_year_is_rejected(world):
    with pytest.raises(ValidationError):
        study_period_create(
            year=world.year,
            kind=m.PeriodKind.QUARTER,
            number=4,
            start=datetime.date(2027, 4, 1),
            end=YEAR_END + datetime.timedelta(days=1),
        )

    assert not m.StudyPeriod.objects.exists()


def test_study_period_error_is_in_russian(world):
    if not _has_russian_catalog():
        pytest.skip("locale/ru is not compiled yet")
    with translation.override("ru"), pytest.raises(ValidationError) as excinfo:
        study_period_create(
            year=world.year,
            kind=m.PeriodKind.QUARTER,
            number=1,
            start=YEAR_START - datetime.timedelta(days=7),
            end=datetime.date(2026, 10, 31),
        )

    assert CYRILLIC.search(_messages(excinfo.value))
    assert not m.StudyPeriod.objects.exists()


def test_overlapping_periods_of_the_same_kind_are_rejected(world):
    study_period_create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=1, start=YEAR_START, end=datetime.date(2026, 10, 31)
    )

    with pytest.raises(ValidationError):
        study_period_create(
            year=world.year,
            kind=m.PeriodKind.QUARTER,
            number=2,
            start=datetime.date(2026, 10, 31),
            end=datetime.date(2026, 12, 28),
        )

    assert list(m.StudyPeriod.objects.values_list("number", flat=True)) == [1]


def test_periods_of_different_kinds_may_overlap(world):
    study_period_create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=1, start=YEAR_START, end=datetime.date(2026, 10, 31)
    )
    study_period_create(
        year=world.year, kind=m.PeriodKind.HALF_YEAR, number=1, start=YEAR_START, end=datetime.date(2026, 12, 28)
    )

    assert m.StudyPeriod.objects.count() == 2


def test_period_ending_before_it_starts_is_rejected(world):
    with pytest.raises(ValidationError):
        study_period_create(
            year=world.year,
            kind=m.PeriodKind.QUARTER,
            number=1,
            start=datetime.date(2026, 10, 31),
            end=datetime.date(2026, 10, 1),
        )

    assert not m.StudyPeriod.objects.exists()


# --- Enrolments ------------------------------------------------------------------


def test_second_open_enrolment_of_a_student_is_rejected_and_not_saved(world):
    before = m.Enrolment.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        enrolment_create(
            actor=None, student=world.child, class_group=world.class_6b, date_from=datetime.date(2026, 11, 1)
        )

    assert "5А" in _messages(excinfo.value)
    assert m.Enrolment.objects.count() == before
    assert list(world.child.enrolments.values_list("class_group", flat=True)) == [world.class_5a.pk]


def test_enrolment_overlapping_a_closed_one_is_rejected(world):
    student = StudentFactory(school=world.school)
    first = enrolment_create(actor=None, student=student, class_group=world.class_5a, date_from=YEAR_START)
    enrolment_end(
        actor=None, enrolment=first, date_to=datetime.date(2026, 12, 31), reason=m.people.EnrolmentReason.DEPARTURE
    )

    with pytest.raises(ValidationError):
        enrolment_create(actor=None, student=student, class_group=world.class_6b, date_from=datetime.date(2026, 12, 31))

    assert student.enrolments.count() == 1
    # The next day is free again.
    enrolment_create(actor=None, student=student, class_group=world.class_6b, date_from=datetime.date(2027, 1, 1))
    assert student.enrolments.count() == 2


def test_database_allows_only_one_open_enrolment_per_student(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Enrolment.objects.create(student=world.child, class_group=world.class_6b, date_from=datetime.date(2027, 1, 1))

    assert world.child.enrolments.count() == 1


def test_transfer_keeps_both_enrolments_in_the_history(world):
    on = datetime.date(2027, 1, 11)

    new = student_transfer(actor=None, student=world.child, to_class=world.class_6b, on=on)

    enrolments = list(world.child.enrolments.order_by("date_from"))
    assert [e.class_group for e in enrolments] == [world.class_5a, world.class_6b]
    old = enrolments[0]
    assert old.date_to == on - datetime.timedelta(days=1)
    assert old.reason_out == m.people.EnrolmentReason.TRANSFER
    assert new.date_from == on
    assert new.date_to is None
    assert new.reason_in == m.people.EnrolmentReason.TRANSFER


# --- Classes, curriculum, courses, assignments ----------------------------------


def test_class_name_is_unique_within_a_year(world):
    duplicate = m.ClassGroup(year=world.year, grade=5, letter="А")
    with pytest.raises(ValidationError):
        duplicate.full_clean()

    with pytest.raises(IntegrityError), transaction.atomic():
        m.ClassGroup.objects.create(year=world.year, grade=5, letter="А")

    assert m.ClassGroup.objects.filter(year=world.year, grade=5, letter="А").count() == 1


def test_same_class_name_is_allowed_in_another_year(world):
    next_year = AcademicYearFactory(
        school=world.school,
        name="2027/2028",
        start=datetime.date(2027, 9, 1),
        end=datetime.date(2028, 5, 31),
        is_current=False,
    )
    klass = m.ClassGroup(year=next_year, grade=5, letter="А")
    klass.full_clean()
    klass.save()

    assert m.ClassGroup.objects.filter(grade=5, letter="А", year__school=world.school).count() == 2


@pytest.mark.parametrize("grade", [0, 12])
def test_class_grade_outside_1_to_11_is_rejected(world, grade):
    with pytest.raises(ValidationError):
        m.ClassGroup(year=world.year, grade=grade, letter="Я").full_clean()

    with pytest.raises(IntegrityError), transaction.atomic():
        m.ClassGroup.objects.create(year=world.year, grade=grade, letter="Я")

    assert not m.ClassGroup.objects.filter(letter="Я").exists()


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1")])
def test_curriculum_hours_must_be_positive(world, hours):
    subject = SubjectFactory(school=world.school, name="Музыка")
    item = m.CurriculumItem(year=world.year, grade=5, subject=subject, hours_per_week=hours)

    with pytest.raises(ValidationError):
        item.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()

    assert not m.CurriculumItem.objects.exists()


def test_curriculum_item_with_positive_hours_is_accepted(world):
    subject = SubjectFactory(school=world.school, name="Музыка")
    item = m.CurriculumItem(year=world.year, grade=5, subject=subject, hours_per_week=Decimal("0.5"))
    item.full_clean()
    item.save()

    assert m.CurriculumItem.objects.count() == 1


def test_course_with_a_subgroup_of_another_class_is_rejected(world):
    english = SubjectFactory(school=world.school, name="Английский язык")
    subgroup_6b = m.Subgroup.objects.create(class_group=world.class_6b, subject=english, name="Группа 1")
    course = m.Course(class_group=world.class_5a, subject=english, subgroup=subgroup_6b)

    with pytest.raises(ValidationError):
        course.full_clean()


def test_course_with_a_subgroup_of_another_subject_is_rejected(world):
    english = SubjectFactory(school=world.school, name="Английский язык")
    german = SubjectFactory(school=world.school, name="Немецкий язык")
    subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="Группа 1")

    with pytest.raises(ValidationError):
        m.Course(class_group=world.class_5a, subject=german, subgroup=subgroup).full_clean()


def test_course_with_its_own_class_subgroup_is_accepted(world):
    english = SubjectFactory(school=world.school, name="Английский язык")
    subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="Группа 1")
    course = m.Course(class_group=world.class_5a, subject=english, subgroup=subgroup)
    course.full_clean()
    course.save()

    assert world.class_5a.courses.filter(subgroup=subgroup).exists()


def test_teaching_assignment_ending_before_it_starts_is_rejected(world):
    before = m.TeachingAssignment.objects.count()

    with pytest.raises(ValidationError):
        teaching_assignment_create(
            actor=None,
            course=world.russian_6b,
            teacher=world.user("teacher"),
            date_from=datetime.date(2026, 10, 1),
            date_to=datetime.date(2026, 9, 30),
        )

    assert m.TeachingAssignment.objects.count() == before
    assert not world.user("teacher").has_perm("journal.change_course", world.russian_6b)


def test_database_rejects_an_assignment_ending_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        m.TeachingAssignment.objects.create(
            course=world.russian_6b,
            teacher=world.user("teacher"),
            date_from=datetime.date(2026, 10, 1),
            date_to=datetime.date(2026, 9, 30),
        )


# --- Years and parents -----------------------------------------------------------


def test_school_has_at_most_one_current_year(world):
    second = m.AcademicYear(
        school=world.school,
        name="2027/2028",
        start=datetime.date(2027, 9, 1),
        end=datetime.date(2028, 5, 31),
        is_current=True,
    )
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()

    assert m.AcademicYear.objects.filter(school=world.school, is_current=True).count() == 1


def test_each_school_has_its_own_current_year(world):
    assert m.AcademicYear.objects.filter(is_current=True, school=world.foreign_school).count() == 1
    assert m.AcademicYear.objects.filter(is_current=True, school=world.school).count() == 1


def test_year_ending_before_it_starts_is_rejected(world):
    year = m.AcademicYear(
        school=world.school, name="2030/2031", start=datetime.date(2031, 5, 31), end=datetime.date(2030, 9, 1)
    )
    with pytest.raises(ValidationError):
        year.full_clean()


def test_second_active_link_of_the_same_parent_and_child_is_rejected(world):
    before = m.ParentLink.objects.count()

    with pytest.raises(ValidationError):
        parent_link_create(actor=None, parent=world.user("parent"), student=world.child, relation="mother")

    assert m.ParentLink.objects.count() == before


def test_database_allows_one_active_link_per_parent_and_child(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        m.ParentLink.objects.create(parent=world.user("parent"), student=world.child)


def test_parent_may_be_linked_again_after_the_link_ended(world):
    link = m.ParentLink.objects.get(parent=world.user("parent"), student=world.child)
    parent_link_end(actor=None, link=link)

    again = parent_link_create(actor=None, parent=world.user("parent"), student=world.child, relation="mother")

    assert again.is_active
    assert m.ParentLink.objects.filter(parent=world.user("parent"), student=world.child).count() == 2
    assert m.ParentLink.objects.get(pk=link.pk).ended_at <= timezone.now()


def test_two_parents_of_one_child_are_allowed(world):
    father = UserFactory(username="father")
    parent_link_create(actor=None, parent=father, student=world.child, relation="father")

    assert m.ParentLink.objects.filter(student=world.child, ended_at__isnull=True).count() == 2
