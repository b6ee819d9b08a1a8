"""Timetable services on PostgreSQL: clashes, bells, changes from a date, lesson generation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from journal import models as m
from journal.services.structure import enrolment_create, teaching_assignment_create
from journal.services.timetable import (
    lessons_generate,
    timetable_entry_change,
    timetable_entry_create,
    timetable_entry_end,
)
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, StudentFactory, SubjectFactory

MONDAY = 1
SEPT_7 = datetime.date(2026, 9, 7)  # a Monday
AUTUMN_HOLIDAYS = (datetime.date(2026, 10, 26), datetime.date(2026, 11, 3))


def _course(world: World, class_group: m.ClassGroup, subject: str, teacher: str | None) -> m.Course:
    course = m.Course.objects.create(class_group=class_group, subject=SubjectFactory(school=world.school, name=subject))
    if teacher is not None:
        teaching_assignment_create(actor=None, course=course, teacher=world.users[teacher], date_from=YEAR_START)
    return course


def _room(world: World, name: str) -> m.Room:
    return m.Room.objects.get_or_create(school=world.school, name=name)[0]


def _entry(course: m.Course, weekday: int = MONDAY, slot: int = 1, room: m.Room | None = None) -> m.TimetableEntry:
    return timetable_entry_create(actor=None, course=course, weekday=weekday, slot=slot, room=room)


def _refusal(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def _split(world: World, subject_name: str, groups: dict[str, list[m.Student]]) -> list[m.Course]:
    """5А split for ``subject_name`` into subgroups with the given members; one course each."""
    subject = SubjectFactory(school=world.school, name=subject_name)
    courses = []
    for name, members in groups.items():
        subgroup = m.Subgroup.objects.create(class_group=world.class_5a, subject=subject, name=name)
        subgroup.members.set(members)
        courses.append(m.Course.objects.create(class_group=world.class_5a, subject=subject, subgroup=subgroup))
    return courses


# --- Clashes ---------------------------------------------------------------------


def test_teacher_in_two_classes_in_one_slot_is_refused_naming_the_teacher(world: World, bells: m.BellSchedule) -> None:
    _entry(world.math_5a)
    math_6b = _course(world, world.class_6b, "Математика", teacher="teacher")

    with pytest.raises(ValidationError) as error:
        _entry(math_6b)

    assert "Иванова А." in _refusal(error)
    assert not m.TimetableEntry.objects.filter(course=math_6b).exists()


def test_room_taken_by_another_class_is_refused_naming_the_room(world: World, bells: m.BellSchedule) -> None:
    room = _room(world, "204")
    _entry(world.math_5a, room=room)

    with pytest.raises(ValidationError) as error:
        _entry(world.russian_6b, room=room)

    assert "204" in _refusal(error)
    assert m.TimetableEntry.objects.count() == 1


def test_class_with_two_whole_class_courses_in_one_slot_is_refused_naming_the_class(
    world: World, bells: m.BellSchedule
) -> None:
    _entry(world.math_5a)
    history = _course(world, world.class_5a, "История", teacher="other_teacher")

    with pytest.raises(ValidationError) as error:
        _entry(history)

    assert "5А" in _refusal(error)
    assert m.TimetableEntry.objects.count() == 1


def test_subgroups_sharing_a_student_are_refused_in_one_slot(world: World, bells: m.BellSchedule) -> None:
    group_1, group_2 = _split(world, "Английский язык", {"1": [world.child, world.other_child], "2": [world.child]})
    _entry(group_1)

    with pytest.raises(ValidationError) as error:
        _entry(group_2)

    assert "1" in _refusal(error)
    assert list(m.TimetableEntry.objects.values_list("course", flat=True)) == [group_1.pk]


def test_disjoint_subgroups_share_a_slot(world: World, bells: m.BellSchedule) -> None:
    group_1, group_2 = _split(world, "Английский язык", {"1": [world.child], "2": [world.other_child]})

    _entry(group_1, room=_room(world, "301"))
    _entry(group_2, room=_room(world, "302"))

    assert m.TimetableEntry.objects.filter(weekday=MONDAY, slot=1).count() == 2


def test_subgroup_against_a_whole_class_course_is_refused(world: World, bells: m.BellSchedule) -> None:
    (group_1,) = _split(world, "Английский язык", {"1": [world.child]})
    _entry(world.math_5a)

    with pytest.raises(ValidationError):
        _entry(group_1)


def test_entries_on_different_dates_do_not_clash(world: World, bells: m.BellSchedule) -> None:
    first = _entry(world.math_5a)
    timetable_entry_end(actor=None, entry=first, last_day=datetime.date(2026, 12, 31))
    history = _course(world, world.class_5a, "История", teacher="other_teacher")

    later = timetable_entry_create(
        actor=None, course=history, weekday=MONDAY, slot=1, valid_from=datetime.date(2027, 1, 1)
    )

    assert later.valid_from == datetime.date(2027, 1, 1)


# --- Bells and the school week -----------------------------------------------------


def test_slot_outside_the_bell_schedule_is_refused(world: World, bells: m.BellSchedule) -> None:
    with pytest.raises(ValidationError) as error:
        _entry(world.math_5a, slot=8)

    assert "8" in _refusal(error)
    assert "1 смена" in _refusal(error)
    assert not m.TimetableEntry.objects.exists()


def test_saturday_in_a_five_day_school_is_refused(world: World, bells: m.BellSchedule) -> None:
    with pytest.raises(ValidationError) as error:
        _entry(world.math_5a, weekday=6)

    assert "5" in _refusal(error)
    assert not m.TimetableEntry.objects.exists()


def test_saturday_in_a_six_day_school_is_accepted(world: World, bells: m.BellSchedule) -> None:
    world.school.week_days = 6
    world.school.save(update_fields=["week_days"])

    assert _entry(world.math_5a, weekday=6).weekday == 6


def test_school_without_bells_is_told_to_enter_them(world: World) -> None:
    with pytest.raises(ValidationError):
        _entry(world.math_5a)

    assert not m.TimetableEntry.objects.exists()


def test_class_on_the_second_shift_uses_its_own_bells(world: World, bells: m.BellSchedule) -> None:
    second = m.BellSchedule.objects.create(school=world.school, name="2 смена", shift=2)
    m.BellSlot.objects.create(schedule=second, number=9, start=datetime.time(14, 0), end=datetime.time(14, 45))
    world.class_6b.bell_schedule = second
    world.class_6b.save(update_fields=["bell_schedule"])

    assert _entry(world.russian_6b, slot=9).slot == 9
    with pytest.raises(ValidationError):
        _entry(world.russian_6b, slot=1)


# --- Changing from a date keeps the past -----------------------------------------------


def test_changing_the_room_from_a_date_keeps_the_past_weeks(world: World, bells: m.BellSchedule) -> None:
    old_room, new_room = _room(world, "101"), _room(world, "102")
    entry = _entry(world.math_5a, room=old_room)

    new = timetable_entry_change(actor=None, entry=entry, from_date=datetime.date(2026, 10, 5), room=new_room)

    entry.refresh_from_db()
    assert (entry.valid_from, entry.valid_to, entry.room) == (YEAR_START, datetime.date(2026, 10, 4), old_room)
    assert (new.valid_from, new.valid_to, new.room) == (datetime.date(2026, 10, 5), None, new_room)


def test_a_refused_change_leaves_the_entry_as_it_was(world: World, bells: m.BellSchedule) -> None:
    taken = _room(world, "204")
    _entry(world.russian_6b, room=taken)
    entry = _entry(world.math_5a)

    with pytest.raises(ValidationError):
        timetable_entry_change(actor=None, entry=entry, from_date=datetime.date(2026, 10, 5), room=taken)

    entry.refresh_from_db()
    assert entry.valid_to is None
    assert m.TimetableEntry.objects.count() == 2


def test_ending_an_entry_before_it_starts_removes_it(world: World, bells: m.BellSchedule) -> None:
    entry = timetable_entry_create(
        actor=None, course=world.math_5a, weekday=MONDAY, slot=1, valid_from=datetime.date(2026, 10, 5)
    )

    assert timetable_entry_end(actor=None, entry=entry, last_day=datetime.date(2026, 10, 4)) is None
    assert not m.TimetableEntry.objects.exists()


# --- Lessons from the timetable --------------------------------------------------------


@pytest.fixture
def holidays(world: World) -> m.Holiday:
    return m.Holiday.objects.create(
        year=world.year, name="Осенние каникулы", start=AUTUMN_HOLIDAYS[0], end=AUTUMN_HOLIDAYS[1]
    )


def _mondays(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    day = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
    result = []
    while day <= end:
        result.append(day)
        day += datetime.timedelta(days=7)
    return result


def test_lessons_are_generated_on_school_days_only(world: World, bells: m.BellSchedule, holidays: m.Holiday) -> None:
    _entry(world.math_5a, weekday=MONDAY, slot=2, room=_room(world, "101"))

    result = lessons_generate(actor=None, year=world.year)

    dates = list(m.Lesson.objects.filter(course=world.math_5a).order_by("date").values_list("date", flat=True))
    expected = [d for d in _mondays(world.year.start, world.year.end) if not holidays.contains(d)]
    assert dates == expected
    assert result.created == len(expected)
    assert datetime.date(2026, 10, 26) not in dates  # a Monday of the autumn holidays
    assert all(d.isoweekday() == MONDAY for d in dates)
    lesson = m.Lesson.objects.filter(course=world.math_5a).first()
    assert (lesson.slot, lesson.room.name, lesson.teacher) == (2, "101", world.users["teacher"])


def test_regenerating_creates_nothing_new(world: World, bells: m.BellSchedule, holidays: m.Holiday) -> None:
    _entry(world.math_5a)
    _entry(world.russian_6b, weekday=3, slot=4)
    first = lessons_generate(actor=None, year=world.year)
    before = set(m.Lesson.objects.values_list("pk", "course", "date", "slot"))

    second = lessons_generate(actor=None, year=world.year)

    assert (second.created, second.removed, second.kept) == (0, 0, first.created)
    assert set(m.Lesson.objects.values_list("pk", "course", "date", "slot")) == before


def test_ending_an_entry_removes_its_untouched_lessons_but_not_touched_ones(
    world: World, bells: m.BellSchedule
) -> None:
    entry = _entry(world.math_5a)
    lessons_generate(actor=None, year=world.year)
    lessons = m.Lesson.objects.filter(course=world.math_5a)
    with_topic = lessons.get(date=datetime.date(2027, 2, 1))
    with_topic.topic = "Десятичные дроби"
    with_topic.save(update_fields=["topic"])
    held = lessons.get(date=datetime.date(2027, 3, 1))
    held.status = m.LessonStatus.HELD
    held.save(update_fields=["status"])
    cancelled = lessons.get(date=datetime.date(2027, 3, 15))
    cancelled.status = m.LessonStatus.CANCELLED
    cancelled.save(update_fields=["status"])

    timetable_entry_end(actor=None, entry=entry, last_day=datetime.date(2026, 12, 31))
    result = lessons_generate(actor=None, year=world.year)

    after_end = set(lessons.filter(date__gt=datetime.date(2026, 12, 31)).values_list("pk", flat=True))
    assert after_end == {with_topic.pk, held.pk, cancelled.pk}
    with_topic.refresh_from_db()
    assert with_topic.topic == "Десятичные дроби"
    assert result.created == 0
    assert result.removed == len(_mondays(datetime.date(2027, 1, 1), world.year.end)) - 3
    assert lessons.filter(date__lte=datetime.date(2026, 12, 31)).count() == len(
        _mondays(world.year.start, datetime.date(2026, 12, 31))
    )


def test_a_room_change_from_a_date_keeps_the_earlier_lessons_in_the_old_room(
    world: World, bells: m.BellSchedule
) -> None:
    entry = _entry(world.math_5a, room=_room(world, "101"))
    lessons_generate(actor=None, year=world.year)
    timetable_entry_change(actor=None, entry=entry, from_date=datetime.date(2027, 1, 11), room=_room(world, "102"))

    result = lessons_generate(actor=None, year=world.year)

    earlier = m.Lesson.objects.filter(course=world.math_5a, date__lt=datetime.date(2027, 1, 11))
    assert result.created == 0
    assert set(earlier.values_list("room__name", "timetable_entry")) == {("101", entry.pk)}


def test_a_room_change_from_a_date_moves_the_later_untouched_lessons_to_the_new_room(
    world: World, bells: m.BellSchedule
) -> None:
    entry = _entry(world.math_5a, room=_room(world, "101"))
    lessons_generate(actor=None, year=world.year)
    new = timetable_entry_change(
        actor=None, entry=entry, from_date=datetime.date(2027, 1, 11), room=_room(world, "102")
    )

    lessons_generate(actor=None, year=world.year)

    later = m.Lesson.objects.filter(course=world.math_5a, date__gte=datetime.date(2027, 1, 11))
    assert set(later.values_list("room__name", "timetable_entry")) == {("102", new.pk)}


def test_generation_for_one_class_leaves_other_classes_alone(world: World, bells: m.BellSchedule) -> None:
    _entry(world.math_5a)
    _entry(world.russian_6b, slot=2)

    lessons_generate(actor=None, year=world.year, courses=m.Course.objects.filter(class_group=world.class_5a))

    assert m.Lesson.objects.filter(course=world.math_5a).exists()
    assert not m.Lesson.objects.filter(course=world.russian_6b).exists()


def test_subgroup_members_do_not_count_other_classes(world: World, bells: m.BellSchedule) -> None:
    """A student enrolled elsewhere is irrelevant: clashes are per class, subgroup members per class."""
    other = ClassGroupFactory(year=world.year, grade=7, letter="В")
    newcomer = StudentFactory(school=world.school, last_name="Новенький")
    enrolment_create(actor=None, student=newcomer, class_group=other, date_from=YEAR_START)
    (group_1,) = _split(world, "Английский язык", {"1": [world.child]})
    _entry(group_1)

    assert _entry(_course(world, other, "Английский язык", teacher=None)).slot == 1


def test_a_change_from_a_date_outside_the_entry_is_refused_and_nothing_changes(
    world: World, bells: m.BellSchedule
) -> None:
    entry = _entry(world.math_5a)
    timetable_entry_end(actor=None, entry=entry, last_day=datetime.date(2026, 12, 31))

    with pytest.raises(ValidationError, match="10.01.2027"):
        timetable_entry_change(actor=None, entry=entry, from_date=datetime.date(2027, 1, 10), slot=2)
    with pytest.raises(ValidationError):
        timetable_entry_end(actor=None, entry=entry, last_day=datetime.date(2027, 3, 1))

    entry.refresh_from_db()
    assert entry.valid_to == datetime.date(2026, 12, 31)
    assert m.TimetableEntry.objects.filter(course=world.math_5a).count() == 1
