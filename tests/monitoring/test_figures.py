"""Each measure of the monitoring on a hand-made case (§3.9, §4.1, §4.3, §4.5, §7.2): the figures a deputy
would count by hand from the same journal."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from journal import models as m
from messaging.models import Notification, NotificationAudience, NotificationKind
from monitoring import selectors as figures
from monitoring.models import UserDay
from monitoring.services import final_marks_reminders
from tests.conftest import World

MONDAY = datetime.date(2026, 11, 16)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)


def _lesson(world: World, day: datetime.date, slot: int, **fields: object) -> m.Lesson:
    fields.setdefault("status", "held")
    fields.setdefault("topic", "Дроби")
    return m.Lesson.objects.create(course=world.math_5a, date=day, slot=slot, teacher=world.users["teacher"], **fields)


def test_a_teachers_week_counts_what_each_lesson_lacks(world: World) -> None:
    author = world.users["teacher"]
    clean = _lesson(world, MONDAY, 1)
    m.Homework.objects.create(lesson=clean, text="№ 12", author=author)
    m.Attendance.objects.create(lesson=clean, student=world.child, status="absent", author=author)
    _lesson(world, MONDAY, 2, topic="")  # no topic, no homework, attendance not taken
    said = _lesson(world, WEDNESDAY, 1, attendance_taken_at=datetime.datetime(2026, 11, 18, 9, tzinfo=datetime.UTC))
    m.Homework.objects.create(lesson=said, text="№ 13", author=author)
    _lesson(world, WEDNESDAY, 2, status="planned")  # never held, and no homework either
    _lesson(world, WEDNESDAY, 3, status="cancelled", topic="")  # not due at all
    m.Mark.objects.create(lesson=clean, student=world.other_child, value="5", author=author)
    m.Mark.objects.create(lesson=clean, student=world.child, value="4", author=author, is_late=True)

    (week,) = figures.teacher_weeks(
        world.year, MONDAY, MONDAY + datetime.timedelta(days=6), datetime.date(2026, 11, 25)
    )

    assert week.name == world.users["teacher"].short_name
    assert (week.due, week.held, week.not_held) == (4, 3, 1)
    assert (week.no_topic, week.no_homework, week.no_attendance) == (1, 2, 1)
    assert (week.marks, week.late_marks) == (2, 1)


def test_todays_lessons_are_due_only_once_held(world: World) -> None:
    _lesson(world, WEDNESDAY, 1)
    _lesson(world, WEDNESDAY, 2, status="planned")

    (week,) = figures.teacher_weeks(world.year, MONDAY, WEDNESDAY, WEDNESDAY)

    assert (week.due, week.held, week.not_held) == (1, 1, 0)


def test_everyone_present_on_the_lesson_page_takes_the_attendance(
    world: World, client_for: Callable[[str], Client]
) -> None:
    lesson = _lesson(world, MONDAY, 1)
    client = client_for("teacher")

    response = client.post(reverse("journal:lesson_attendance_taken", args=[lesson.pk]))

    lesson.refresh_from_db()
    assert response.status_code == 302 and lesson.attendance_taken_at is not None
    (week,) = figures.teacher_weeks(world.year, MONDAY, MONDAY, MONDAY)
    assert week.no_attendance == 0
    assert 'data-testid="attendance-taken"' in client.get(response["Location"]).content.decode()


def test_students_below_the_minimum_of_marks_so_far_with_the_days_left(world: World) -> None:
    period = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=2, start=datetime.date(2026, 11, 2), end=datetime.date(2026, 12, 27)
    )
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=1)
    author = world.users["teacher"]
    for slot, value in enumerate(["5", "4", "на", "3"], start=1):  # three that count: the minimum at 1 hour
        lesson = _lesson(world, MONDAY, slot)
        m.Mark.objects.create(lesson=lesson, student=world.child, value=value, author=author)
    m.Mark.objects.create(lesson=lesson, student=world.other_child, value="5", author=author)
    cancelled = _lesson(world, WEDNESDAY, 1, status="cancelled")
    m.Mark.objects.create(lesson=cancelled, student=world.other_child, value="5", author=author)  # does not count

    (row,) = figures.marks_filling(world.year, datetime.date(2026, 11, 25), [world.class_5a.pk])

    assert row.period == period and row.minimum == 3 and row.students == 2
    assert row.below == [world.other_child.short_name]
    assert row.days_left == 32
    assert row.teachers == [world.users["teacher"].short_name]


def test_a_course_behind_its_plan_and_a_course_without_one(world: World) -> None:
    plan = m.ThematicPlan.objects.create(year=world.year, subject=world.math_5a.subject, grade=5, course=world.math_5a)
    first = m.PlanItem.objects.create(plan=plan, order=1, topic="Дроби", hours=2)
    m.PlanItem.objects.create(plan=plan, order=2, topic="Проценты", hours=2)
    for slot in (1, 2, 3):  # three held lessons on the first item: it counts its two hours only
        _lesson(world, MONDAY, slot, plan_item=first)
    _lesson(world, WEDNESDAY, 1, status="planned")
    _lesson(world, WEDNESDAY, 2, status="planned")
    _lesson(world, WEDNESDAY, 3, status="cancelled")

    rows = {r.course.pk: r for r in figures.plan_coverage(world.year, WEDNESDAY)}

    math = rows[world.math_5a.pk].figures
    assert math is not None and (math.plan_hours, math.planned_by_day, math.taught, math.behind) == (4, 4, 2, 2)
    assert rows[world.russian_6b.pk].figures is None


def test_period_marks_missing_near_the_deadline_and_one_reminder_a_teacher(world: World) -> None:
    period = m.StudyPeriod.objects.create(
        year=world.year,
        kind="quarter",
        number=1,
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2026, 10, 25),
        final_marks_deadline=datetime.date(2026, 10, 27),
    )
    m.FinalMark.objects.create(
        course=world.math_5a,
        student=world.child,
        kind="quarter",
        period=period,
        value="4",
        author=world.users["teacher"],
    )
    far = datetime.date(2026, 10, 10)  # 17 days before: not watched yet
    assert figures.missing_finals(world.year, far) == []

    rows = figures.missing_finals(world.year, datetime.date(2026, 10, 20), [world.class_5a.pk])

    assert [(r.course, r.missing, r.teacher_names) for r in rows] == [
        (world.math_5a, [world.other_child.short_name], [world.users["teacher"].short_name])
    ]
    assert final_marks_reminders(school=world.school, year=world.year, today=datetime.date(2026, 10, 20)) == 0
    assert final_marks_reminders(school=world.school, year=world.year, today=datetime.date(2026, 10, 25)) == 2
    assert final_marks_reminders(school=world.school, year=world.year, today=datetime.date(2026, 10, 26)) == 0
    told = Notification.objects.filter(kind=NotificationKind.FINAL_MARKS_DUE, audience=NotificationAudience.TEACHER)
    assert sorted(n.recipient.username for n in told) == ["other_teacher", "teacher"]  # 5А and 6Б's courses
    mine = told.get(recipient=world.users["teacher"])
    assert "5А" in mine.text and "27.10.2026" in mine.text


def _signed_in(user: User, day: datetime.date, *, diary: bool = False) -> None:
    """The person signed in on ``day`` (as the login records it) and used the system that day."""
    user.last_login = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    user.save(update_fields=["last_login"])
    UserDay.objects.create(user=user, school=user_school(user), day=day, logins=1, opened_diary=diary)


def user_school(user: User) -> object:
    return user.memberships.first().school


def test_families_who_never_came_and_who_opened_the_diary_this_week(world: World) -> None:
    monday, today = datetime.date(2026, 11, 30), datetime.date(2026, 12, 2)
    _signed_in(world.users["parent"], today, diary=True)
    _signed_in(world.users["student"], monday, diary=True)

    rows = {r.class_group.pk: r for r in figures.families(world.year, monday, today)}

    five = rows[world.class_5a.pk]
    assert (five.students, five.parents, five.parents_never, five.week, five.diary_week) == (2, 2, 1, 2, 2)
    assert five.never == [world.users["other_parent"].short_name]
    assert rows[world.class_6b.pk].parents == 0


def test_opened_the_diary_never_counts_more_people_than_were_in_the_system(world: World) -> None:
    """A student who opened the diary this week was in the system this week: both columns count the class's
    parents and students alike (before, «in the system» counted the parents only: 0 in, 1 opened)."""
    monday, today = datetime.date(2026, 11, 30), datetime.date(2026, 12, 2)
    _signed_in(world.users["student"], monday, diary=True)
    _signed_in(world.users["other_parent"], today)

    five = {r.class_group.pk: r for r in figures.families(world.year, monday, today)}[world.class_5a.pk]

    assert (five.week, five.diary_week) == (2, 1)


def test_never_signed_in_is_one_number_on_the_desk_the_class_accounts_and_the_monitoring(
    world: World, client_for
) -> None:
    """The parent signed in last school year and not since: the administrator's desk, the class's accounts
    page and the monitoring all count them as having signed in; the other parent never did, everywhere."""
    from core.desks import school_accounts
    from journal.selectors.accounts import class_accounts

    for user in world.users.values():  # the staff and the student: signed in, out of this test's way
        if user.username not in ("parent", "other_parent"):
            user.last_login = timezone.now()
            user.save(update_fields=["last_login"])
    last_spring = datetime.date(2026, 5, 20)
    _signed_in(world.users["parent"], last_spring)
    monday, today = datetime.date(2026, 11, 30), datetime.date(2026, 12, 2)

    five = {r.class_group.pk: r for r in figures.families(world.year, monday, today)}[world.class_5a.pk]
    rows = class_accounts(world.class_5a, today)
    never_on_page = sorted(r.user.username for r in rows if r.parent_of is not None and r.never_used)
    on_desk = school_accounts(world.school).never_logged_in

    assert five.parents_never == 1 and five.never == [world.users["other_parent"].short_name]
    assert never_on_page == ["other_parent"]
    assert on_desk == 1


def test_unique_users_a_role_a_day_and_in_the_month(world: World) -> None:
    today = datetime.date(2026, 12, 2)
    for user, day in (("teacher", today), ("teacher", datetime.date(2026, 11, 30)), ("deputy", today)):
        UserDay.objects.create(user=world.users[user], school=world.school, day=day)
    UserDay.objects.create(user=world.users["other_teacher"], school=world.school, day=today)

    dates, rows = figures.use_by_role(world.school, today, days=3)

    by_role = {r.role: r for r in rows}
    assert dates == [datetime.date(2026, 11, 30), datetime.date(2026, 12, 1), today]
    assert by_role["Учитель"].days == {datetime.date(2026, 11, 30): 1, today: 2}
    assert by_role["Учитель"].month == 2  # November's day is not December's
    assert by_role["Заместитель директора"].days == {today: 1}


def test_a_day_of_use_costs_one_query_once_and_a_diary_page_marks_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    from django.core.cache import cache

    cache.clear()
    client = client_for("parent")
    url = reverse("diary:week", args=[world.child.pk])

    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)

    def recorded(ctx: CaptureQueriesContext) -> int:
        return sum(1 for q in ctx.captured_queries if "monitoring_userday" in q["sql"])

    assert (recorded(first), recorded(second)) == (1, 0)
    day = UserDay.objects.get(user=world.users["parent"])
    assert day.opened_diary is True and day.logins == 1  # the test client's sign-in


def test_a_login_is_counted_on_the_users_day(world: World) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "teacher", "password": "pass-12345"})
    client.logout()
    client.post(reverse("login"), {"username": "teacher", "password": "pass-12345"})

    assert UserDay.objects.get(user=world.users["teacher"]).logins == 2
