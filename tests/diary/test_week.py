"""The week of a student: their days only, their subgroups only, changes shown, marks and homework."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from diary.models import Event
from diary.selectors.week import student_week
from journal import models as m
from journal.services.homework import homework_file_add, homework_set
from journal.services.lessons import lesson_cancel
from journal.services.structure import enrolment_create
from journal.services.substitutions import substitution_assign
from tests.conftest import World
from tests.diary.conftest import MONDAY, day, lesson, mark
from tests.factories import CourseFactory, StudentFactory, SubjectFactory


def _lessons_by_day(week: object) -> dict[datetime.date, list[int]]:
    return {d.date: [item.pk for item in d.lessons] for d in week.days}  # type: ignore[attr-defined]


def test_student_who_arrived_mid_week_sees_only_their_days(world: World) -> None:
    newcomer = StudentFactory(school=world.school, last_name="Новенький", first_name="Пётр")
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=day(2), reason="arrival")
    lessons = [lesson(world.math_5a, day(i)) for i in range(5)]

    week = student_week(newcomer, day(3))

    assert week.monday == MONDAY
    shown = _lessons_by_day(week)
    assert shown[day(0)] == [] and shown[day(1)] == []
    assert [shown[day(i)] for i in (2, 3, 4)] == [[lessons[2].pk], [lessons[3].pk], [lessons[4].pk]]
    assert [d.enrolled for d in week.days] == [False, False, True, True, True]
    # A classmate enrolled since September sees the whole week.
    assert sum(len(v) for v in _lessons_by_day(student_week(world.child, MONDAY)).values()) == 5


def test_subgroup_lessons_are_shown_to_its_members_only(world: World) -> None:
    english = SubjectFactory(school=world.school, name="Английский язык")
    group_1 = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="1 группа")
    group_2 = m.Subgroup.objects.create(class_group=world.class_5a, subject=english, name="2 группа")
    group_1.members.add(world.child)
    group_2.members.add(world.other_child)
    first = lesson(CourseFactory(class_group=world.class_5a, subject=english, subgroup=group_1), day(1), 3)
    second = lesson(CourseFactory(class_group=world.class_5a, subject=english, subgroup=group_2), day(1), 3)
    whole = lesson(world.math_5a, day(1), 1)

    assert _lessons_by_day(student_week(world.child, MONDAY))[day(1)] == [whole.pk, first.pk]
    assert _lessons_by_day(student_week(world.other_child, MONDAY))[day(1)] == [whole.pk, second.pk]


def test_lessons_of_another_class_are_not_shown(world: World) -> None:
    lesson(world.russian_6b, day(0))
    assert _lessons_by_day(student_week(world.child, MONDAY))[day(0)] == []


def test_cancelled_moved_and_substituted_lessons_are_shown_with_the_change(world: World) -> None:
    cancelled = lesson(world.math_5a, day(0), 1)
    lesson_cancel(actor=world.users["deputy"], lesson=cancelled, reason="Учитель на курсах")
    moved = lesson(world.math_5a, day(3), 4, origin_date=day(1), origin_slot=2)
    m.LessonChange.objects.create(
        lesson=moved, kind="move", reason="Олимпиада", before="вт, 2", after="чт, 4", author=world.users["deputy"]
    )
    substituted = lesson(world.math_5a, day(2), 2)
    substitution_assign(
        actor=world.users["deputy"], lesson=substituted, substitute=world.users["other_teacher"], reason="Болезнь"
    )

    days = {d.date: d for d in student_week(world.child, MONDAY).days}

    monday = days[day(0)].lessons[0]
    assert monday.is_cancelled and monday.change_reason == "Учитель на курсах"
    tuesday = days[day(1)].lessons[0]
    assert tuesday.moved_away and tuesday.slot == 2 and tuesday.date == day(3) and tuesday.lesson_slot == 4
    thursday = days[day(3)].lessons[0]
    assert thursday.is_moved_here and not thursday.moved_away and thursday.change_reason == "Олимпиада"
    wednesday = days[day(2)].lessons[0]
    assert wednesday.substitute == world.users["other_teacher"].short_name


def test_the_week_shows_marks_with_work_types_attendance_homework_and_files(world: World) -> None:
    work_type = m.WorkType.objects.create(school=world.school, name="Контрольная работа", weight=3)
    held = lesson(world.math_5a, day(0), 1, topic="Сложение дробей", status="held")
    mark(world, held, world.child, "5", weight="3", work_type=work_type, comment="Без ошибок")
    mark(world, held, world.other_child, "2")
    late = lesson(world.math_5a, day(1), 1, status="held")
    m.Attendance.objects.create(
        lesson=late, student=world.child, status="absent", reason="illness", author=world.users["teacher"]
    )
    homework = homework_set(actor=world.users["teacher"], lesson=held, text="№ 12, 14")
    homework_file_add(
        actor=world.users["teacher"], homework=homework, upload=SimpleUploadedFile("Задание.pdf", b"%PDF-1.4\n")
    )

    days = {d.date: d for d in student_week(world.child, MONDAY).days}

    item = days[day(0)].lessons[0]
    assert [(mk.value, mk.work_type, mk.comment) for mk in item.marks] == [("5", "Контрольная работа", "Без ошибок")]
    assert item.marks[0].title == "Контрольная работа: Без ошибок"
    assert item.marks[0].detail == "5 — Контрольная работа; Без ошибок"
    assert item.topic == "Сложение дробей"
    assert item.homework.text == "№ 12, 14"
    assert [f.original_name for f in item.files] == ["Задание.pdf"]
    assert days[day(1)].lessons[0].attendance_letter == "Б"
    assert days[day(1)].lessons[0].attendance_reason == "по болезни"


def test_the_week_shows_school_and_own_class_events_only(world: World) -> None:
    Event.objects.create(school=world.school, title="Осенний бал", date=day(4))
    Event.objects.create(school=world.school, class_group=world.class_5a, title="Собрание 5А", date=day(2))
    Event.objects.create(school=world.school, class_group=world.class_6b, title="Собрание 6Б", date=day(2))
    Event.objects.create(school=world.foreign_school, title="Чужой праздник", date=day(2))
    Event.objects.create(school=world.school, title="Каникулы", date=day(-10), end_date=day(0))

    week = student_week(world.child, MONDAY)

    assert sorted(e.title for e in week.events) == ["Каникулы", "Осенний бал", "Собрание 5А"]
    days = {d.date: [e.title for e in d.events] for d in week.days}
    assert days[day(0)] == ["Каникулы"]
    assert days[day(2)] == ["Собрание 5А"]
