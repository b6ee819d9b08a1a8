"""One-off lesson changes: cancel, restore, move, change room, add an extra lesson.

Each is the deputy's (or the administrator's), needs a reason, refuses a
clash naming it, and leaves a LessonChange with who, why, before and after.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from journal import models as m
from journal.access import get_lesson_for_user
from journal.services.lessons import (
    lesson_add_extra,
    lesson_cancel,
    lesson_change_room,
    lesson_move,
    lesson_restore,
)
from journal.services.marks import attendance_clear, attendance_set, mark_delete, mark_set
from journal.services.structure import teaching_assignment_create
from journal.services.substitutions import substitution_assign
from journal.services.timetable import lessons_generate, timetable_entry_create
from tests.conftest import World
from tests.factories import YEAR_START, SubjectFactory

MONDAY = datetime.date(2026, 10, 5)
TUESDAY = MONDAY + datetime.timedelta(days=1)
SATURDAY = MONDAY + datetime.timedelta(days=5)

pytestmark = pytest.mark.usefixtures("bells")


@pytest.fixture(autouse=True)
def english(settings) -> Iterator[None]:
    """Messages are compared with their English msgids here, whatever catalogs are compiled;
    their Russian is checked in the ``*_ru`` module beside this one."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_lesson(course: m.Course, day: datetime.date, slot: int, **fields: object) -> m.Lesson:
    teacher = course.assignments.order_by("date_from").first()
    fields.setdefault("teacher", teacher.teacher if teacher else None)
    return m.Lesson.objects.create(course=course, date=day, slot=slot, **fields)


@pytest.fixture
def room(world: World) -> m.Room:
    return m.Room.objects.create(school=world.school, name="101")


@pytest.fixture
def lesson(world: World, room: m.Room) -> m.Lesson:
    """5А mathematics, Monday 5 October, lesson 2, room 101, taught by ``teacher``."""
    return make_lesson(world.math_5a, MONDAY, 2, room=room)


@pytest.fixture
def russian_5a(world: World) -> m.Course:
    """5А Russian, taught by ``other_teacher`` (who also teaches 6Б Russian)."""
    course = m.Course.objects.create(class_group=world.class_5a, subject=world.russian_6b.subject)
    teaching_assignment_create(actor=None, course=course, teacher=world.users["other_teacher"], date_from=YEAR_START)
    return course


def deputy(world: World):
    return world.users["deputy"]


# --- cancel and restore -----------------------------------------------------------------------


def test_deputy_cancels_a_lesson_and_the_change_records_who_and_why(world: World, lesson: m.Lesson) -> None:
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.CANCELLED
    change = m.LessonChange.objects.get(lesson=lesson)
    assert (change.kind, change.reason, change.author) == (m.LessonChangeKind.CANCEL, "Карантин", deputy(world))
    assert change.before == str(m.LessonStatus.PLANNED.label)
    assert change.after == str(m.LessonStatus.CANCELLED.label)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused_and_nothing_changes(world: World, lesson: m.Lesson, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        lesson_cancel(actor=deputy(world), lesson=lesson, reason=reason)

    assert "reason" in refused.value.message_dict
    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.PLANNED
    assert not m.LessonChange.objects.exists()


@pytest.mark.parametrize("persona", ["teacher", "class_teacher", "director"])
def test_only_the_deputy_or_administrator_changes_lessons(world: World, lesson: m.Lesson, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        lesson_cancel(actor=world.users[persona], lesson=lesson, reason="Болезнь")

    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.PLANNED


def test_administrator_may_change_lessons(world: World, lesson: m.Lesson) -> None:
    lesson_cancel(actor=world.users["administrator"], lesson=lesson, reason="Ремонт")

    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.CANCELLED


def test_a_held_lesson_cannot_be_cancelled(world: World, lesson: m.Lesson) -> None:
    lesson.status = m.LessonStatus.HELD
    lesson.topic = "Дроби"
    lesson.save()

    with pytest.raises(ValidationError, match="was held"):
        lesson_cancel(actor=deputy(world), lesson=lesson, reason="Ошибка")

    lesson.refresh_from_db()
    assert (lesson.status, lesson.topic) == (m.LessonStatus.HELD, "Дроби")
    assert not m.LessonChange.objects.exists()


def test_cancelling_a_planned_lesson_releases_its_topic_and_keeps_it_in_the_change(
    world: World, lesson: m.Lesson
) -> None:
    lesson.topic = "Дроби"
    lesson.save()

    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Экскурсия")

    lesson.refresh_from_db()
    assert lesson.topic == ""
    assert "Дроби" in m.LessonChange.objects.get(lesson=lesson).before


def test_a_lesson_with_marks_or_attendance_is_neither_cancelled_nor_moved(world: World, lesson: m.Lesson) -> None:
    teacher = world.users["teacher"]
    mark_set(actor=teacher, lesson=lesson, student=world.child, value="5")
    mark_set(actor=teacher, lesson=lesson, student=world.other_child, value="4")
    attendance_set(actor=teacher, lesson=lesson, student=world.child, status="late")

    with pytest.raises(ValidationError) as refused:
        lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")
    assert "2 marks and 1 attendance entry" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="2 marks and 1 attendance entry"):
        lesson_move(
            actor=deputy(world), lesson=lesson, date=MONDAY + datetime.timedelta(days=1), slot=3, reason="Олимпиада"
        )

    lesson.refresh_from_db()
    assert (lesson.status, lesson.date, lesson.slot) == (m.LessonStatus.PLANNED, MONDAY, 2)
    assert not m.LessonChange.objects.exists()
    # Once the teacher removed what was recorded, the lesson can be cancelled; nothing can be entered on it then.
    for mark in m.Mark.objects.filter(lesson=lesson):
        mark_delete(actor=teacher, mark=mark, expected_version=mark.version)
    absence = m.Attendance.objects.get(lesson=lesson)
    attendance_clear(actor=teacher, attendance=absence, expected_version=absence.version)
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")
    with pytest.raises(ValidationError, match="cancelled"):
        mark_set(actor=teacher, lesson=lesson, student=world.child, value="5")


def test_cancelling_twice_is_refused(world: World, lesson: m.Lesson) -> None:
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    with pytest.raises(ValidationError, match="already cancelled"):
        lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    assert m.LessonChange.objects.count() == 1


def test_cancelling_a_substituted_lesson_removes_the_substitution_and_the_access(
    world: World, lesson: m.Lesson
) -> None:
    substitute = world.users["other_teacher"]
    substitution_assign(actor=deputy(world), lesson=lesson, substitute=substitute, reason="Болезнь")

    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    lesson.refresh_from_db()
    assert not m.Substitution.objects.exists()
    assert lesson.teacher == world.users["teacher"]
    assert "Петров" in m.LessonChange.objects.get(lesson=lesson).before
    with pytest.raises(Http404):
        get_lesson_for_user(substitute, world.school, lesson.pk, write=True)


def test_restore_brings_a_cancelled_lesson_back(world: World, lesson: m.Lesson) -> None:
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    lesson_restore(actor=deputy(world), lesson=lesson, reason="Карантин отменён")

    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.PLANNED
    kinds = list(m.LessonChange.objects.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds == [m.LessonChangeKind.CANCEL, m.LessonChangeKind.RESTORE]


def test_restore_is_refused_when_the_slot_was_given_to_another_lesson(
    world: World, lesson: m.Lesson, russian_5a: m.Course
) -> None:
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")
    lesson_add_extra(actor=deputy(world), course=russian_5a, date=MONDAY, slot=2, room=None, reason="Отработка")

    with pytest.raises(ValidationError, match="Class 5А already has a lesson then: 5А · Русский язык"):
        lesson_restore(actor=deputy(world), lesson=lesson, reason="Передумали")

    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.CANCELLED


def test_restore_of_a_lesson_that_is_not_cancelled_is_refused(world: World, lesson: m.Lesson) -> None:
    with pytest.raises(ValidationError, match="not cancelled"):
        lesson_restore(actor=deputy(world), lesson=lesson, reason="?")


# --- move --------------------------------------------------------------------------------------


def test_move_to_another_day_and_lesson_number_is_recorded(world: World, lesson: m.Lesson) -> None:
    lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=4, reason="Олимпиада")

    lesson.refresh_from_db()
    assert (lesson.date, lesson.slot) == (TUESDAY, 4)
    change = m.LessonChange.objects.get(lesson=lesson)
    assert change.kind == m.LessonChangeKind.MOVE
    assert "05.10.2026" in change.before and "2" in change.before
    assert "06.10.2026" in change.after and "4" in change.after


@pytest.mark.parametrize(
    ("day", "slot", "field"),
    [
        (SATURDAY, 2, "date"),  # a five-day school
        (datetime.date(2026, 8, 31), 2, "date"),  # before the year
        (TUESDAY, 9, "slot"),  # bells have lessons 1–7
    ],
)
def test_move_refuses_a_day_off_or_a_slot_outside_the_bells(
    world: World, lesson: m.Lesson, day: datetime.date, slot: int, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        lesson_move(actor=deputy(world), lesson=lesson, date=day, slot=slot, reason="Перенос")

    assert field in refused.value.message_dict
    lesson.refresh_from_db()
    assert (lesson.date, lesson.slot) == (MONDAY, 2)
    assert not m.LessonChange.objects.exists()


def test_move_refuses_a_holiday(world: World, lesson: m.Lesson) -> None:
    m.Holiday.objects.create(year=world.year, name="Осенние каникулы", start=TUESDAY, end=TUESDAY)

    with pytest.raises(ValidationError, match="06.10.2026 is not a teaching day"):
        lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=2, reason="Перенос")


def test_move_refuses_a_day_after_the_last_study_period(world: World, lesson: m.Lesson) -> None:
    m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.YEAR, number=1, start=YEAR_START, end=datetime.date(2027, 5, 25)
    )

    with pytest.raises(ValidationError, match="27.05.2027 is not a teaching day"):
        lesson_move(actor=deputy(world), lesson=lesson, date=datetime.date(2027, 5, 27), slot=2, reason="Перенос")


def test_move_refuses_a_class_clash_and_names_the_lesson(world: World, lesson: m.Lesson, russian_5a: m.Course) -> None:
    make_lesson(russian_5a, TUESDAY, 3)

    with pytest.raises(ValidationError) as refused:
        lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=3, reason="Перенос")

    assert refused.value.messages == ["Class 5А already has a lesson then: 5А · Русский язык, 06.10.2026, lesson 3."]
    lesson.refresh_from_db()
    assert lesson.date == MONDAY


def test_move_refuses_a_teacher_clash_in_another_class(world: World, lesson: m.Lesson) -> None:
    course_6b = m.Course.objects.create(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=course_6b, teacher=world.users["teacher"], date_from=YEAR_START)
    make_lesson(course_6b, TUESDAY, 5)

    with pytest.raises(ValidationError, match="Teacher Иванова .+ already has a lesson then: 6Б · Математика"):
        lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=5, reason="Перенос")


def test_move_refuses_a_room_clash(world: World, lesson: m.Lesson, room: m.Room) -> None:
    make_lesson(world.russian_6b, TUESDAY, 1, room=room)

    with pytest.raises(ValidationError, match="Room 101 is taken then: 6Б · Русский язык, 06.10.2026, lesson 1"):
        lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=1, reason="Перенос")


def test_a_cancelled_lesson_in_the_target_slot_does_not_block_other_courses(
    world: World, lesson: m.Lesson, russian_5a: m.Course
) -> None:
    other = make_lesson(russian_5a, TUESDAY, 3)
    lesson_cancel(actor=deputy(world), lesson=other, reason="Болезнь")

    lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=3, reason="Замена урока")

    lesson.refresh_from_db()
    assert (lesson.date, lesson.slot) == (TUESDAY, 3)


def test_two_subgroups_of_one_class_may_share_a_slot(world: World) -> None:
    english = SubjectFactory(school=world.school, name="Английский язык")
    groups = [
        m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name=f"{n} группа") for n in (1, 2)
    ]
    groups[0].members.add(world.child)
    groups[1].members.add(world.other_child)
    first, second = (m.Course.objects.create(class_group=world.class_5a, subject=english, subgroup=g) for g in groups)
    make_lesson(first, TUESDAY, 2)
    moving = make_lesson(second, MONDAY, 6)

    lesson_move(actor=deputy(world), lesson=moving, date=TUESDAY, slot=2, reason="Совмещение")

    moving.refresh_from_db()
    assert (moving.date, moving.slot) == (TUESDAY, 2)


def test_a_held_lesson_cannot_be_moved(world: World, lesson: m.Lesson) -> None:
    lesson.status = m.LessonStatus.HELD
    lesson.save()

    with pytest.raises(ValidationError, match="was held"):
        lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=2, reason="Перенос")


def test_a_moved_lesson_survives_regenerating_the_lessons(world: World, room: m.Room) -> None:
    timetable_entry_create(actor=None, course=world.math_5a, weekday=1, slot=2, room=room)
    lessons_generate(actor=None, year=world.year, start=MONDAY, end=MONDAY)
    lesson = m.Lesson.objects.get(course=world.math_5a, date=MONDAY)

    lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=6, reason="Перенос")
    lessons_generate(actor=None, year=world.year, start=MONDAY, end=TUESDAY)

    lesson.refresh_from_db()
    assert (lesson.date, lesson.slot) == (TUESDAY, 6)
    assert (lesson.origin_date, lesson.origin_slot) == (MONDAY, 2)
    # No new lesson where the timetable had put it.
    assert list(m.Lesson.objects.filter(course=world.math_5a).values_list("date", "slot")) == [(TUESDAY, 6)]


def test_a_lesson_moved_twice_remembers_the_first_place_and_forgets_it_when_moved_back(
    world: World, room: m.Room
) -> None:
    timetable_entry_create(actor=None, course=world.math_5a, weekday=1, slot=2, room=room)
    lessons_generate(actor=None, year=world.year, start=MONDAY, end=MONDAY)
    lesson = m.Lesson.objects.get(course=world.math_5a, date=MONDAY)

    lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=6, reason="Перенос")
    lesson_move(actor=deputy(world), lesson=lesson, date=TUESDAY, slot=5, reason="Ещё раз")
    lesson.refresh_from_db()
    assert (lesson.origin_date, lesson.origin_slot) == (MONDAY, 2)

    lesson_move(actor=deputy(world), lesson=lesson, date=MONDAY, slot=2, reason="Вернули")
    lessons_generate(actor=None, year=world.year, start=MONDAY, end=TUESDAY)
    lesson.refresh_from_db()
    assert (lesson.origin_date, lesson.origin_slot) == (None, None)
    assert list(m.Lesson.objects.filter(course=world.math_5a).values_list("pk", "date", "slot")) == [
        (lesson.pk, MONDAY, 2)
    ]


# --- room and extra lessons -------------------------------------------------------------------


def test_change_room_records_the_old_and_new_room(world: World, lesson: m.Lesson) -> None:
    gym = m.Room.objects.create(school=world.school, name="Спортзал")

    lesson_change_room(actor=deputy(world), lesson=lesson, room=gym, reason="Ремонт 101")

    lesson.refresh_from_db()
    assert lesson.room == gym
    change = m.LessonChange.objects.get(lesson=lesson)
    assert (change.kind, "101" in change.before, "Спортзал" in change.after) == (m.LessonChangeKind.ROOM, True, True)


def test_change_room_refuses_a_taken_room_and_a_room_of_another_school(world: World, lesson: m.Lesson) -> None:
    busy = m.Room.objects.create(school=world.school, name="202")
    make_lesson(world.russian_6b, MONDAY, 2, room=busy)
    foreign = m.Room.objects.create(school=world.foreign_school, name="303")

    with pytest.raises(ValidationError, match="Room 202 is taken then"):
        lesson_change_room(actor=deputy(world), lesson=lesson, room=busy, reason="Ремонт")
    with pytest.raises(ValidationError, match="another school"):
        lesson_change_room(actor=deputy(world), lesson=lesson, room=foreign, reason="Ремонт")

    lesson.refresh_from_db()
    assert lesson.room.name == "101"
    assert not m.LessonChange.objects.exists()


def test_extra_lesson_is_marked_extra_taught_by_the_course_teacher_and_recorded(world: World, room: m.Room) -> None:
    extra = lesson_add_extra(
        actor=deputy(world), course=world.math_5a, date=TUESDAY, slot=7, room=room, reason="Подготовка к ВПР"
    )

    assert extra.is_extra and extra.status == m.LessonStatus.PLANNED
    assert extra.teacher == world.users["teacher"]
    change = m.LessonChange.objects.get(lesson=extra)
    assert (change.kind, change.reason, change.before) == (m.LessonChangeKind.EXTRA, "Подготовка к ВПР", "")
    assert "06.10.2026" in change.after


def test_extra_lesson_refuses_a_clash_of_the_teacher(world: World, lesson: m.Lesson) -> None:
    course_6b = m.Course.objects.create(class_group=world.class_6b, subject=world.math_5a.subject)
    teaching_assignment_create(actor=None, course=course_6b, teacher=world.users["teacher"], date_from=YEAR_START)

    with pytest.raises(ValidationError, match="Teacher Иванова .+ already has a lesson then: 5А · Математика"):
        lesson_add_extra(actor=deputy(world), course=course_6b, date=MONDAY, slot=2, room=None, reason="Доп.")

    assert not m.Lesson.objects.filter(course=course_6b).exists()


def test_extra_lesson_in_the_slot_of_a_cancelled_lesson_of_the_same_course_is_refused(
    world: World, lesson: m.Lesson
) -> None:
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин")

    with pytest.raises(ValidationError, match="already exists \\(cancelled\\): restore it instead"):
        lesson_add_extra(actor=deputy(world), course=world.math_5a, date=MONDAY, slot=2, room=None, reason="Доп.")


# --- the changes page -----------------------------------------------------------------------


def changes_url(world: World, start: datetime.date = MONDAY) -> str:
    return f"{reverse('journal:changes_class', args=[world.class_5a.pk])}?start={start.isoformat()}"


def test_changes_page_lists_the_weeks_lessons_by_day_and_the_recorded_changes(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    make_lesson(world.math_5a, TUESDAY, 1)
    lesson_cancel(actor=deputy(world), lesson=lesson, reason="Карантин в классе")

    response = client_for("deputy").get(changes_url(world))

    assert response.status_code == 200
    page = response.content.decode()
    assert "05.10.2026" in page and "06.10.2026" in page
    assert "Карантин в классе" in page
    assert "Воскобойникова" in page  # who
    assert reverse("journal:change_restore", args=[lesson.pk]) in page
    assert reverse("journal:change_extra", args=[world.class_5a.pk]) in page


def test_each_lessons_room_and_number_are_preselected_and_room_names_are_escaped(
    world: World, lesson: m.Lesson, room: m.Room, client_for: Callable[[str], Client]
) -> None:
    odd = m.Room.objects.create(school=world.school, name="<b>Зал</b>")
    roomless = make_lesson(world.math_5a, TUESDAY, 3, room=None)

    page = client_for("deputy").get(changes_url(world)).content.decode()

    def select(html_id: str) -> str:
        start = page.index(f'id="{html_id}"')
        return page[start : page.index("</select>", start)]

    with_room = select(f"room-{lesson.pk}")
    assert f'<option value="{room.pk}" selected>101</option>' in with_room
    assert f'<option value="{odd.pk}">&lt;b&gt;Зал&lt;/b&gt;</option>' in with_room
    assert "<b>" not in page
    assert '<option value="" selected>' in select(f"room-{roomless.pk}")
    assert f'<option value="{lesson.slot}" selected>lesson {lesson.slot}</option>' in select(f"move-slot-{lesson.pk}")
    assert '<option value="3" selected>lesson 3</option>' in select(f"move-slot-{roomless.pk}")


def test_teacher_reads_the_changes_page_without_the_forms(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    response = client_for("teacher").get(changes_url(world))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Математика" in page
    assert reverse("journal:change_cancel", args=[lesson.pk]) not in page
    assert reverse("journal:change_extra", args=[world.class_5a.pk]) not in page


def test_deputy_cancels_through_the_page_and_returns_to_the_same_dates(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    response = client_for("deputy").post(
        reverse("journal:change_cancel", args=[lesson.pk]),
        {"reason": "Карантин", "start": "2026-10-05", "end": "2026-10-11"},
    )

    assert response.status_code == 302
    assert (
        response.url == f"{reverse('journal:changes_class', args=[world.class_5a.pk])}?start=2026-10-05&end=2026-10-11"
    )
    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.CANCELLED


def test_a_clash_through_the_page_is_shown_as_a_message_and_nothing_moves(
    world: World, lesson: m.Lesson, russian_5a: m.Course, client_for: Callable[[str], Client]
) -> None:
    make_lesson(russian_5a, TUESDAY, 3)
    client = client_for("deputy")

    response = client.post(
        reverse("journal:change_move", args=[lesson.pk]), {"date": "2026-10-06", "slot": "3", "reason": "Перенос"}
    )
    page = client.get(response.url).content.decode()

    assert "Class 5А already has a lesson then: 5А · Русский язык, 06.10.2026, lesson 3." in page
    lesson.refresh_from_db()
    assert lesson.date == MONDAY


def test_a_missing_reason_through_the_page_is_shown_and_nothing_changes(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    client = client_for("administrator")

    response = client.post(reverse("journal:change_cancel", args=[lesson.pk]), {"reason": ""})
    page = client.get(response.url).content.decode()

    assert "Give the reason for the change." in page
    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.PLANNED


def test_deputy_adds_an_extra_lesson_and_changes_a_room_through_the_page(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    gym = m.Room.objects.create(school=world.school, name="Спортзал")
    client = client_for("deputy")

    client.post(
        reverse("journal:change_extra", args=[world.class_5a.pk]),
        {"course": world.math_5a.pk, "date": "2026-10-07", "slot": "6", "room": gym.pk, "reason": "ВПР"},
    )
    client.post(reverse("journal:change_room", args=[lesson.pk]), {"room": gym.pk, "reason": "Ремонт"})

    extra = m.Lesson.objects.get(course=world.math_5a, is_extra=True)
    assert (extra.date, extra.slot, extra.room) == (datetime.date(2026, 10, 7), 6, gym)
    lesson.refresh_from_db()
    assert lesson.room == gym


def test_teacher_cannot_post_a_change_of_their_own_lesson(
    world: World, lesson: m.Lesson, client_for: Callable[[str], Client]
) -> None:
    response = client_for("teacher").post(reverse("journal:change_cancel", args=[lesson.pk]), {"reason": "Хочу"})

    assert response.status_code == 403
    lesson.refresh_from_db()
    assert lesson.status == m.LessonStatus.PLANNED


def test_extra_lesson_for_a_course_of_another_class_is_refused(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client_for("deputy").post(
        reverse("journal:change_extra", args=[world.class_5a.pk]),
        {"course": world.russian_6b.pk, "date": "2026-10-07", "slot": "6", "reason": "ВПР"},
    )

    assert not m.Lesson.objects.exists()


# --- query budget -------------------------------------------------------------------------------

_serial = count()


def _grow(world: World, n: int) -> None:
    """``n`` more lessons of 5А this week, each with a room, a change and a substitution."""
    for _ in range(n):
        i = next(_serial)
        subject = SubjectFactory(school=world.school, name=f"Предмет {i}")
        course = m.Course.objects.create(class_group=world.class_5a, subject=subject)
        teaching_assignment_create(
            actor=None, course=course, teacher=world.users["class_teacher"], date_from=YEAR_START
        )
        room = m.Room.objects.create(school=world.school, name=f"к{i}")
        lesson = make_lesson(course, MONDAY + datetime.timedelta(days=i % 5), 1 + i % 7, room=room)
        m.LessonChange.objects.create(
            lesson=lesson, kind=m.LessonChangeKind.ROOM, reason="Ремонт", after=room.name, author=deputy(world)
        )
        m.Substitution.objects.create(
            lesson=lesson,
            absent_teacher=world.users["class_teacher"],
            substitute=world.users["other_teacher"],
            reason="Болезнь",
            created_by=deputy(world),
        )


# The four of every page (session, user, school, roles), then:
#   5. the class, with year, class teacher and home room (access layer)
#   6. the lessons of the dates, with course, subject, subgroup, room, teacher and substitution
#   7. the school of the year (teaching days), 8. its holidays
#   9. the bells of the class, 10. their slots
#   11. the rooms of the school (the room forms of the lessons)
#   12. the class's courses, 13. the rooms again (the extra-lesson form's choices)
#   14. the recorded changes, with author and lesson
CHANGES_PAGE_BUDGET = 14


def test_changes_page_query_count_does_not_grow_with_the_lessons(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("deputy")
    _grow(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(changes_url(world)).status_code == 200
    _grow(world, 15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(changes_url(world)).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= CHANGES_PAGE_BUDGET, "\n".join(q["sql"][:150] for q in many.captured_queries)
