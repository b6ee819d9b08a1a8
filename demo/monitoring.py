"""The demo school's monitoring as a real school's would look (§3.9, §4.1, §4.5, §7.2): teachers who said
«everyone present» on most lessons and forgot some, a few held lessons without a topic, a teacher who
forgot two students' quarter marks, the days families and staff used the system (some parents never
came), and the deputy's control checks of the year, the teachers told.

Called by :meth:`demo.builder.DemoSchoolBuilder.build` after the journal's data, in the seed's transaction.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from journal.models import AcademicYear, Attendance, Course, FinalMark, Lesson, LessonStatus, School, StudyPeriod
from journal.selectors.schools import users_with_role, with_school_roles
from messaging.models import Notification, NotificationKind
from monitoring.models import UserDay
from monitoring.services import control_check_create, control_check_fixed

# Shares of the demo's people and lessons.
ATTENDANCE_FORGOTTEN = 0.03  # held lessons without absences where «everyone present» was not said
TOPIC_FORGOTTEN_TEACHERS = 3  # teachers who left last week's lessons without a topic, two each
PARENTS_NEVER = 0.12  # parents who never logged in this year
PARENT_DAYS_A_WEEK = 2.5  # how often the others look in
STUDENT_DAYS_A_WEEK = 3.0


def _school_days(year: AcademicYear, today: datetime.date) -> list[datetime.date]:
    days = []
    day = year.start
    while day <= today:
        if day.weekday() < 6:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def build_demo_monitoring(
    *, school: School, year: AcademicYear, today: datetime.date, rng: random.Random, deputy: User, teacher: User
) -> dict[str, int]:
    stats: dict[str, int] = {}
    # «Everyone else is present» on the held lessons without an absence, bar a few.
    held = (
        Lesson.objects.filter(course__class_group__year=year, status=LessonStatus.HELD, date__lte=today)
        .annotate(has_attendance=Exists(Attendance.objects.filter(lesson=OuterRef("pk"))))
        .filter(has_attendance=False)
        .values_list("pk", "date")
    )
    taken, forgotten = [], 0
    for pk, day in held:
        if rng.random() < ATTENDANCE_FORGOTTEN:
            forgotten += 1
            continue
        taken.append(
            Lesson(pk=pk, attendance_taken_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15))))
        )
    Lesson.objects.bulk_update(taken, ["attendance_taken_at"], batch_size=2000)
    stats["attendance forgotten"] = forgotten

    # A few teachers left some of last week's held lessons without a topic.
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    last_week = Lesson.objects.filter(
        course__class_group__year=year,
        status=LessonStatus.HELD,
        date__gte=monday,
        date__lt=monday + datetime.timedelta(days=7),
    ).exclude(teacher=teacher)
    teachers = sorted(set(last_week.values_list("teacher_id", flat=True)))
    blanked = 0
    for teacher_id in rng.sample(teachers, min(TOPIC_FORGOTTEN_TEACHERS, len(teachers))):
        ids = list(last_week.filter(teacher_id=teacher_id).order_by("date", "slot").values_list("pk", flat=True)[:2])
        blanked += Lesson.objects.filter(pk__in=ids).update(topic="", plan_item=None)
    stats["lessons without a topic"] = blanked

    # One course's first-quarter marks forgotten for two students: the finals' monitoring lists it overdue.
    quarter = StudyPeriod.objects.filter(year=year, kind="quarter", number=1, end__lt=today).first()
    if quarter is not None:
        course = (
            Course.objects.filter(class_group__year=year, class_group__grade=7, subgroup__isnull=True)
            .order_by("pk")
            .first()
        )
        if course is not None:
            ids = list(
                FinalMark.objects.filter(course=course, period=quarter)
                .order_by("student_id")
                .values_list("pk", flat=True)[:2]
            )
            stats["quarter marks missing"] = FinalMark.objects.filter(pk__in=ids).delete()[0]

    # The days of use: staff every school day, families now and then, some parents never.
    days = _school_days(year, today)
    rows: list[UserDay] = []
    users = with_school_roles(User.objects.filter(memberships__school=school, is_active=True).distinct(), school)
    never = 0
    for user in users:
        roles = {r.value for r in user.roles}
        if roles & {"administrator", "director", "deputy", "teacher"}:
            chance, diary = 0.95, False
        elif "parent" in roles:
            if rng.random() < PARENTS_NEVER and user.username != "parent":
                never += 1
                continue
            chance, diary = PARENT_DAYS_A_WEEK / 6, True
        elif "student" in roles:
            chance, diary = STUDENT_DAYS_A_WEEK / 6, True
        else:
            continue
        rows.extend(
            UserDay(user=user, school=school, day=day, logins=int(rng.random() < 0.4), opened_diary=diary)
            for day in days
            if rng.random() < chance
        )
    UserDay.objects.bulk_create(rows, batch_size=5000)
    # A day of use follows a sign-in: each person's last one is the morning of their last day (the «never
    # signed in» of the accounts desk and of the monitoring read it).
    last_day: dict[int, datetime.date] = {}
    for row in rows:
        last_day[row.user_id] = max(row.day, last_day.get(row.user_id, row.day))
    signed = [u for u in users if u.pk in last_day]
    for user in signed:
        user.last_login = timezone.make_aware(datetime.datetime.combine(last_day[user.pk], datetime.time(8, 0)))
    User.objects.bulk_update(signed, ["last_login"], batch_size=2000)
    stats["days of use"] = len(rows)
    stats["parents who never came"] = never

    # The deputy's control checks of the year: one put right, one overdue, one open for the demo teacher.
    course = Course.objects.filter(assignments__teacher=teacher, class_group__year=year).order_by("pk").first()
    others = list(users_with_role(school, Role.TEACHER).exclude(pk=teacher.pk).order_by("pk")[:2])
    checks = [
        (others[0] if others else teacher, None, 40, 7, "Не везде записаны домашние задания за октябрь.", True),
        (
            others[-1] if others else teacher,
            None,
            20,
            5,
            "Отметки за контрольную работу выставлены с опозданием.",
            False,
        ),
        (teacher, course, 3, 10, "Не заполнены темы двух уроков; проверить посещаемость за неделю.", False),
    ]
    for who, what, ago, within, findings, fixed in checks:
        on = today - datetime.timedelta(days=ago)
        check = control_check_create(
            actor=deputy,
            school=school,
            year=year,
            teacher=who,
            course=what,
            checked_on=on,
            findings=findings,
            fix_by=on + datetime.timedelta(days=within),
        )
        if fixed:
            control_check_fixed(actor=deputy, check=check, on=on + datetime.timedelta(days=within - 2))
    # The demo's people get no letters: their notifications are in the site only.
    Notification.objects.filter(kind=NotificationKind.CONTROL_CHECK, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    stats["control checks"] = len(checks)
    return stats
