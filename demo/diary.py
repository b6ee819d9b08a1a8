"""The diary's part of the demo school: school and class events through the year, and parents'
acknowledgements of past weeks.

Called once from ``demo.builder.DemoSchoolBuilder.build``; running it again adds nothing
(events are matched by school, class, title and date; acknowledgements are unique per parent,
child and week). Its own ``random.Random`` keeps the builder's draws unchanged.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from diary.models import Event, WeekAcknowledgement
from journal.models import AcademicYear, ClassGroup, Holiday, ParentLink, School
from journal.selectors.lessons import week_of

D = datetime.date
T = datetime.time

# (month, day, title, time, place, description); the year of each date follows the academic year.
SCHOOL_EVENTS = [
    (9, 1, "Торжественная линейка, посвящённая Дню знаний", T(9, 0), "Школьный двор", ""),
    (9, 18, "Общешкольное родительское собрание", T(18, 30), "Актовый зал", "Итоги прошлого года, планы, питание."),
    (10, 5, "День учителя: праздничный концерт", T(12, 0), "Актовый зал", ""),
    (10, 14, "Школьный этап ВсОШ по математике", T(14, 0), "Кабинеты 201–205", "Для 4–11 классов."),
    (10, 21, "Школьный этап ВсОШ по русскому языку", T(14, 0), "Кабинеты 301–305", "Для 4–11 классов."),
    (11, 20, "День открытых дверей", T(10, 0), "Гимназия", "Для будущих первоклассников и их родителей."),
    (12, 25, "Новогодний концерт", T(17, 0), "Актовый зал", ""),
    (2, 14, "Лыжня России", T(11, 0), "Лыжная база", "Сбор у школы в 10:15."),
    (3, 18, "Научно-практическая конференция учащихся", T(13, 30), "Библиотека", ""),
    (4, 12, "День космонавтики: выставка проектов", None, "Рекреация 2 этажа", ""),
    (5, 8, "Акция «Бессмертный полк»: классные часы", None, "", ""),
    (5, 22, "Последний звонок", T(10, 0), "Школьный двор", ""),
]

# Class events: (grade, letter, month, day, title, time, place).
CLASS_EVENTS = [
    (5, "А", 9, 11, "Родительское собрание 5А", T(18, 0), "Кабинет 204"),
    (5, "А", 10, 9, "Экскурсия в краеведческий музей", T(9, 30), "Краеведческий музей"),
    (5, "А", 12, 11, "Родительское собрание 5А: итоги второй четверти", T(18, 0), "Кабинет 204"),
    (2, "Б", 11, 27, "Поход в театр кукол", T(11, 0), "Театр кукол"),
    (9, "А", 11, 13, "Профориентационная встреча", T(15, 0), "Актовый зал"),
    (11, "А", 12, 4, "Родительское собрание 11А: подготовка к ЕГЭ", T(19, 0), "Кабинет 310"),
]


def _on(year: AcademicYear, month: int, day: int) -> datetime.date:
    return D(year.start.year if month >= 9 else year.start.year + 1, month, day)


def _events(school: School, year: AcademicYear, deputy: User) -> list[Event]:
    classes = {(c.grade, c.letter): c for c in ClassGroup.objects.filter(year=year).select_related("class_teacher")}
    events = [
        Event(
            school=school, title=title, date=_on(year, mo, d), time=tm, place=place, description=text, created_by=deputy
        )
        for mo, d, title, tm, place, text in SCHOOL_EVENTS
    ]
    events += [
        Event(
            school=school,
            title=h.name,
            date=h.start,
            end_date=h.end if h.end != h.start else None,
            created_by=deputy,
        )
        # The school holidays (каникулы) are events; single public holidays are days off only.
        for h in Holiday.objects.filter(year=year, name__icontains="каникул").order_by("start")
    ]
    for grade, letter, mo, d, title, tm, place in CLASS_EVENTS:
        class_group = classes.get((grade, letter))
        if class_group is not None:
            events.append(
                Event(
                    school=school,
                    class_group=class_group,
                    title=title,
                    date=_on(year, mo, d),
                    time=tm,
                    place=place,
                    created_by=class_group.class_teacher or deputy,
                )
            )
    return events


def _acknowledgements(year: AcademicYear, today: datetime.date, rng: random.Random) -> list[WeekAcknowledgement]:
    """Past weeks of 5А and 2Б: the demo parent («parent») reads every week but the last; other parents
    of those classes some weeks, read on the Sunday evening."""
    monday, _sunday = week_of(today)
    weeks = []
    week = week_of(year.start)[0]
    while week < monday:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    links = (
        ParentLink.objects.filter(
            Q(student__enrolments__class_group__grade=5, student__enrolments__class_group__letter="А")
            | Q(student__enrolments__class_group__grade=2, student__enrolments__class_group__letter="Б"),
            student__enrolments__class_group__year=year,
            ended_at__isnull=True,
        )
        .select_related("parent")
        .order_by("student_id", "parent_id")
        .distinct()
    )
    rows = []
    for link in links:
        eager = link.parent.username == "parent"
        for week in weeks:
            if eager and week == weeks[-1]:
                continue
            if not eager and rng.random() > 0.45:
                continue
            sunday = week + datetime.timedelta(days=6)
            when = datetime.datetime.combine(sunday, T(18 + rng.randint(0, 3), rng.randint(0, 59)))
            rows.append(
                WeekAcknowledgement(
                    parent=link.parent,
                    student_id=link.student_id,
                    week_start=week,
                    acknowledged_at=timezone.make_aware(when),
                )
            )
    return rows


def build_demo_diary(
    *, school: School, year: AcademicYear, today: datetime.date, deputy: User, step: Callable[[str], None]
) -> tuple[int, int]:
    """Adds what is missing; returns (events added, acknowledgements added)."""
    rng = random.Random(f"diary-{year.name}")  # noqa: S311 - demo data, not a secret
    existing = set(Event.objects.filter(school=school).values_list("class_group_id", "title", "date"))
    events = [e for e in _events(school, year, deputy) if (e.class_group_id, e.title, e.date) not in existing]
    Event.objects.bulk_create(events)
    before = WeekAcknowledgement.objects.filter(student__school=school).count()
    WeekAcknowledgement.objects.bulk_create(_acknowledgements(year, today, rng), ignore_conflicts=True)
    added = WeekAcknowledgement.objects.filter(student__school=school).count() - before
    step("diary: events and week acknowledgements")
    return len(events), added
