"""The curriculum: its services, its screen for the deputy, and the check against the timetable.

Messages are checked in English (the msgids, ``Accept-Language: en``) so the
tests do not depend on the compiled Russian catalogue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from journal import models as m
from journal.models.structure import Assessment
from journal.selectors.timetable import curriculum_check
from journal.services.curriculum import curriculum_item_create, curriculum_item_delete, curriculum_item_update
from journal.services.timetable import timetable_entry_create, timetable_entry_end
from tests.conftest import World
from tests.factories import AcademicYearFactory, SubjectFactory

ON = datetime.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def english_users(world: World) -> None:
    """Every persona chose English (the msgids) for the interface."""
    User.objects.update(language="en")


def _subject(world: World, name: str) -> m.Subject:
    return SubjectFactory(school=world.school, name=name)


def _math(world: World) -> m.Subject:
    return world.math_5a.subject


def _line(world: World, grade: int, subject: m.Subject, hours: str) -> m.CurriculumItem:
    return curriculum_item_create(
        actor=None, year=world.year, grade=grade, subject=subject, hours_per_week=Decimal(hours)
    )


# --- Services --------------------------------------------------------------------------


def test_a_line_is_added_with_its_hours_and_assessment(world: World) -> None:
    item = curriculum_item_create(
        actor=world.users["deputy"],
        year=world.year,
        grade=5,
        subject=_math(world),
        hours_per_week=Decimal("5"),
        assessment=Assessment.MARKS,
    )

    assert (item.grade, item.subject, item.hours_per_week, item.assessment) == (5, _math(world), Decimal(5), "marks")


def test_the_same_subject_twice_in_a_grade_is_refused_naming_it(world: World) -> None:
    _line(world, 5, _math(world), "5")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _line(world, 5, _math(world), "4")

    assert "Математика" in error.value.message_dict["subject"][0]
    assert m.CurriculumItem.objects.count() == 1


@pytest.mark.parametrize("hours", ["0", "-1", "41", "1.3"])
def test_hours_outside_the_range_or_not_halves_are_refused(world: World, hours: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _line(world, 5, _math(world), hours)

    assert hours in error.value.message_dict["hours_per_week"][0]
    assert not m.CurriculumItem.objects.exists()


def test_half_an_hour_a_week_is_accepted(world: World) -> None:
    assert _line(world, 9, _subject(world, "Музыка"), "0.5").hours_per_week == Decimal("0.5")


def test_grade_outside_1_to_11_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _line(world, 12, _math(world), "5")

    assert "grade" in error.value.message_dict


def test_a_subject_of_another_school_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _line(world, 5, world.foreign_course.subject, "5")

    assert "subject" in error.value.message_dict
    assert not m.CurriculumItem.objects.exists()


def test_an_archived_years_curriculum_is_read_only(world: World) -> None:
    item = _line(world, 5, _math(world), "5")
    world.year.is_archived = True
    world.year.save(update_fields=["is_archived"])
    item.refresh_from_db()

    with pytest.raises(ValidationError):
        curriculum_item_update(
            actor=None, item=item, subject=_math(world), hours_per_week=Decimal(4), assessment="marks"
        )
    with pytest.raises(ValidationError):
        curriculum_item_delete(actor=None, item=item)

    item.refresh_from_db()
    assert item.hours_per_week == Decimal(5)


def test_changing_a_line_to_a_subject_already_there_is_refused(world: World) -> None:
    _line(world, 5, _math(world), "5")
    history = _line(world, 5, _subject(world, "История"), "2")

    with pytest.raises(ValidationError):
        curriculum_item_update(
            actor=None, item=history, subject=_math(world), hours_per_week=Decimal(2), assessment="marks"
        )

    history.refresh_from_db()
    assert history.subject.name == "История"


# --- The screen -------------------------------------------------------------------------


def test_deputy_sees_the_curriculum_by_grade(world: World, client_for: Callable[[str], Client]) -> None:
    _line(world, 5, _math(world), "5")
    _line(world, 6, _subject(world, "Русский язык"), "6")

    response = client_for("deputy").get(reverse("journal:curriculum"), {"grade": 5})

    html = response.content.decode()
    assert [str(item.subject) for item in response.context["items"]] == ["Математика"]
    assert 'data-testid="curriculum-grade-5"' in html
    assert 'data-testid="curriculum-grade-6"' not in html
    assert reverse("journal:curriculum_add") in html  # the add form is there for the deputy


def test_director_reads_the_curriculum_without_edit_links(world: World, client_for: Callable[[str], Client]) -> None:
    item = _line(world, 5, _math(world), "5")

    response = client_for("director").get(reverse("journal:curriculum"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Математика" in html
    assert reverse("journal:curriculum_edit", args=[item.pk]) not in html
    assert reverse("journal:curriculum_add") not in html


def test_deputy_adds_a_line(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("deputy").post(
        f"{reverse('journal:curriculum_add')}?year={world.year.pk}",
        {"grade": 5, "subject": _math(world).pk, "hours_per_week": "5", "assessment": "marks"},
    )

    assert response.status_code == 302
    item = m.CurriculumItem.objects.get()
    assert (item.year, item.grade, item.subject, item.hours_per_week) == (world.year, 5, _math(world), Decimal(5))


def test_a_duplicate_line_shows_the_message_and_saves_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    _line(world, 5, _math(world), "5")

    response = client_for("deputy").post(
        reverse("journal:curriculum_add"),
        {"grade": 5, "subject": _math(world).pk, "hours_per_week": "3", "assessment": "marks"},
    )

    assert response.status_code == 200
    assert (
        "Grade 5 already has Математика in the curriculum of 2026/2027." in response.context["form"].errors["subject"]
    )
    assert list(m.CurriculumItem.objects.values_list("hours_per_week", flat=True)) == [Decimal(5)]


def test_zero_hours_shows_the_message_on_the_field(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("administrator").post(
        reverse("journal:curriculum_add"),
        {"grade": 5, "subject": _math(world).pk, "hours_per_week": "0", "assessment": "marks"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["hours_per_week"]
    assert 'data-testid="error-hours_per_week"' in response.content.decode()
    assert not m.CurriculumItem.objects.exists()


def test_deputy_changes_and_deletes_a_line(world: World, client_for: Callable[[str], Client]) -> None:
    item = _line(world, 5, _math(world), "5")
    client = client_for("deputy")

    changed = client.post(
        reverse("journal:curriculum_edit", args=[item.pk]),
        {"subject": _math(world).pk, "hours_per_week": "4.5", "assessment": "pass_fail"},
    )
    item.refresh_from_db()
    assert changed.status_code == 302
    assert (item.hours_per_week, item.assessment) == (Decimal("4.5"), "pass_fail")

    assert client.get(reverse("journal:curriculum_delete", args=[item.pk])).status_code == 200
    assert m.CurriculumItem.objects.exists()  # GET only asks
    deleted = client.post(reverse("journal:curriculum_delete", args=[item.pk]))
    assert deleted.status_code == 302
    assert not m.CurriculumItem.objects.exists()


@pytest.mark.parametrize("persona", ["director", "teacher", "parent", "student"])
def test_readers_and_outsiders_cannot_change_the_curriculum(
    world: World, client_for: Callable[[str], Client], persona: str
) -> None:
    item = _line(world, 5, _math(world), "5")
    client = client_for(persona)

    added = client.post(
        reverse("journal:curriculum_add"),
        {"grade": 6, "subject": _math(world).pk, "hours_per_week": "5", "assessment": "marks"},
    )
    edited = client.post(
        reverse("journal:curriculum_edit", args=[item.pk]),
        {"subject": _math(world).pk, "hours_per_week": "1", "assessment": "marks"},
    )
    deleted = client.post(reverse("journal:curriculum_delete", args=[item.pk]))

    assert (added.status_code, edited.status_code, deleted.status_code) == (403, 403, 403)
    assert list(m.CurriculumItem.objects.values_list("grade", "hours_per_week")) == [(5, Decimal(5))]


def test_another_schools_line_is_not_found(world: World, client_for: Callable[[str], Client]) -> None:
    foreign_year = m.AcademicYear.objects.get(school=world.foreign_school)
    item = curriculum_item_create(
        actor=None, year=foreign_year, grade=5, subject=world.foreign_course.subject, hours_per_week=Decimal(5)
    )

    assert client_for("deputy").get(reverse("journal:curriculum_edit", args=[item.pk])).status_code == 404
    assert client_for("deputy").post(reverse("journal:curriculum_delete", args=[item.pk])).status_code == 404
    assert client_for("deputy").get(reverse("journal:curriculum"), {"year": foreign_year.pk}).status_code == 404
    assert m.CurriculumItem.objects.filter(pk=item.pk).exists()


def test_the_year_can_be_chosen(world: World, client_for: Callable[[str], Client]) -> None:
    last_year = AcademicYearFactory(
        school=world.school,
        name="2025/2026",
        start=datetime.date(2025, 9, 1),
        end=datetime.date(2026, 5, 31),
        is_current=False,
        is_archived=True,
    )
    m.CurriculumItem.objects.create(
        year=last_year, grade=5, subject=_subject(world, "Природоведение"), hours_per_week=2
    )

    response = client_for("deputy").get(reverse("journal:curriculum"), {"year": last_year.pk})

    assert "Природоведение" in response.content.decode()
    assert response.context["can_edit"] is False  # an archived year is read-only


# --- The check against the timetable ------------------------------------------------------


@pytest.fixture
def planned(world: World, bells: m.BellSchedule) -> World:
    """5А: mathematics 5 h in the curriculum, 4 in the timetable; English split 2 h, subgroups 2 and 1."""
    _line(world, 5, _math(world), "5")
    english = _subject(world, "Английский язык")
    _line(world, 5, english, "2")
    _line(world, 6, _subject(world, "Русский язык"), "6")
    for weekday in range(1, 5):
        timetable_entry_create(actor=None, course=world.math_5a, weekday=weekday, slot=1)
    for name, members, slots in (("1 группа", [world.child], (2, 3)), ("2 группа", [world.other_child], (2,))):
        subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name=name)
        subgroup.members.set(members)
        course = m.Course.objects.create(class_group=world.class_5a, subject=english, subgroup=subgroup)
        for slot in slots:
            timetable_entry_create(actor=None, course=course, weekday=1, slot=slot)
    for weekday in range(1, 6):
        timetable_entry_create(actor=None, course=world.russian_6b, weekday=weekday, slot=2)
    return world


def _by_class(world: World, day: datetime.date = ON) -> dict[str, list[tuple[str, str, Decimal | None, int]]]:
    return {
        str(row.class_group): [(m_.subject.name, m_.subgroup, m_.curriculum, m_.timetable) for m_ in row.mismatches]
        for row in curriculum_check(world.year, day)
    }


def test_check_names_each_subject_and_subgroup_whose_hours_differ(planned: World) -> None:
    result = _by_class(planned)

    assert result["5А"] == [
        ("Английский язык", "2 группа", Decimal(2), 1),
        ("Математика", "", Decimal(5), 4),
    ]
    assert result["6Б"] == [("Русский язык", "", Decimal(6), 5)]


def test_check_reports_a_course_outside_the_curriculum_and_a_subject_with_no_course(planned: World) -> None:
    history = m.Course.objects.create(class_group=planned.class_6b, subject=_subject(planned, "История"))
    timetable_entry_create(actor=None, course=history, weekday=1, slot=3)
    _line(planned, 6, _subject(planned, "Литература"), "3")

    result = _by_class(planned)["6Б"]

    assert ("История", "", None, 1) in result
    assert ("Литература", "", Decimal(3), 0) in result


def test_check_counts_only_entries_valid_on_the_date(planned: World) -> None:
    entry = m.TimetableEntry.objects.filter(course=planned.math_5a).first()
    timetable_entry_end(actor=None, entry=entry, last_day=datetime.date(2026, 12, 31))

    assert ("Математика", "", Decimal(5), 4) in _by_class(planned, ON)["5А"]
    assert ("Математика", "", Decimal(5), 3) in _by_class(planned, datetime.date(2027, 1, 11))["5А"]


def test_check_page_shows_the_numbers(planned: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("director").get(reverse("journal:curriculum_check"), {"on": ON.isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 группа" in html
    assert f'data-testid="check-class-{planned.class_5a.pk}"' in html
    assert "timetable 6 h, curriculum 7 h a week" in html  # 5А: 4 mathematics + 2 English (the longer subgroup)


def test_check_page_says_when_everything_matches(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("deputy").get(reverse("journal:curriculum_check"), {"on": ON.isoformat()})

    assert 'data-testid="check-ok"' in response.content.decode()
