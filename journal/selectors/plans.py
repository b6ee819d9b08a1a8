"""Reading thematic plans (КТП): which plan a course follows, its hours, its progress."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from journal.models import (
    AcademicYear,
    Course,
    CurriculumItem,
    Lesson,
    LessonStatus,
    PlanItem,
    School,
    ThematicPlan,
)
from journal.selectors.calendar import study_weeks
from journal.selectors.scope import courses_taught_by, courses_visible_to

# --- Which plan -----------------------------------------------------------------


def shared_plan_of(course: Course) -> ThematicPlan | None:
    """The plan shared by the course's parallel for its subject, if there is one."""
    return (
        ThematicPlan.objects.filter(
            year_id=course.class_group.year_id,
            subject_id=course.subject_id,
            grade=course.class_group.grade,
            course__isnull=True,
        )
        .select_related("author")
        .first()
    )


def own_plan_of(course: Course) -> ThematicPlan | None:
    return ThematicPlan.objects.filter(course=course).select_related("author").first()


def plan_for_course(course: Course) -> ThematicPlan | None:
    """The course's own plan, else the plan shared by its parallel, else ``None``."""
    plans = list(
        ThematicPlan.objects.filter(
            Q(course=course)
            | Q(
                year_id=course.class_group.year_id,
                subject_id=course.subject_id,
                grade=course.class_group.grade,
                course__isnull=True,
            )
        ).select_related("author")
    )
    own = [p for p in plans if p.course_id == course.pk]
    return own[0] if own else (plans[0] if plans else None)


def plan_items(plan: ThematicPlan | None) -> QuerySet[PlanItem]:
    if plan is None:
        return PlanItem.objects.none()
    return PlanItem.objects.filter(plan=plan).order_by("order")


def plan_item_of(plan: ThematicPlan | None, item_id: int) -> PlanItem:
    """An item of this plan, or 404 (an id of another plan is outside the page's scope)."""
    item = plan_items(plan).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item in this plan")
    return item


# --- Copy sources ----------------------------------------------------------------------


def previous_year(year: AcademicYear) -> AcademicYear | None:
    return AcademicYear.objects.filter(school_id=year.school_id, start__lt=year.start).order_by("-start").first()


def copy_sources_for(user: User, school: School | None, course: Course) -> QuerySet[ThematicPlan]:
    """Plans with items the user may copy into this course's plan.

    The plans of courses of the same subject the user can see (any year), the
    shared plans of the subject, and every plan of the same subject and grade
    from last year (a school's own teaching documents, not personal data).
    """
    if school is None:
        return ThematicPlan.objects.none()
    year = course.class_group.year
    last_year = previous_year(year)
    visible = courses_visible_to(user, school).filter(subject_id=course.subject_id).values("pk")
    sources = Q(course__in=visible) | Q(course__isnull=True, year__school=school, subject_id=course.subject_id)
    if last_year is not None:
        sources |= Q(year=last_year, subject_id=course.subject_id, grade=course.class_group.grade)
    return (
        ThematicPlan.objects.filter(sources, year__school=school)
        .filter(Exists(PlanItem.objects.filter(plan=OuterRef("pk"))))
        .select_related("year", "subject", "course__class_group", "course__subject", "course__subgroup")
        .annotate(total_hours=Sum("items__hours"), item_count=Count("items"))
        .order_by("-year__start", "grade", "course__class_group__letter", "pk")
    )


# --- Hours ---------------------------------------------------------------------------


@dataclass
class HoursCheck:
    """The plan's total hours against the curriculum and the timetable's lessons."""

    plan_hours: int
    hours_per_week: Decimal | None
    weeks: float
    lessons: int

    @property
    def curriculum_hours(self) -> int | None:
        if self.hours_per_week is None:
            return None
        exact = self.hours_per_week * Decimal(str(self.weeks))
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def matches_curriculum(self) -> bool:
        # Weekdays fall unevenly in a year (31 Mondays, 35 Fridays): a plan within
        # one week's hours of hours × weeks matches the curriculum.
        if self.curriculum_hours is None or self.hours_per_week is None:
            return False
        tolerance = max(1, math.ceil(self.hours_per_week))
        return abs(self.plan_hours - self.curriculum_hours) <= tolerance

    @property
    def matches_lessons(self) -> bool:
        return self.plan_hours == self.lessons

    @property
    def ok(self) -> bool:
        return self.matches_curriculum and self.matches_lessons

    @property
    def message(self) -> str:
        """«В плане 96 ч., по учебному плану 5 ч/нед × 33 нед = 165 ч., уроков в расписании 163»."""
        parts = [_("The plan has %(hours)s h") % {"hours": self.plan_hours}]
        if self.hours_per_week is None:
            parts.append(_("the curriculum has no line for this subject in this grade"))
        else:
            parts.append(
                _("the curriculum gives %(per_week)s h/week × %(weeks)s weeks = %(total)s h")
                % {
                    "per_week": _number(self.hours_per_week),
                    "weeks": _number(self.weeks),
                    "total": self.curriculum_hours,
                }
            )
        parts.append(
            ngettext(
                "%(count)s lesson in the timetable",
                "%(count)s lessons in the timetable",
                self.lessons,
            )
            % {"count": self.lessons}
        )
        return ", ".join(parts) + "."


def _number(value: Decimal | float) -> str:
    """5 → «5», 1.5 → «1,5» (Russian decimal comma, no trailing zeros)."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")


def curriculum_hours_per_week(course: Course) -> Decimal | None:
    return (
        CurriculumItem.objects.filter(
            year_id=course.class_group.year_id, grade=course.class_group.grade, subject_id=course.subject_id
        )
        .values_list("hours_per_week", flat=True)
        .first()
    )


def course_lessons(course: Course) -> QuerySet[Lesson]:
    """The course's lessons of its year that are not cancelled, in date order."""
    year = course.class_group.year
    return (
        Lesson.objects.filter(course=course, date__gte=year.start, date__lte=year.end)
        .exclude(status=LessonStatus.CANCELLED)
        .order_by("date", "slot")
    )


def hours_check(course: Course, plan: ThematicPlan | None, items: Iterable[PlanItem] | None = None) -> HoursCheck:
    """``items``: the plan's rows when the caller has them already (saves a query)."""
    if items is not None:
        plan_hours = sum(item.hours for item in items)
    else:
        plan_hours = plan_items(plan).aggregate(total=Sum("hours"))["total"] or 0
    return HoursCheck(
        plan_hours=plan_hours,
        hours_per_week=curriculum_hours_per_week(course),
        weeks=study_weeks(course.class_group.year),
        lessons=course_lessons(course).count(),
    )


# --- The teacher's list of plans -------------------------------------------------------


@dataclass
class CoursePlanStatus:
    course: Course
    plan: ThematicPlan | None
    check: HoursCheck | None
    teaches: bool

    @property
    def has_plan(self) -> bool:
        return self.plan is not None


def plans_overview(user: User, school: School | None, year: AcademicYear | None) -> list[CoursePlanStatus]:
    """Every course of ``year`` the user can see, with the plan it follows and its hours check.

    A fixed number of queries whatever the number of courses: courses with
    their lesson counts, the plans with their hours, the curriculum lines,
    the taught courses, and the calendar.
    """
    if school is None or year is None:
        return []
    visible = courses_visible_to(user, school).filter(class_group__year=year).values("pk")
    # A subquery, not the scope's own joins: those can repeat a course's rows and inflate the count.
    courses = list(
        Course.objects.filter(pk__in=visible)
        .select_related("class_group", "subject", "subgroup")
        .annotate(
            lesson_count=Count(
                "lessons",
                filter=Q(lessons__date__gte=year.start, lessons__date__lte=year.end)
                & ~Q(lessons__status=LessonStatus.CANCELLED),
            )
        )
        .order_by("class_group__grade", "class_group__letter", "subject__name", "subgroup__name")
    )
    plans = list(ThematicPlan.objects.filter(year=year).annotate(total_hours=Sum("items__hours")))
    own = {p.course_id: p for p in plans if p.course_id is not None}
    shared = {(p.subject_id, p.grade): p for p in plans if p.course_id is None}
    curriculum = {
        (c.subject_id, c.grade): c.hours_per_week
        for c in CurriculumItem.objects.filter(year=year).only("subject_id", "grade", "hours_per_week")
    }
    taught = set(courses_taught_by(user, school).filter(class_group__year=year).values_list("pk", flat=True))
    weeks = study_weeks(year) if courses else 0.0
    rows = []
    for course in courses:
        key = (course.subject_id, course.class_group.grade)
        plan = own.get(course.pk) or shared.get(key)
        check = None
        if plan is not None:
            check = HoursCheck(
                plan_hours=plan.total_hours or 0,  # type: ignore[attr-defined]
                hours_per_week=curriculum.get(key),
                weeks=weeks,
                lessons=course.lesson_count,  # type: ignore[attr-defined]
            )
        rows.append(CoursePlanStatus(course=course, plan=plan, check=check, teaches=course.pk in taught))
    return rows


# --- Progress: planned vs taught -------------------------------------------------------------


@dataclass
class ItemProgress:
    item: PlanItem
    planned_from: datetime.date | None = None
    planned_to: datetime.date | None = None
    taught_dates: list[datetime.date] = field(default_factory=list)

    @property
    def taught_hours(self) -> int:
        return len(self.taught_dates)

    @property
    def is_taught(self) -> bool:
        return self.taught_hours >= self.item.hours

    @property
    def is_started(self) -> bool:
        return self.taught_hours > 0


@dataclass
class Progress:
    """The plan of a course against its lessons on ``day``.

    ``planned_by_day``: plan hours that should be covered by ``day`` (the
    course's non-cancelled lessons up to that day, at most the plan's total).
    ``taught``: held lessons of the course linked to the plan's items (each
    item counts at most its own hours). ``behind`` > 0: lessons behind the
    plan; < 0: ahead of it.
    """

    day: datetime.date
    items: list[ItemProgress]
    planned_by_day: int
    taught: int
    plan_hours: int
    unplanned_lessons: int

    @property
    def behind(self) -> int:
        return self.planned_by_day - self.taught

    @property
    def ahead(self) -> int:
        return -self.behind


def plan_progress(course: Course, plan: ThematicPlan | None, day: datetime.date) -> Progress:
    """Each plan item's planned dates (its hours laid over the course's lessons in date
    order) and the dates it was taught (held lessons of this course linked to it)."""
    items = list(plan_items(plan))
    lessons = list(course_lessons(course).only("pk", "date", "slot", "status", "plan_item_id"))
    rows = [ItemProgress(item=item) for item in items]
    position = 0
    for row in rows:
        if position < len(lessons):
            row.planned_from = lessons[position].date
            row.planned_to = lessons[min(position + row.item.hours, len(lessons)) - 1].date
        position += row.item.hours
    plan_hours = position
    taught: dict[int, list[datetime.date]] = defaultdict(list)
    for lesson in lessons:
        if lesson.status == LessonStatus.HELD and lesson.plan_item_id is not None:
            taught[lesson.plan_item_id].append(lesson.date)
    for row in rows:
        row.taught_dates = taught.get(row.item.pk, [])
    lessons_by_day = sum(1 for lesson in lessons if lesson.date <= day)
    figures = coverage(
        [(row.item.pk, row.item.hours) for row in rows], {k: len(v) for k, v in taught.items()}, lessons_by_day
    )
    return Progress(
        day=day,
        items=rows,
        planned_by_day=figures.planned_by_day,
        taught=figures.taught,
        plan_hours=figures.plan_hours,
        unplanned_lessons=max(len(lessons) - plan_hours, 0),
    )


@dataclass(frozen=True)
class Coverage:
    """How far a course is through its plan on a day: what the plan page and the monitoring show."""

    planned_by_day: int
    taught: int
    plan_hours: int

    @property
    def behind(self) -> int:
        """Lessons behind the plan (> 0), ahead of it (< 0)."""
        return self.planned_by_day - self.taught


def coverage(item_hours: Iterable[tuple[int, int]], taught_by_item: dict[int, int], lessons_by_day: int) -> Coverage:
    """The plan's hours that should be covered by the day (the course's lessons so far, at most the plan's
    total) against those taught (held lessons linked to an item, each item counting at most its hours)."""
    items = list(item_hours)
    plan_hours = sum(hours for _pk, hours in items)
    return Coverage(
        planned_by_day=min(lessons_by_day, plan_hours),
        taught=sum(min(taught_by_item.get(pk, 0), hours) for pk, hours in items),
        plan_hours=plan_hours,
    )


# --- The lesson page --------------------------------------------------------------------------


def next_plan_item(course: Course, plan: ThematicPlan | None) -> PlanItem | None:
    """The first item (in order) whose hours the course's held lessons have not used up yet."""
    items = list(
        plan_items(plan).annotate(
            used=Count(
                "lessons",
                filter=Q(lessons__course=course, lessons__status=LessonStatus.HELD),
            )
        )
    )
    for item in items:
        if item.used < item.hours:  # type: ignore[attr-defined]
            return item
    return None


def lessons_of_course(course: Course) -> QuerySet[Lesson]:
    """Every lesson of the course in its year (the right-hand page of the paper journal)."""
    year = course.class_group.year
    return (
        Lesson.objects.filter(course=course, date__gte=year.start, date__lte=year.end)
        .select_related("teacher", "room", "plan_item", "homework")
        .prefetch_related("homework__files")
        .order_by("date", "slot")
    )
