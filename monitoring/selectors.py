"""The figures of the journal's monitoring (§3.9, §4.1, §4.3, §4.5, §7.2), each computed once here for the
dashboards, their workbooks and the reminders; a school's in a constant number of queries whatever its
size. The numbers themselves come from the rules that own them: the minimum of marks and the averages
from ``journal.statistics``, the plan's coverage from ``journal.selectors.plans.coverage``, who attends a
course from ``journal.selectors.membership``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from accounts.selectors.logins import never_signed_in
from diary.models import WeekAcknowledgement
from journal.models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    Course,
    Enrolment,
    FinalMark,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    ParentLink,
    PlanItem,
    School,
    StudyPeriod,
    TeachingAssignment,
    ThematicPlan,
)
from journal.models.marks import FinalMarkKind
from journal.models.structure import Assessment, PeriodKind
from journal.selectors.class_facts import ClassFacts, classes_facts
from journal.selectors.grading import policy_for
from journal.selectors.marks import assessing_counts
from journal.selectors.membership import Memberships, attends_course, enrolled_on
from journal.selectors.periods import default_period, period_kind_in, period_kinds_by_grade
from journal.selectors.plans import Coverage, coverage
from journal.statistics import minimum_marks
from monitoring.models import ControlCheck, UserDay

# A course this many lessons behind or ahead of its plan is listed (one lesson either way is a timetable's
# ordinary wobble).
PLAN_TOLERANCE = 2
# Final marks are watched from this many days before their deadline.
FINALS_WATCH = datetime.timedelta(days=14)


def year_classes(year: AcademicYear, class_ids: list[int] | None = None) -> list[ClassGroup]:
    classes = ClassGroup.objects.filter(year=year).select_related("year__school").order_by("grade", "letter")
    return list(classes.filter(pk__in=class_ids) if class_ids is not None else classes)


def _names(ids: set[int]) -> dict[int, str]:
    return {u.pk: u.short_name for u in User.objects.filter(pk__in=ids).only("last_name", "first_name", "middle_name")}


def course_teachers(courses: list[Course], day: datetime.date) -> dict[int, list[int]]:
    """Course id → its teachers on ``day`` (the assignments in force), one query."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        TeachingAssignment.objects.filter(course__in=[c.pk for c in courses], date_from__lte=day)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=day))
        .order_by("course_id", "date_from")
        .values_list("course_id", "teacher_id")
    )
    for course_id, teacher_id in rows:
        found[course_id].append(teacher_id)
    return found


# --- Teachers' activity (§4.4) ------------------------------------------------------------------------------


@dataclass
class TeacherWeek:
    teacher_id: int
    name: str = ""
    due: int = 0  # lessons of the timetable up to today, not cancelled
    held: int = 0
    no_topic: int = 0
    no_homework: int = 0
    no_attendance: int = 0  # held, and no absence recorded nor «everyone present» said
    marks: int = 0  # given on the week's lessons, by who entered them
    late_marks: int = 0  # of them, entered after the regulation's term (§4.4)

    @property
    def not_held(self) -> int:
        return self.due - self.held

    @property
    def findings(self) -> int:
        return self.not_held + self.no_topic + self.no_homework + self.no_attendance + self.late_marks


def lessons_due(year: AcademicYear, start: datetime.date, end: datetime.date, today: datetime.date) -> QuerySet[Lesson]:
    """The lessons of the year dated ``start``–``end`` that are not cancelled and are due by ``today`` (today's
    count once held: the day is not over), each with whether it has homework and attendance recorded."""
    return with_filling(
        Lesson.objects.filter(course__class_group__year=year, date__gte=start, date__lte=end)
        .exclude(status=LessonStatus.CANCELLED)
        .exclude(date__gte=today, status=LessonStatus.PLANNED)
    )


def with_filling(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """The lessons, each with whether it has homework and attendance recorded (``has_homework``,
    ``has_attendance``): what the monitoring and the teacher's desk read of a lesson's filling."""
    return lessons.annotate(
        has_homework=Exists(Homework.objects.filter(lesson=OuterRef("pk"))),
        has_attendance=Exists(Attendance.objects.filter(lesson=OuterRef("pk"))),
    )


NO_ATTENDANCE = Q(status=LessonStatus.HELD, attendance_taken_at__isnull=True, has_attendance=False)


def teacher_weeks(
    year: AcademicYear,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    teacher_ids: list[int] | None = None,
) -> list[TeacherWeek]:
    """Per teacher who gave (or was to give) a lesson ``start``–``end``: the week's figures, by name (three
    queries)."""
    lessons = lessons_due(year, start, end, today)
    marks = Mark.objects.filter(lesson__course__class_group__year=year, lesson__date__gte=start, lesson__date__lte=end)
    if teacher_ids is not None:
        lessons, marks = lessons.filter(teacher_id__in=teacher_ids), marks.filter(author_id__in=teacher_ids)
    found: dict[int, TeacherWeek] = {}
    for row in lessons.values("teacher_id").annotate(
        due=Count("pk"),
        held=Count("pk", filter=Q(status=LessonStatus.HELD)),
        no_topic=Count("pk", filter=Q(topic="")),
        no_homework=Count("pk", filter=Q(has_homework=False)),
        no_attendance=Count("pk", filter=NO_ATTENDANCE),
    ):
        if row["teacher_id"] is None:
            continue
        found[row["teacher_id"]] = TeacherWeek(**row)
    for author_id, count, late in (
        marks.values_list("author_id").annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True))).order_by()
    ):
        week = found.setdefault(author_id, TeacherWeek(author_id))
        week.marks, week.late_marks = count, late
    names = _names(set(found))
    for week in found.values():
        week.name = names.get(week.teacher_id, "")
    return sorted(found.values(), key=lambda w: (w.name, w.teacher_id))


def teacher_week_lessons(
    year: AcademicYear, teacher_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> list[Lesson]:
    """The teacher's lessons of the week with what each lacks (the drill-down of :func:`teacher_weeks`)."""
    lessons = (
        lessons_due(year, start, end, today)
        .filter(teacher_id=teacher_id)
        .select_related("course__class_group", "course__subject", "course__subgroup")
        .annotate(
            marks_count=Count("marks", distinct=True),
            late_count=Count("marks", filter=Q(marks__is_late=True), distinct=True),
        )
        .order_by("date", "slot")
    )
    return list(lessons)


# --- Filling of current marks (§6.2) --------------------------------------------------------------------


@dataclass
class CourseFilling:
    course: Course
    period: StudyPeriod
    teachers: list[str]
    students: int
    below: list[str]  # the students with fewer marks than the minimum, by name
    minimum: int

    today: datetime.date

    @property
    def days_left(self) -> int:
        return max((self.period.end - self.today).days, 0)


def _current_facts(
    year: AcademicYear, classes: list[ClassGroup], today: datetime.date
) -> list[tuple[StudyPeriod, ClassFacts]]:
    """Each class's facts over its current period so far (a handful of queries a kind of period)."""
    periods = list(StudyPeriod.objects.filter(year=year).order_by("start", "number"))
    kinds = period_kinds_by_grade(year)
    by_period: dict[int, list[ClassGroup]] = defaultdict(list)
    chosen: dict[int, StudyPeriod] = {}
    for class_group in classes:
        own = [p for p in periods if p.kind == period_kind_in(kinds, class_group.grade)]
        period = default_period(own, today)
        if period is not None:
            by_period[period.pk].append(class_group)
            chosen[period.pk] = period
    found = []
    for period_id, group in by_period.items():
        period = chosen[period_id]
        last = min(period.end, max(today, period.start))
        facts = classes_facts(group, period.start, last)
        found += [(period, facts[c.pk]) for c in group]
    return found


def _at_end(facts: ClassFacts) -> list[tuple[int, str, Memberships, datetime.date]]:
    """The students in the class on the span's last day: (id, name, their subgroups, that day)."""
    return [
        (e.student.pk, e.student.short_name, facts.subgroups.get(e.student.pk, {}), facts.end)
        for e in facts.roster
        if facts.in_class_at_end(e)
    ]


def _attending(at_end: list[tuple[int, str, Memberships, datetime.date]], course: Course) -> list[tuple[int, str]]:
    return [(sid, name) for sid, name, groups, day in at_end if attends_course(course.subgroup_id, groups, day)]


def marks_filling(year: AcademicYear, today: datetime.date, class_ids: list[int] | None = None) -> list[CourseFilling]:
    """Per course of the classes assessed by marks, the students below the minimum of marks for the current
    period so far (:func:`journal.selectors.marks.assessing_counts` against :func:`minimum_marks`, as the
    grid's count shows), with the days left before it ends."""
    classes = year_classes(year, class_ids)
    current = _current_facts(year, classes, today)
    counts: dict[tuple[int, int], int] = {}
    for period in {p.pk: p for p, _f in current}.values():
        group = [f for p, f in current if p.pk == period.pk]
        counts.update(assessing_counts([c.pk for f in group for c in f.courses], period.start, group[0].end))
    policies = {p.pk: policy_for(year.school, p.start) for p in {p.pk: p for p, _f in current}.values()}
    found: list[CourseFilling] = []
    for period, facts in current:
        policy = policies[period.pk]
        at_end = _at_end(facts)
        for course in facts.courses:
            if facts.assessments.get(course.subject_id, Assessment.MARKS) != Assessment.MARKS:
                continue
            minimum = minimum_marks(policy, facts.hours.get(course.subject_id))
            students = _attending(at_end, course)
            below = [name for sid, name in students if counts.get((course.pk, sid), 0) < minimum]
            found.append(CourseFilling(course, period, [], len(students), below, minimum, today))
    teachers = course_teachers([row.course for row in found], today)
    names = _names({t for ids in teachers.values() for t in ids})
    for row in found:
        row.teachers = [names.get(t, "") for t in teachers.get(row.course.pk, [])]
    return found


# --- Material covered (КТП) -----------------------------------------------------------------------------


@dataclass
class CourseCoverage:
    course: Course
    teachers: list[str]
    figures: Coverage | None  # None: the course has no plan


def plan_coverage(year: AcademicYear, today: datetime.date, class_ids: list[int] | None = None) -> list[CourseCoverage]:
    """Every course of the year against its thematic plan on ``today`` (five queries)."""
    courses = list(
        Course.objects.filter(class_group__year=year, **({"class_group__in": class_ids} if class_ids else {}))
        .select_related("class_group", "subject", "subgroup")
        .order_by("class_group__grade", "class_group__letter", "subject__name")
    )
    plans = list(ThematicPlan.objects.filter(year=year).values_list("pk", "course_id", "subject_id", "grade"))
    own = {course_id: pk for pk, course_id, _s, _g in plans if course_id is not None}
    shared = {(subject_id, grade): pk for pk, course_id, subject_id, grade in plans if course_id is None}
    items: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for plan_id, pk, hours in (
        PlanItem.objects.filter(plan__year=year).order_by("order").values_list("plan_id", "pk", "hours")
    ):
        items[plan_id].append((pk, hours))
    lessons = Lesson.objects.filter(course__in=courses).exclude(status=LessonStatus.CANCELLED)
    by_day = dict(lessons.filter(date__lte=today).values_list("course_id").annotate(n=Count("pk")).order_by())
    taught: dict[int, dict[int, int]] = defaultdict(dict)
    for course_id, item_id, n in (
        lessons.filter(status=LessonStatus.HELD, plan_item__isnull=False)
        .values_list("course_id", "plan_item_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        taught[course_id][item_id] = n
    teachers = course_teachers(courses, today)
    names = _names({t for ids in teachers.values() for t in ids})
    found = []
    for course in courses:
        plan = own.get(course.pk) or shared.get((course.subject_id, course.class_group.grade))
        figures = coverage(items[plan], taught[course.pk], by_day.get(course.pk, 0)) if plan else None
        found.append(CourseCoverage(course, [names.get(t, "") for t in teachers.get(course.pk, [])], figures))
    return found


# --- Final marks at the deadline (§6, §7) ---------------------------------------------------------------


@dataclass
class MissingFinals:
    course: Course
    period: StudyPeriod
    teachers: list[int]
    teacher_names: list[str]
    missing: list[str]  # students without the period's mark, by name

    def days_to_deadline(self, today: datetime.date) -> int:
        assert self.period.final_marks_deadline is not None  # noqa: S101 - only such periods are watched
        return (self.period.final_marks_deadline - today).days


def watched_periods(year: AcademicYear, today: datetime.date) -> list[StudyPeriod]:
    """The periods whose final marks are due soon or overdue: per kind, the last whose deadline is no more
    than two weeks ahead."""
    latest: dict[str, StudyPeriod] = {}
    for period in StudyPeriod.objects.filter(
        year=year, final_marks_deadline__isnull=False, final_marks_deadline__lte=today + FINALS_WATCH
    ).order_by("final_marks_deadline"):
        latest[period.kind] = period
    return sorted(latest.values(), key=lambda p: (p.final_marks_deadline, p.kind))


def missing_finals(
    year: AcademicYear,
    today: datetime.date,
    class_ids: list[int] | None = None,
    periods: list[StudyPeriod] | None = None,
) -> list[MissingFinals]:
    """Per course of a watched period (:func:`watched_periods`), the students in the class at the period's end
    attending the course who have no mark for it yet (the subjects assessed by marks or pass/fail)."""
    periods = watched_periods(year, today) if periods is None else periods
    if not periods:
        return []
    kinds = period_kinds_by_grade(year)
    classes = year_classes(year, class_ids)
    found: list[MissingFinals] = []
    for period in periods:
        if period.kind == PeriodKind.YEAR:
            # The year's marks: every class, the mark of kind «year» (stored without a period).
            group = classes
            marks = FinalMark.objects.filter(kind=FinalMarkKind.YEAR, period__isnull=True)
        else:
            group = [c for c in classes if period_kind_in(kinds, c.grade) == period.kind]
            marks = FinalMark.objects.filter(period=period)
        facts = classes_facts(group, period.end, period.end)
        given = set(marks.filter(course__class_group__in=group).values_list("course_id", "student_id"))
        for class_group in group:
            own = facts[class_group.pk]
            at_end = _at_end(own)
            for course in own.courses:
                if own.assessments.get(course.subject_id, Assessment.MARKS) == Assessment.NONE:
                    continue
                missing = [name for sid, name in _attending(at_end, course) if (course.pk, sid) not in given]
                if missing:
                    found.append(MissingFinals(course, period, [], [], missing))
    teachers = course_teachers([row.course for row in found], today)
    names = _names({t for ids in teachers.values() for t in ids})
    for row in found:
        row.teachers = teachers.get(row.course.pk, [])
        row.teacher_names = [names.get(t, "") for t in row.teachers]
    return found


# --- Families and the use of the system (§4.1, §4.5) ------------------------------------------------------


@dataclass
class ClassFamilies:
    class_group: ClassGroup
    parents: int = 0
    parents_never: int = 0  # never signed in (accounts.selectors.logins.never_signed_in)
    week: int = 0  # parents and students of the class in the system this week
    diary_week: int = 0  # of those, who opened a diary this week
    acknowledged: int = 0  # students whose last week a parent acknowledged
    students: int = 0
    never: list[str] = field(default_factory=list)  # parents who never came, by name


def families(
    year: AcademicYear, monday: datetime.date, today: datetime.date, class_ids: list[int] | None = None
) -> list[ClassFamilies]:
    """Per class, its parents (active links of students in the class today) and their use of the diary (five
    queries)."""
    classes = year_classes(year, class_ids)
    rows = {c.pk: ClassFamilies(c) for c in classes}
    day = min(max(today, year.start), year.end)
    students: dict[int, tuple[int, int | None]] = {}  # student id → (class id, the student's login)
    for student_id, class_id, login_id in Enrolment.objects.filter(
        enrolled_on(day), class_group__in=classes
    ).values_list("student_id", "class_group_id", "student__user_id"):
        students[student_id] = (class_id, login_id)
        rows[class_id].students += 1
    links = list(
        ParentLink.objects.filter(student_id__in=list(students), ended_at__isnull=True, parent__is_active=True)
        .values_list("student_id", "parent_id")
        .distinct()
    )
    school = year.school
    every_parent = {parent_id for _student_id, parent_id in links}
    never_ids = set(User.objects.filter(never_signed_in(), pk__in=every_parent).values_list("pk", flat=True))
    week = UserDay.objects.filter(school=school, day__gte=monday, day__lte=today)
    active = set(week.values_list("user_id", flat=True).distinct())
    diary = set(week.filter(opened_diary=True).values_list("user_id", flat=True).distinct())
    parents_of: dict[int, set[int]] = defaultdict(set)
    for student_id, parent_id in links:
        parents_of[students[student_id][0]].add(parent_id)
    # «In the system» and «opened the diary» count the same people, the class's parents and students: one
    # who opened the diary was in the system.
    family: dict[int, set[int]] = defaultdict(set)
    for class_id, parents in parents_of.items():
        family[class_id] |= parents
    for home, login in students.values():
        if login is not None:
            family[home].add(login)
    names = _names(never_ids)
    for class_id, parents in parents_of.items():
        row = rows[class_id]
        row.parents = len(parents)
        never = parents & never_ids
        row.parents_never = len(never)
        row.never = sorted(names[p] for p in never if p in names)
    for class_id, people in family.items():
        rows[class_id].week = len(people & active)
        rows[class_id].diary_week = len(people & diary)
    acknowledged = WeekAcknowledgement.objects.filter(
        week_start=monday - datetime.timedelta(days=7), student_id__in=list(students)
    ).values_list("student_id", flat=True)
    for student_id in set(acknowledged):  # a student's class is the one of this week's roster above
        rows[students[student_id][0]].acknowledged += 1
    return list(rows.values())


@dataclass
class RoleUse:
    role: str
    days: dict[datetime.date, int]  # unique users a day
    month: int  # unique users of the month so far


def use_by_role(school: School, today: datetime.date, days: int = 7) -> tuple[list[datetime.date], list[RoleUse]]:
    """Unique users per role on each of the last ``days`` days and in the month so far (§4.1), two queries."""
    first = today - datetime.timedelta(days=days - 1)
    dates = [first + datetime.timedelta(days=n) for n in range(days)]
    # A user's roles of the school the day was spent in (the values below reuse this membership join).
    used = UserDay.objects.filter(school=school, user__memberships__school=F("school"))
    per_day = (
        used.filter(day__gte=first, day__lte=today)
        .values_list("day", "user__memberships__roles__role")
        .annotate(n=Count("user_id", distinct=True))
    )
    month = (
        used.filter(day__gte=today.replace(day=1), day__lte=today)
        .values_list("user__memberships__roles__role")
        .annotate(n=Count("user_id", distinct=True))
    )
    by_role: dict[str, RoleUse] = {r.value: RoleUse(str(r.label), {}, 0) for r in Role}
    for day, role, n in per_day.order_by():
        if role in by_role:
            by_role[role].days[day] = n
    for role, n in month.order_by():
        if role in by_role:
            by_role[role].month = n
    return dates, list(by_role.values())


# --- Control records (§3.9, §7.2) -----------------------------------------------------------------------


def control_checks(year: AcademicYear, teacher_id: int | None = None) -> QuerySet[ControlCheck]:
    checks = ControlCheck.objects.filter(year=year).select_related(
        "teacher", "author", "course__class_group", "course__subject", "course__subgroup"
    )
    return checks.filter(teacher_id=teacher_id) if teacher_id is not None else checks
