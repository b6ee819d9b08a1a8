"""The demo school comes with planning data: bells, a clash-free full-year timetable, lessons held up
to today with the topics of thematic plans, one-off lesson changes and substitutions.

The default demo school is seeded once for the package (``conftest.py``, shared with
test_seed_demo_marks.py), inside a transaction rolled back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from accounts.models import User
from demo.ktp import plan_rows
from demo.monitoring import TOPIC_FORGOTTEN_TEACHERS
from demo.schedule import Part, Scheduler, Unit, day_lengths, weekly_lessons
from journal import models as m
from journal.permissions import permission_drift
from journal.services.timetable import find_clashes
from tests.journal.seeded_demo.support import Demo

# One worker runs the package's tests: the demo is seeded once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("seeded_demo")


def _valid_on(day: datetime.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def _entries(demo: Demo, day: datetime.date):
    return m.TimetableEntry.objects.filter(_valid_on(day), course__class_group__year=demo.year)


def _require_past(demo: Demo) -> None:
    """Held lessons, changes and substitutions need some school weeks behind today."""
    if demo.today < demo.year.start + datetime.timedelta(days=21):
        pytest.skip("the academic year began less than three weeks ago")


def _check_days(demo: Demo) -> list[datetime.date]:
    """The first day of the year and today (after the mid-year change), if today is in the year."""
    days = [demo.year.start]
    if demo.year.start < demo.today <= demo.year.end:
        days.append(demo.today)
    return days


# --- Bells and the timetable -------------------------------------------------------------------------


def test_demo_school_has_bells_for_two_shifts_and_its_classes_learn_in_the_first(demo, db):
    first = m.BellSchedule.objects.get(school=demo.school, shift=1)
    second = m.BellSchedule.objects.get(school=demo.school, shift=2)
    slots = list(first.slots.order_by("number").values_list("number", "start", "end"))
    assert [n for n, _s, _e in slots] == [1, 2, 3, 4, 5, 6, 7]
    assert slots[0][1:] == (datetime.time(8, 30), datetime.time(9, 15))
    breaks = [
        (datetime.datetime.combine(demo.today, slots[i + 1][1]) - datetime.datetime.combine(demo.today, slots[i][2]))
        for i in range(len(slots) - 1)
    ]
    assert [b.seconds // 60 for b in breaks][:5] == [10, 20, 20, 10, 10]
    assert second.slots.count() == 6
    assert second.slots.order_by("number").first().start == datetime.time(13, 30)
    assert not m.ClassGroup.objects.filter(year=demo.year).exclude(bell_schedule=first).exists()


def test_every_course_meets_as_often_a_week_as_the_curriculum_says(demo, db):
    hours = {(c.grade, c.subject_id): c.hours_per_week for c in m.CurriculumItem.objects.filter(year=demo.year)}
    for day in _check_days(demo):
        valid = _entries(demo, day)
        courses = (
            m.Course.objects.filter(class_group__year=demo.year)
            .select_related("class_group")
            .annotate(weekly=Count("timetable", filter=Q(timetable__in=valid)))
        )
        wrong = [
            (str(c), c.weekly)
            for c in courses
            if c.weekly != weekly_lessons(hours[(c.class_group.grade, c.subject_id)])
        ]
        assert courses.count() == 300
        assert wrong == [], day


def test_no_teacher_room_or_class_is_twice_in_one_slot(demo, db):
    for day in _check_days(demo):
        valid = _entries(demo, day)
        open_on_day = Q(date_from__lte=day) & (Q(date_to__isnull=True) | Q(date_to__gt=day))
        teaching = m.TeachingAssignment.objects.filter(open_on_day, course__timetable__in=valid)
        teacher_twice = (
            teaching.values("teacher", "course__timetable__weekday", "course__timetable__slot")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        room_twice = valid.values("room", "weekday", "slot").annotate(n=Count("pk")).filter(n__gt=1)
        class_twice = (
            valid.values("course__class_group", "weekday", "slot")
            .annotate(n=Count("pk"), whole=Count("pk", filter=Q(course__subgroup__isnull=True)))
            .filter(n__gt=1, whole__gte=1)
        )
        assert list(teacher_twice) == [], day
        assert list(room_twice) == [], day
        assert list(class_twice) == [], day
        assert not valid.filter(room__isnull=True).exists()


def test_english_groups_meet_together_with_different_teachers_and_no_clash_found(demo, db):
    today = demo.today
    valid = _entries(demo, today).select_related("course__class_group__year__school", "room")
    english = [e for e in valid if e.course.subgroup_id is not None]
    by_slot = defaultdict(list)
    for entry in english:
        by_slot[(entry.course.class_group_id, entry.weekday, entry.slot)].append(entry)
    assert by_slot
    assert all(len(group) == 2 for group in by_slot.values())
    class_5a = m.ClassGroup.objects.get(year=demo.year, grade=5, letter="А")
    sample = [e for e in valid if e.course.class_group_id == class_5a.pk]
    sample += list(valid)[::25]
    sample += list(m.TimetableEntry.objects.filter(course__class_group__year=demo.year, valid_from__gt=demo.year.start))
    for entry in sample:
        clashes = find_clashes(
            course=entry.course,
            weekday=entry.weekday,
            slot=entry.slot,
            room=entry.room,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
            exclude=entry,
        )
        assert clashes == [], (str(entry), [c.message for c in clashes])


def test_one_entry_changes_from_a_date_and_the_past_keeps_the_old_one(demo, db):
    _require_past(demo)
    new = m.TimetableEntry.objects.get(course__class_group__year=demo.year, valid_from__gt=demo.year.start)
    old = m.TimetableEntry.objects.get(course=new.course, valid_to=new.valid_from - datetime.timedelta(days=1))
    assert (old.weekday, old.slot) != (new.weekday, new.slot)
    before = m.Lesson.objects.filter(course=new.course, date__lt=new.valid_from, timetable_entry__isnull=False)
    after = m.Lesson.objects.filter(course=new.course, date__gte=new.valid_from, timetable_entry__isnull=False)
    assert before.exists()
    assert after.exists()
    assert not before.exclude(timetable_entry=old).exists()
    assert not after.exclude(timetable_entry=new).exists()


# --- Lessons -----------------------------------------------------------------------------------------


def test_lessons_before_today_are_held_with_the_plan_in_order_and_later_ones_planned(demo, db):
    _require_past(demo)
    lessons = m.Lesson.objects.filter(course__class_group__year=demo.year)
    past = lessons.filter(date__lt=demo.today)
    assert past.filter(status=m.LessonStatus.HELD).count() > 1000
    assert not past.filter(status=m.LessonStatus.PLANNED).exists()
    # Held without a topic: only the few of last week the demo's monitoring finds (demo/monitoring.py).
    untitled = past.filter(status=m.LessonStatus.HELD, topic="")
    last_monday = demo.today - datetime.timedelta(days=demo.today.weekday() + 7)
    assert untitled.count() <= 2 * TOPIC_FORGOTTEN_TEACHERS
    assert not untitled.filter(date__lt=last_monday).exists()
    assert not lessons.filter(date__gte=demo.today).exclude(status=m.LessonStatus.PLANNED).exists()
    assert lessons.filter(date__gt=demo.year.end).count() == 0
    # Each course takes the rows of its plan in order, each row at most its hours.
    used: dict[int, list[tuple[int, int]]] = defaultdict(list)
    held = past.filter(status=m.LessonStatus.HELD, plan_item__isnull=False).order_by("course", "date", "slot")
    for course_id, order, hours in held.values_list("course_id", "plan_item__order", "plan_item__hours"):
        used[course_id].append((order, hours))
    assert len(used) == 300
    for course_id, items in used.items():
        orders = [order for order, _hours in items]
        assert orders == sorted(orders), course_id
        counts = defaultdict(int)
        for order, hours in items:
            counts[order] += 1
            assert counts[order] <= hours, course_id


def test_each_lesson_is_taught_by_the_courses_teacher_of_that_day_or_its_substitute(demo, db):
    assignments = defaultdict(list)
    for a in m.TeachingAssignment.objects.filter(course__class_group__year=demo.year):
        assignments[a.course_id].append(a)
    substitutes = dict(
        m.Substitution.objects.filter(lesson__course__class_group__year=demo.year).values_list(
            "lesson_id", "substitute_id"
        )
    )
    wrong = []
    lessons = m.Lesson.objects.filter(course__class_group__year=demo.year)
    for pk, course_id, day, teacher_id in lessons.values_list("pk", "course_id", "date", "teacher_id"):
        if pk in substitutes:
            expected = substitutes[pk]
        else:
            expected = next(
                a.teacher_id
                for a in assignments[course_id]
                if a.date_from <= day and (a.date_to is None or day < a.date_to)
            )
        if teacher_id != expected:
            wrong.append((pk, day))
    assert wrong == []
    handed_over = m.TeachingAssignment.objects.filter(course__class_group__year=demo.year, date_to__isnull=False)
    assert handed_over.exists(), "the 8Б geometry handover"


def test_cancelled_moved_and_extra_lessons_say_who_changed_them_and_why(demo, db):
    _require_past(demo)
    deputy = User.objects.get(username="deputy")
    lessons = m.Lesson.objects.filter(course__class_group__year=demo.year)
    changes = m.LessonChange.objects.filter(lesson__course__class_group__year=demo.year)
    cancelled = lessons.filter(status=m.LessonStatus.CANCELLED)
    assert cancelled.exists()
    for lesson in cancelled:
        assert lesson.changes.filter(kind=m.LessonChangeKind.CANCEL).exclude(reason="").exists()
    assert changes.filter(kind=m.LessonChangeKind.MOVE).exists()
    extra = lessons.filter(is_extra=True)
    assert extra.count() == 2
    assert not extra.filter(timetable_entry__isnull=False).exists()
    assert changes.filter(kind=m.LessonChangeKind.EXTRA).count() == 2
    assert not changes.exclude(author=deputy).exists()
    assert not changes.filter(reason="").exists()


def test_controls_are_spread_one_a_day_per_class_and_in_every_quarter(demo, db):
    tests = m.Lesson.objects.filter(course__class_group__year=demo.year, kind=m.LessonKind.TEST)
    per_day = tests.values("course__class_group", "date").annotate(slots=Count("slot", distinct=True))
    assert not per_day.filter(slots__gt=1).exists()
    assert not tests.filter(course__class_group__grade=1).exists()
    math_5a = m.Course.objects.get(
        class_group__year=demo.year, class_group__grade=5, class_group__letter="А", subject__name="Математика"
    )
    quarters = m.StudyPeriod.objects.filter(year=demo.year, kind=m.PeriodKind.QUARTER)
    for quarter in quarters:
        assert tests.filter(course=math_5a, date__range=(quarter.start, quarter.end)).exists(), quarter


# --- Thematic plans ----------------------------------------------------------------------------------


def test_every_course_has_a_plan_whose_hours_match_its_lessons_but_two_deliberate_ones(demo, db):
    plans = m.ThematicPlan.objects.filter(year=demo.year).annotate(total=Sum("items__hours"))
    own = {p.course_id: p for p in plans if p.course_id}
    shared = {(p.subject_id, p.grade): p for p in plans if p.course_id is None}
    assert len(shared) == 1
    ((subject_id, grade),) = shared
    assert (m.Subject.objects.get(pk=subject_id).name, grade) == ("Математика", 5)
    courses = (
        m.Course.objects.filter(class_group__year=demo.year)
        .select_related("class_group")
        .annotate(lesson_count=Count("lessons", filter=~Q(lessons__status=m.LessonStatus.CANCELLED)))
    )
    off = []
    for course in courses:
        plan = own.get(course.pk) or shared.get((course.subject_id, course.class_group.grade))
        assert plan is not None, str(course)
        if plan.total != course.lesson_count:
            off.append((str(course), plan.total - course.lesson_count))
    assert sorted(diff for _course, diff in off) == [-3, 2]
    teacher_course = next(course for course, diff in off if diff == -3)
    assert teacher_course == "6А · Математика"  # «teacher» sees the hours warning on her own plan


def test_plan_rows_have_realistic_topics_and_kinds(demo, db):
    items = m.PlanItem.objects.filter(plan__year=demo.year)
    assert not items.filter(Q(hours__lt=1) | Q(topic="")).exists()
    kinds = set(items.values_list("kind", flat=True))
    assert {m.LessonKind.TEST, m.LessonKind.LAB, m.LessonKind.PRACTICAL, m.LessonKind.REVIEW} <= kinds
    physics = items.filter(plan__course__subject__name="Физика", plan__grade=7).order_by("plan", "order")
    assert physics.filter(topic__startswith="Лабораторная работа № 1").exists()
    english = items.filter(plan__course__subject__name="Английский язык", kind=m.LessonKind.TEST)
    assert english.filter(topic__startswith="Progress Test").exists()


# --- Substitutions -----------------------------------------------------------------------------------


def test_substitutions_name_a_free_colleague_who_may_fill_exactly_that_lesson(demo, db):
    _require_past(demo)
    subs = list(
        m.Substitution.objects.filter(lesson__course__class_group__year=demo.year).select_related(
            "lesson", "substitute", "absent_teacher", "created_by"
        )
    )
    assert 5 <= len(subs) <= 10
    assert {s.reason for s in subs} == {"болезнь", "курсы повышения квалификации"}
    assert "teacher" in {s.substitute.username for s in subs}
    for sub in subs:
        lesson = sub.lesson
        assert lesson.teacher_id == sub.substitute_id
        assert sub.absent_teacher_id != sub.substitute_id
        assert sub.created_by.username == "deputy"
        assert lesson.date < demo.today
        elsewhere = m.Lesson.objects.filter(date=lesson.date, slot=lesson.slot, teacher=sub.substitute).exclude(
            pk=lesson.pk
        )
        assert not elsewhere.exists()
        assert sub.substitute.has_perm("journal.change_lesson", lesson)
    assert permission_drift() == (set(), set())


def test_the_summary_counts_the_planning_data(demo, db):
    for label in ("timetable entries (valid today)", "lessons held", "thematic plans", "substitutions"):
        assert f"{label}: " in demo.output
    assert "every lesson placed" in demo.output
    assert "Object permissions agree with the domain rows." in demo.output


def test_a_second_run_keeps_the_planning_data(demo, db):
    def planning_counts() -> tuple[int, ...]:
        return (
            m.TimetableEntry.objects.count(),
            m.Lesson.objects.count(),
            m.ThematicPlan.objects.count(),
            m.PlanItem.objects.count(),
            m.Substitution.objects.count(),
        )

    before = planning_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    assert "kept as it is" in out.getvalue()
    assert planning_counts() == before


# --- The building blocks, without the database ---------------------------------------------------------


def test_weekly_lessons_round_half_hours_up():
    assert [weekly_lessons(Decimal(h)) for h in ("0.5", "1", "1.5", "2", "2.4", "6")] == [1, 1, 2, 2, 2, 6]


def test_day_lengths_put_the_long_days_midweek():
    assert day_lengths(32, 7) == {1: 6, 2: 7, 3: 7, 4: 6, 5: 6}
    with pytest.raises(ValueError, match="do not fit"):
        day_lengths(36, 7)


def test_scheduler_places_a_split_class_and_a_shared_teacher_without_clashes():
    units = [
        Unit(1, "Math", (Part(1, frozenset({10}), (100,)),), per_week=3),
        Unit(2, "Math", (Part(2, frozenset({10}), (100,)),), per_week=3),
        Unit(1, "English", (Part(3, frozenset({11}), (101,)), Part(4, frozenset({12}), (102,))), per_week=2),
        Unit(2, "PE", (Part(5, frozenset({13}), (200,), any_room=False),), per_week=2),
        Unit(1, "PE", (Part(6, frozenset({13}), (200,), any_room=False),), per_week=2),
    ]
    lengths = {1: day_lengths(7, 5), 2: day_lengths(5, 5)}
    result = Scheduler(units, lengths, {1: 6, 2: 6}, [300, 301], random.Random(1)).run()
    assert result.unplaced == 0
    assert result.gaps == 0
    teacher_slots, room_slots, class_slots = set(), set(), set()
    for placed in result.placements:
        unit = units[placed.unit]
        key = (placed.weekday, placed.slot)
        assert (unit.class_key, *key) not in class_slots
        class_slots.add((unit.class_key, *key))
        for teacher in unit.teachers:
            assert (teacher, *key) not in teacher_slots
            teacher_slots.add((teacher, *key))
        for room in placed.rooms:
            assert (room, *key) not in room_slots
            room_slots.add((room, *key))
    assert len(result.placements) == 3 + 3 + 2 + 2 + 2


def test_plan_rows_fill_the_hours_and_put_the_controls_where_asked():
    rows = plan_rows(subject="Физика", grade=7, total=68, per_week=2, tests=[15, 33, 50, 64])
    assert sum(r.hours for r in rows) == 68
    hours_before = 0
    test_positions = []
    for row in rows:
        if row.kind == m.LessonKind.TEST:
            test_positions.append(hours_before)
        hours_before += row.hours
    assert test_positions == [15, 33, 50, 64]
    assert rows[0].topic == "Повторение изученного в 6 классе"
    assert rows[-1].kind == m.LessonKind.REVIEW
    assert rows[-2].topic == "Итоговая контрольная работа"
    assert all(1 <= r.hours <= 3 for r in rows if r.kind == m.LessonKind.ORDINARY)
