"""Assessment procedures (оценочные процедуры): the scheduled tests and the rules they break.

DESIGN.md, "Assessment procedures": lessons of kind контрольная are checked
against four rules, each giving a warning with its numbers, never a refusal
(the school may have its reasons; the warning makes them visible):

- at most one a day per class (two groups of one subject count once);
- not in the first or last lesson of the class's day, unless the subject has
  one lesson a week (curriculum hours; without a curriculum line, the
  course's lessons of the year over the study weeks);
- at most once per 2.5 weeks per subject, i.e. per course: the next one at
  least 18 days after the previous (17.5 rounded up);
- at most 10 % of the subject's yearly hours: the course's lessons of the year.

The checks read the whole year of the classes concerned (the previous test
may lie in the last period; another teacher's test shares the class's day);
only the rows of courses the user may see are returned.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Max, Min, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from journal.models import (
    AcademicYear,
    CurriculumItem,
    Lesson,
    LessonKind,
    LessonStatus,
    PeriodKind,
    School,
    StudyPeriod,
)
from journal.selectors.calendar import study_weeks
from journal.selectors.scope import courses_visible_to

RULE_PER_DAY = "per_day"
RULE_EDGE = "edge"
RULE_FREQUENCY = "frequency"
RULE_SHARE = "share"
RULE_LABELS = {
    RULE_PER_DAY: gettext_lazy("one a day per class"),
    RULE_EDGE: gettext_lazy("not the first or last lesson"),
    RULE_FREQUENCY: gettext_lazy("once per 2.5 weeks"),
    RULE_SHARE: gettext_lazy("a tenth of the yearly hours at most"),
}
MIN_DAYS_BETWEEN = math.ceil(2.5 * 7)  # 18
MAX_SHARE_PERCENT = 10


@dataclass(frozen=True)
class AssessmentWarning:
    lesson: Lesson
    rule: str
    message: str

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS[self.rule])


@dataclass
class ScheduledTest:
    lesson: Lesson
    warnings: list[AssessmentWarning] = field(default_factory=list)


def _d(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def _live(qs: QuerySet[Lesson]) -> QuerySet[Lesson]:
    return qs.exclude(status=LessonStatus.CANCELLED)


def assessment_warnings(year: AcademicYear, class_ids: Iterable[int]) -> dict[int, list[AssessmentWarning]]:
    """Warnings per lesson id for every test of the year in the given classes (five queries)."""
    class_ids = set(class_ids)
    if not class_ids:
        return {}
    in_year = {"date__gte": year.start, "date__lte": year.end}
    # 1. every test of these classes in the year
    tests = list(
        _live(Lesson.objects.filter(course__class_group_id__in=class_ids, kind=LessonKind.TEST, **in_year))
        .select_related("course__class_group", "course__subject", "course__subgroup")
        .order_by("date", "slot", "pk")
    )
    if not tests:
        return {}
    course_ids = {t.course_id for t in tests}
    # 2. the first and last lesson of each class's day that has a test
    edges = {
        (row["course__class_group_id"], row["date"]): (row["first"], row["last"])
        for row in _live(Lesson.objects.filter(course__class_group_id__in=class_ids, date__in={t.date for t in tests}))
        .values("course__class_group_id", "date")
        .annotate(first=Min("slot"), last=Max("slot"))
    }
    # 3. the lessons of the year of each course with a test
    yearly = dict(
        _live(Lesson.objects.filter(course_id__in=course_ids, **in_year))
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    # 4. weekly hours from the curriculum
    curriculum = {
        (grade, subject_id): hours
        for grade, subject_id, hours in CurriculumItem.objects.filter(
            year=year,
            grade__in={t.course.class_group.grade for t in tests},
            subject_id__in={t.course.subject_id for t in tests},
        ).values_list("grade", "subject_id", "hours_per_week")
    }
    weeks: float | None = None

    def weekly_hours(test: Lesson) -> Decimal:
        nonlocal weeks
        hours = curriculum.get((test.course.class_group.grade, test.course.subject_id))
        if hours is not None:
            return Decimal(hours)
        if weeks is None:
            weeks = study_weeks(year)  # 5. holidays (only without a curriculum line)
        return Decimal(round(yearly.get(test.course_id, 0) / weeks, 1)) if weeks else Decimal(0)

    warnings: dict[int, list[AssessmentWarning]] = defaultdict(list)

    def warn(test: Lesson, rule: str, message: str) -> None:
        warnings[test.pk].append(AssessmentWarning(test, rule, message))

    # One a day per class.
    by_class_day: dict[tuple[int, datetime.date], list[Lesson]] = defaultdict(list)
    for test in tests:
        by_class_day[(test.course.class_group_id, test.date)].append(test)
    for (_class_id, day), same_day in by_class_day.items():
        subjects = sorted({t.course.subject.name for t in same_day})
        if len(subjects) > 1:
            for test in same_day:
                warn(
                    test,
                    RULE_PER_DAY,
                    _("Class %(cls)s has %(count)s tests on %(date)s (%(subjects)s): at most one a day.")
                    % {
                        "cls": test.course.class_group,
                        "count": len(subjects),
                        "date": _d(day),
                        "subjects": ", ".join(subjects),
                    },
                )

    # Not the first or last lesson of the day, unless one lesson a week.
    for test in tests:
        first, last = edges.get((test.course.class_group_id, test.date), (test.slot, test.slot))
        if test.slot not in (first, last):
            continue
        hours = weekly_hours(test)
        if hours <= 1:
            continue
        message = (
            _(
                "Lesson %(slot)s is the first lesson of class %(cls)s on %(date)s (lessons %(first)s–%(last)s); "
                "only a subject with one lesson a week may have its test there (%(subject)s: %(hours)s a week)."
            )
            if test.slot == first
            else _(
                "Lesson %(slot)s is the last lesson of class %(cls)s on %(date)s (lessons %(first)s–%(last)s); "
                "only a subject with one lesson a week may have its test there (%(subject)s: %(hours)s a week)."
            )
        )
        warn(
            test,
            RULE_EDGE,
            message
            % {
                "slot": test.slot,
                "cls": test.course.class_group,
                "date": _d(test.date),
                "first": first,
                "last": last,
                "subject": test.course.subject,
                "hours": f"{hours.normalize():f}",
            },
        )

    by_course: dict[int, list[Lesson]] = defaultdict(list)
    for test in tests:
        by_course[test.course_id].append(test)
    for course_tests in by_course.values():
        # At most once per 2.5 weeks.
        for previous, test in zip(course_tests, course_tests[1:], strict=False):
            gap = (test.date - previous.date).days
            if gap < MIN_DAYS_BETWEEN:
                warn(
                    test,
                    RULE_FREQUENCY,
                    _(
                        "%(days)s days after the previous test of %(course)s (%(previous)s): "
                        "at most one per 2.5 weeks, at least %(min)s days apart."
                    )
                    % {"days": gap, "course": test.course, "previous": _d(previous.date), "min": MIN_DAYS_BETWEEN},
                )
        # At most 10 % of the yearly hours.
        total = yearly.get(course_tests[0].course_id, 0)
        allowed = total * MAX_SHARE_PERCENT // 100
        for number, test in enumerate(course_tests, start=1):
            if number > allowed:
                warn(
                    test,
                    RULE_SHARE,
                    _(
                        "Test No. %(number)s of %(course)s: %(count)s tests in %(total)s lessons of the year "
                        "is more than %(percent)s %% (at most %(allowed)s)."
                    )
                    % {
                        "number": number,
                        "course": test.course,
                        "count": len(course_tests),
                        "total": total,
                        "percent": MAX_SHARE_PERCENT,
                        "allowed": allowed,
                    },
                )
    return dict(warnings)


def assessment_schedule(user: User, school: School | None, period: StudyPeriod) -> list[ScheduledTest]:
    """The tests of the period in the courses ``user`` may see, by class, date and lesson, with their warnings."""
    visible = courses_visible_to(user, school).filter(class_group__year=period.year)
    tests = list(
        _live(
            Lesson.objects.filter(
                course__in=visible.values("pk"), kind=LessonKind.TEST, date__gte=period.start, date__lte=period.end
            )
        )
        .select_related("course__class_group", "course__subject", "course__subgroup", "teacher")
        .order_by("course__class_group__grade", "course__class_group__letter", "date", "slot", "course__subject__name")
    )
    warnings = assessment_warnings(period.year, {t.course.class_group_id for t in tests})
    return [ScheduledTest(test, warnings.get(test.pk, [])) for test in tests]


def periods_of_school(school: School | None) -> QuerySet[StudyPeriod]:
    """The study periods of the school's current year as the school reads them: the quarters in order, then
    the trimesters, the half-years, the year (not «1 четверть, 1 полугодие, Год, 2 четверть», as the dates
    alone would sort them)."""
    if school is None:
        return StudyPeriod.objects.none()
    kinds = [PeriodKind.QUARTER, PeriodKind.TRIMESTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR]
    kind_order = Case(*(When(kind=kind, then=Value(n)) for n, kind in enumerate(kinds)), default=Value(len(kinds)))
    return (
        StudyPeriod.objects.filter(year__school=school, year__is_current=True)
        .select_related("year")
        .order_by(kind_order, "start", "number")
    )


def default_period(school: School | None, today: datetime.date) -> StudyPeriod | None:
    """The current year's period holding ``today`` (the shortest such), else its first period."""
    periods = list(periods_of_school(school))
    holding = sorted((p for p in periods if p.start <= today <= p.end), key=lambda p: p.end - p.start)
    if holding:
        return holding[0]
    return periods[0] if periods else None
