"""Every change a user made since a time, and reverting it (the base of §3.16)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from journal import models as m
from journal.services.history import change_revert, changes_by_user_since, changes_revert_all
from tests.factories import YEAR_START


def _save(obj, user, **kwargs):
    obj._history_user = user
    obj.save(**kwargs)
    return obj


@pytest.fixture
def lesson(world) -> m.Lesson:
    return m.Lesson.objects.create(course=world.math_5a, date=YEAR_START, slot=1, status="held")


@pytest.fixture
def since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=1)


def _mark(world, lesson, user, value="4") -> m.Mark:
    mark = m.Mark(lesson=lesson, student=world.child, value=value, weight=Decimal(1), author=user)
    return _save(mark, user)


def test_changes_list_mark_create_update_delete_with_old_and_new_values(world, lesson, since):
    intruder = world.users["teacher"]
    mark = _mark(world, lesson, intruder)
    mark.value = "2"
    _save(mark, intruder, update_fields=["value"])
    mark_id = mark.pk
    mark._history_user = intruder
    mark.delete()

    changes = changes_by_user_since(intruder, since)
    assert [(c.model_label, c.object_id, c.type) for c in changes] == [
        ("journal.Mark", mark_id, "+"),
        ("journal.Mark", mark_id, "~"),
        ("journal.Mark", mark_id, "-"),
    ]
    created, updated, deleted = changes
    assert {f.field: f.new for f in created.fields}["value"] == "4"
    assert [(f.field, f.old, f.new) for f in updated.fields] == [("value", "4", "2")]
    assert {f.field: f.old for f in deleted.fields}["value"] == "2"


def test_changes_include_attendance_homework_and_lessons_but_not_other_users_or_older(world, lesson, since):
    teacher, other = world.users["teacher"], world.users["other_teacher"]
    attendance = _save(m.Attendance(lesson=lesson, student=world.child, status="absent", author=teacher), teacher)
    attendance.reason = "illness"
    _save(attendance, teacher, update_fields=["reason"])
    _save(m.Homework(lesson=lesson, text="№ 12", author=teacher), teacher)
    lesson.topic = "Дроби"
    _save(lesson, teacher, update_fields=["topic"])
    _save(m.Attendance(lesson=lesson, student=world.other_child, status="late", author=other), other)

    changes = changes_by_user_since(teacher, since)
    labels = [(c.model_label, c.type) for c in changes]
    assert labels == [
        ("journal.Attendance", "+"),
        ("journal.Attendance", "~"),
        ("journal.Homework", "+"),
        ("journal.Lesson", "~"),
    ]
    assert [(f.field, f.old, f.new) for f in changes[1].fields] == [("reason", "unknown", "illness")]
    assert [(f.field, f.old, f.new) for f in changes[3].fields] == [("topic", "", "Дроби")]
    assert changes_by_user_since(teacher, timezone.now()) == []


def test_revert_of_an_update_restores_the_old_value_with_a_new_history_row(world, lesson):
    teacher, admin = world.users["teacher"], world.users["administrator"]
    mark = _mark(world, lesson, world.users["other_teacher"], value="5")
    since = timezone.now()
    mark.value = "2"
    mark.author = teacher
    _save(mark, teacher, update_fields=["value", "author"])
    (change,) = changes_by_user_since(teacher, since)

    change_revert(actor=admin, change=change)
    mark.refresh_from_db()
    assert (mark.value, mark.author, mark.version) == ("5", world.users["other_teacher"], 2)
    latest = mark.history.first()
    assert (latest.history_type, latest.history_user, latest.value) == ("~", admin, "5")

    with pytest.raises(ValidationError) as error:  # already reverted: the value is no longer the one set
        change_revert(actor=admin, change=change)
    assert error.value.code == "stale"


def test_revert_of_a_create_deletes_and_of_a_delete_recreates(world, lesson, since):
    teacher, admin = world.users["teacher"], world.users["administrator"]
    created = _mark(world, lesson, teacher)
    homework = _save(m.Homework(lesson=lesson, text="№ 5", author=world.users["other_teacher"]), teacher)
    homework_id = homework.pk
    homework._history_user = teacher
    homework.delete()
    create_change, _, delete_change = changes_by_user_since(teacher, since)

    change_revert(actor=admin, change=create_change)
    assert not m.Mark.objects.filter(pk=created.pk).exists()
    assert m.Mark.history.filter(id=created.pk).first().history_user == admin

    change_revert(actor=admin, change=delete_change)
    restored = m.Homework.objects.get(pk=homework_id)
    assert (restored.text, restored.author) == ("№ 5", world.users["other_teacher"])
    assert restored.history.first().history_user == admin


def test_revert_all_undoes_everything_since_newest_first(world, lesson):
    teacher, admin = world.users["teacher"], world.users["administrator"]
    kept = _mark(world, lesson, teacher, value="5")
    since = timezone.now()
    kept.value = "2"
    _save(kept, teacher, update_fields=["value"])
    extra = m.Mark(lesson=lesson, student=world.other_child, value="3", weight=Decimal(1), author=teacher)
    _save(extra, teacher)
    extra.value = "4"
    _save(extra, teacher, update_fields=["value"])
    absence = _save(m.Attendance(lesson=lesson, student=world.child, status="absent", author=teacher), teacher)
    absence._history_user = teacher
    absence.delete()

    reverted = changes_revert_all(actor=admin, user=teacher, since=since)
    assert len(reverted) == 5
    kept.refresh_from_db()
    assert kept.value == "5"
    assert not m.Mark.objects.filter(pk=extra.pk).exists()
    assert m.Attendance.objects.filter(lesson=lesson, student=world.child).exists() is False  # created and deleted
    assert m.Attendance.history.filter(history_user=admin).count() == 2  # recreated, then deleted again


def test_revert_all_is_all_or_nothing(world, lesson):
    teacher, admin = world.users["teacher"], world.users["administrator"]
    mark = _mark(world, lesson, world.users["other_teacher"], value="5")
    since = timezone.now()
    mark.value = "2"
    _save(mark, teacher, update_fields=["value"])
    _save(m.Homework(lesson=lesson, text="№ 1", author=teacher), teacher)
    mark.value = "3"  # someone else changed it after the intruder
    _save(mark, world.users["other_teacher"], update_fields=["value"])

    with pytest.raises(ValidationError):
        changes_revert_all(actor=admin, user=teacher, since=since)
    mark.refresh_from_db()
    assert mark.value == "3"
    assert m.Homework.objects.filter(lesson=lesson).exists()


def test_only_the_administrator_reverts_another_users_changes(world, lesson, since):
    _mark(world, lesson, world.users["teacher"])
    (change,) = changes_by_user_since(world.users["teacher"], since)
    with pytest.raises(PermissionDenied):
        change_revert(actor=world.users["other_teacher"], change=change)
    with pytest.raises(PermissionDenied):
        changes_revert_all(actor=world.users["deputy"], user=world.users["teacher"], since=since)
    assert m.Mark.objects.exists()
