"""The journal's data of the demo school for the year so far: marks, attendance, homework, final marks.

Added last by :class:`demo.builder.DemoSchoolBuilder`, after the planning step, in the same
transaction. Everything is drawn in memory from a handful of queries and written with ``bulk_create``:

- **attendance** (every grade): a few illness streaks of 3–7 school days, single absences (excused,
  unexcused, reason unknown) and late arrivals — about 3–5 % of the lessons a student had;
- **marks** (grades from the policy's ``marks_from_grade`` on, i.e. 2–11; grade 1 keeps attendance only,
  §3.11): on held lessons only, for students enrolled in the class that day (and members of the
  subgroup), present; about 3–6 a student, subject and quarter depending on the weekly hours; a test
  (kind ``test``) marks nearly everyone present; now and then a double mark (position 2); values drawn
  around a per-student ability; the work type and its weight from the lesson's kind; the author is the
  lesson's teacher; ``created_at`` on the lesson's day (a test's: the day its results were given, a day
  or two after it, stored as ``Lesson.results_on``), a few entered a week later (``is_late``);
- **homework** for most held lessons and the next planned ones;
- **final marks** of the finished periods (quarter 1 for grades 2–9; the half-year of grades 10–11 is
  not over before the winter holidays): the suggestion from the weighted average, mostly taken, a few
  differing with a reason; the finished periods are then locked.

Every seeded row gets its baseline history row (created by its author, on its own date), written in
bulk beside it: so the history of a seeded mark begins where the journal's would, and reverting a later
change of it (the compromised-login procedure, §3.16) has the state to go back to.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from journal.models import (
    AcademicYear,
    Attendance,
    ClassGroup,
    Course,
    CurriculumItem,
    Enrolment,
    FinalMark,
    Homework,
    Lesson,
    Mark,
    School,
    StudyPeriod,
    SubgroupMembership,
    WorkType,
)
from journal.models.marks import (
    AttendanceReason,
    AttendanceStatus,
    FinalMarkKind,
    GradingPolicy,
    MarkValue,
)
from journal.models.planning import LessonKind, LessonStatus
from journal.models.structure import Assessment, GradePeriodScheme, PeriodKind
from journal.selectors.grading import default_work_type, marks_allowed, policy_for
from journal.statistics import suggested_mark, weighted_average

BATCH = 2000
# The reason a final mark differs from the suggestion.
DIFFERS_REASON = "по результатам контрольной работы"
NO_MARKS_REASON = "недостаточно отметок: длительные пропуски по болезни"
HOMEWORK_AHEAD_DAYS = 7
NUMERIC = frozenset("2345")
# Teachers' remarks on a few marks (the diary shows them, the weekly printout lists them as «замечания»),
# drawn from a generator of their own so that adding them left every other demo row as it was.
REMARKS: dict[str, tuple[str, ...]] = {
    "2": ("Не выполнено домашнее задание", "Много ошибок, повторить правило", "Работа не закончена"),
    "3": ("Ошибки в вычислениях", "Ответ неполный", "Невнимательно, много исправлений"),
    "4": ("Небольшие неточности", "Хорошо, аккуратнее с оформлением"),
    "5": ("Отличная работа!", "Полный, уверенный ответ"),
}
REMARK_SHARE = {"2": 0.25, "3": 0.06, "4": 0.02, "5": 0.03}


@dataclass
class MarksStats:
    marks: int = 0
    double_marks: int = 0
    late_marks: int = 0
    tests_with_results: int = 0
    absences: int = 0
    late_arrivals: int = 0
    homework: int = 0
    final_marks: int = 0
    final_marks_differing: int = 0
    locked_periods: list[str] = field(default_factory=list)


@dataclass
class _Lesson:
    pk: int
    course_id: int
    date: datetime.date
    slot: int
    kind: str
    status: str
    teacher_id: int | None


def bulk_create_with_baseline(
    model: type[models.Model], rows: list[Any], *, date_field: str, author_field: str = "author_id"
) -> None:
    """``bulk_create`` the rows with their own timestamps and a history row each: «created» by the row's
    author at the row's ``date_field`` (django-simple-history's ``bulk_create_with_history``)."""
    for row in rows:
        row._history_user = User(pk=getattr(row, author_field))  # only its id is written
        row._history_date = getattr(row, date_field)
    with own_timestamps(
        model,
        *[
            f.name
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ],
    ):
        bulk_create_with_history(rows, model, batch_size=BATCH)


@contextmanager
def own_timestamps(model: type[models.Model], *names: str) -> Iterator[None]:
    """Let ``bulk_create`` keep the given ``auto_now``/``auto_now_add`` values (seeded rows are dated
    on their lesson's day). Restores the fields' flags afterwards."""
    saved = []
    for name in names:
        f = model._meta.get_field(name)
        saved.append((f, f.auto_now, f.auto_now_add))  # type: ignore[union-attr]
        f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[union-attr]


def _homework_text(subject: str, n: int, rng: random.Random) -> str:
    """A plausible assignment for the ``n``-th lesson of a subject."""
    s = subject.lower()
    para = max(1, n // 2 + 1)
    if any(w in s for w in ("математ", "алгебр", "геометр", "вероятн")):
        a = 100 + n * 7 + rng.randint(0, 4)
        return rng.choice([f"§ {para}, № {a}–{a + 2}", f"№ {a}, {a + 3}, {a + 5}", f"§ {para}, вопросы 1–4"])
    if "русск" in s:
        return rng.choice([f"Выучить правило на с. {20 + n * 2}", f"Упр. {40 + n * 3}", f"§ {para}, упр. {40 + n * 3}"])
    if "литер" in s or "чтение" in s:
        return rng.choice([f"Читать гл. {para}", f"Выучить стихотворение наизусть (с. {30 + n * 3})"])
    if any(w in s for w in ("англ", "иностр", "немец")):
        return rng.choice([f"Ex. {n % 9 + 1}, p. {30 + n * 2}", f"Учить слова, p. {30 + n * 2}"])
    if "физическ" in s:
        return "Комплекс утренней гимнастики"
    return rng.choice([f"§ {para}, вопросы после параграфа", f"§ {para}, пересказ", f"Читать § {para}"])


class DemoMarks:
    """Draws and writes the journal's data of the demo year (call inside the seeding transaction)."""

    def __init__(
        self,
        *,
        school: School,
        year: AcademicYear,
        today: datetime.date,
        rng: random.Random,
        fallback_author: User,
        step: Callable[[str], None] | None = None,
    ) -> None:
        self.school = school
        self.year = year
        self.today = today
        self.rng = rng
        self.fallback_author = fallback_author
        self.step = step or (lambda _name: None)
        self.stats = MarksStats()
        self.remark_rng = random.Random("teachers' remarks")
        self.tz = timezone.get_current_timezone()

    # -- entry point -------------------------------------------------------------------------------------

    def build(self) -> MarksStats:
        self._load()
        self._results_dates()
        self._attendance()
        self.step("attendance")
        self._marks()
        self.step("marks")
        self._homework()
        self.step("homework")
        self._final_marks()
        self.step("final marks and locked periods")
        return self.stats

    # -- loading -----------------------------------------------------------------------------------------

    def _load(self) -> None:
        year = self.year
        self.policy: GradingPolicy = policy_for(self.school, year.start)
        self.grade_of: dict[int, int] = dict(ClassGroup.objects.filter(year=year).values_list("pk", "grade"))
        self.courses: dict[int, tuple[int, int | None, str]] = {
            pk: (cg, sg, subject)
            for pk, cg, sg, subject in Course.objects.filter(class_group__year=year).values_list(
                "pk", "class_group_id", "subgroup_id", "subject__name"
            )
        }
        # How the curriculum assesses each course: marks, pass/fail (зачёт) or not at all.
        assessment = {
            (grade, subject): kind
            for grade, subject, kind in CurriculumItem.objects.filter(year=year).values_list(
                "grade", "subject__name", "assessment"
            )
        }
        self.assessment: dict[int, str] = {
            pk: assessment.get((self.grade_of[cg], subject), Assessment.MARKS)
            for pk, (cg, _sg, subject) in self.courses.items()
        }
        # Subgroup id → its members with their days in it (dated, like the enrolments).
        self.members: dict[int, list[tuple[int, datetime.date | None, datetime.date | None]]] = defaultdict(list)
        for sg, student, date_from, date_to in SubgroupMembership.objects.filter(
            subgroup__class_group__year=year
        ).values_list("subgroup_id", "student_id", "date_from", "date_to"):
            self.members[sg].append((student, date_from, date_to))
        self.enrolments: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
        for student, cg, date_from, date_to in Enrolment.objects.filter(class_group__year=year).values_list(
            "student_id", "class_group_id", "date_from", "date_to"
        ):
            self.enrolments[cg].append((student, date_from, date_to))
        horizon = self.today + datetime.timedelta(days=HOMEWORK_AHEAD_DAYS)
        self.lessons: list[_Lesson] = [
            _Lesson(*row)
            for row in Lesson.objects.filter(course__class_group__year=year, date__lte=horizon)
            .order_by("date", "slot", "pk")
            .values_list("pk", "course_id", "date", "slot", "kind", "status", "teacher_id")
        ]
        self.held = [x for x in self.lessons if x.status == LessonStatus.HELD]
        # School days of each class (the days it had held lessons), for illness streaks.
        days: dict[int, set[datetime.date]] = defaultdict(set)
        for x in self.held:
            days[self.courses[x.course_id][0]].add(x.date)
        self.class_days = {cg: sorted(d) for cg, d in days.items()}
        self.work_types = list(WorkType.objects.filter(school=self.school, is_active=True))
        self._work_type_cache: dict[str, WorkType | None] = {}
        users = {x.teacher_id for x in self.lessons if x.teacher_id is not None}
        self.authors: dict[int, User] = {u.pk: u for u in User.objects.filter(pk__in=users)}
        # A student's ability (their typical mark) and their subjects' small offsets.
        self.ability: dict[int, float] = {}

    def _students_on(self, course_id: int, day: datetime.date) -> list[int]:
        cg, sg, _subject = self.courses[course_id]
        students = [s for s, start, end in self.enrolments.get(cg, ()) if start <= day and (end is None or end >= day)]
        if sg is not None:
            members = {
                s
                for s, start, end in self.members.get(sg, ())
                if (start is None or start <= day) and (end is None or end >= day)
            }
            students = [s for s in students if s in members]
        return students

    def _ability(self, student: int) -> float:
        if student not in self.ability:
            self.ability[student] = min(4.9, max(2.4, self.rng.gauss(3.9, 0.6)))
        return self.ability[student]

    def _work_type(self, kind: str) -> WorkType | None:
        if kind not in self._work_type_cache:
            self._work_type_cache[kind] = self._find_work_type(kind)
        return self._work_type_cache[kind]

    def _find_work_type(self, kind: str) -> WorkType | None:
        return default_work_type(self.school, kind)

    def _at(self, day: datetime.date, hour: int) -> datetime.datetime:
        minute = self.rng.randint(0, 59)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    # -- the results dates of tests ------------------------------------------------------------------

    def _results_dates(self) -> None:
        """Each held test got its results a day or two later (by the lesson's id, so no random draw is
        used up; never on a Sunday), if that day has come: its marks are entered that day (§4.4)."""
        self.results_on: dict[int, datetime.date] = {}
        by_day: dict[datetime.date, list[int]] = defaultdict(list)
        for lesson in self.held:
            if lesson.kind != LessonKind.TEST:
                continue
            given = lesson.date + datetime.timedelta(days=1 + lesson.pk % 2)
            if given.weekday() == 6:
                given += datetime.timedelta(days=1)
            if given <= self.today:
                self.results_on[lesson.pk] = given
                by_day[given].append(lesson.pk)
        for day, pks in by_day.items():
            for start in range(0, len(pks), 500):
                Lesson.objects.filter(pk__in=pks[start : start + 500]).update(results_on=day)
        self.stats.tests_with_results = len(self.results_on)

    # -- attendance --------------------------------------------------------------------------------------

    def _attendance(self) -> None:
        """Whole days away (illness streaks, single days) and late arrivals, per student of each class."""
        rng = self.rng
        # (student, class) → {day: reason} for whole days away.
        away: dict[tuple[int, int], dict[datetime.date, str]] = {}
        for cg, days in self.class_days.items():
            if not days:
                continue
            students = {s for s, _f, _t in self.enrolments.get(cg, ())}
            for student in sorted(students):
                off: dict[datetime.date, str] = {}
                streaks = 1 if rng.random() < 0.33 else 0
                if rng.random() < 0.06:
                    streaks += 1
                for _ in range(streaks):
                    length = rng.randint(3, 7)
                    start = rng.randrange(len(days))
                    reason: str = AttendanceReason.ILLNESS if rng.random() < 0.9 else AttendanceReason.EXCUSED
                    for day in days[start : start + length]:
                        off[day] = reason
                for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
                    day = rng.choice(days)
                    off.setdefault(
                        day,
                        rng.choice((AttendanceReason.EXCUSED, AttendanceReason.UNEXCUSED, AttendanceReason.UNKNOWN)),
                    )
                if off:
                    away[(student, cg)] = off
        self.away = away
        rows = []
        for lesson in self.held:
            author = self._author(lesson)
            cg = self.courses[lesson.course_id][0]
            for student in self._students_on(lesson.course_id, lesson.date):
                day_off = away.get((student, cg), {}).get(lesson.date)
                if day_off is not None:
                    rows.append(
                        Attendance(
                            lesson_id=lesson.pk,
                            student_id=student,
                            status=AttendanceStatus.ABSENT,
                            reason=day_off,
                            author_id=author,
                            updated_at=self._at(lesson.date, 15),
                        )
                    )
                    self.stats.absences += 1
                elif lesson.slot == 1 and rng.random() < 0.02 or rng.random() < 0.002:
                    rows.append(
                        Attendance(
                            lesson_id=lesson.pk,
                            student_id=student,
                            status=AttendanceStatus.LATE,
                            author_id=author,
                            updated_at=self._at(lesson.date, 15),
                        )
                    )
                    self.stats.late_arrivals += 1
        bulk_create_with_baseline(Attendance, rows, date_field="updated_at")

    def _author(self, lesson: _Lesson) -> int:
        return lesson.teacher_id if lesson.teacher_id is not None else self.fallback_author.pk

    def _present(self, lesson: _Lesson, student: int) -> bool:
        cg = self.courses[lesson.course_id][0]
        return lesson.date not in self.away.get((student, cg), {})

    # -- marks -------------------------------------------------------------------------------------------

    def _marks(self) -> None:
        rng = self.rng
        policy = self.policy
        lowest = policy.lowest_mark
        # Per course and quarter-like stretch: how likely an ordinary lesson gives a student a mark.
        by_course: dict[int, list[_Lesson]] = defaultdict(list)
        for lesson in self.held:
            by_course[lesson.course_id].append(lesson)
        offset: dict[tuple[int, str], float] = {}
        rows: list[Mark] = []
        self.marks_by: dict[tuple[int, int], list[Mark]] = defaultdict(list)  # (course, student) → marks
        for course_id, lessons in by_course.items():
            cg, _sg, subject = self.courses[course_id]
            if not marks_allowed(policy, self.grade_of[cg]) or self.assessment[course_id] == Assessment.NONE:
                continue
            pass_fail = self.assessment[course_id] == Assessment.PASS_FAIL
            weeks = max(1.0, (lessons[-1].date - lessons[0].date).days / 7 + 1)
            hours = len(lessons) / weeks
            # About 3 marks a quarter (8 weeks) at 1 hour a week, 4–5 at 2 hours, 5–6 at 3 or more,
            # tests included: the ordinary lessons make up the rest.
            target = 3.2 if hours < 1.5 else 4.5 if hours < 2.5 else 5.6
            per_quarter = 8 * hours
            tests = per_quarter * sum(1 for x in lessons if x.kind == LessonKind.TEST) / len(lessons)
            p = max(0.05, min(0.9, (target - 0.95 * tests) / max(1.0, per_quarter - tests)))
            for lesson in lessons:
                work_type = self._work_type(lesson.kind)
                weight = work_type.weight if work_type is not None else Decimal(1)
                wt_id = work_type.pk if work_type is not None else None
                share = 0.95 if lesson.kind == LessonKind.TEST else p * (1.6 if lesson.kind != "ordinary" else 1)
                author = self._author(lesson)
                for student in self._students_on(course_id, lesson.date):
                    if not self._present(lesson, student) or rng.random() >= share:
                        continue
                    key = (student, subject)
                    if key not in offset:
                        offset[key] = rng.gauss(0, 0.3)
                    mean = self._ability(student) + offset[key]
                    created = self._at(self.results_on.get(lesson.pk, lesson.date), rng.randint(13, 20))
                    late = False
                    if rng.random() < 0.02 and lesson.date + datetime.timedelta(days=8) <= self.today:
                        created = self._at(lesson.date + datetime.timedelta(days=rng.randint(8, 10)), 19)
                        late = True
                    value = self._pass_fail(mean) if pass_fail else self._value(mean, lowest)
                    mark = Mark(
                        lesson_id=lesson.pk,
                        student_id=student,
                        position=1,
                        value=value,
                        work_type_id=wt_id,
                        weight=weight,
                        is_late=late,
                        comment=self._remark(value),
                        author_id=author,
                        created_at=created,
                        updated_at=created,
                    )
                    rows.append(mark)
                    self.marks_by[(course_id, student)].append(mark)
                    mark.lesson_date = lesson.date  # type: ignore[attr-defined]
                    self.stats.late_marks += late
                    if value in NUMERIC and lesson.kind == LessonKind.ORDINARY and rng.random() < 0.03:
                        # A second mark in the cell (numeric courses only: value in NUMERIC).
                        second = Mark(
                            lesson_id=lesson.pk,
                            student_id=student,
                            position=2,
                            value=self._value(mean + 0.3, lowest),
                            work_type_id=wt_id,
                            weight=weight,
                            is_late=late,
                            author_id=author,
                            created_at=created,
                            updated_at=created,
                        )
                        second.lesson_date = lesson.date  # type: ignore[attr-defined]
                        rows.append(second)
                        self.marks_by[(course_id, student)].append(second)
                        self.stats.double_marks += 1
        bulk_create_with_baseline(Mark, rows, date_field="created_at")
        self.stats.marks = len(rows)

    def _remark(self, value: str) -> str:
        share = REMARK_SHARE.get(value)
        if share is None or self.remark_rng.random() >= share:
            return ""
        return self.remark_rng.choice(REMARKS[value])

    def _pass_fail(self, mean: float) -> str:
        """A pass/fail subject's mark: зачёт, rarely незачёт (more often for a weaker student)."""
        return MarkValue.FAIL.value if self.rng.random() < max(0.01, 0.12 * (3.4 - mean)) else MarkValue.PASS.value

    def _value(self, mean: float, lowest: int) -> str:
        if self.rng.random() < 0.002:
            return MarkValue.NOT_ATTESTED.value
        drawn = round(self.rng.gauss(mean, 0.75))
        return str(min(5, max(lowest, drawn)))

    # -- homework ----------------------------------------------------------------------------------------

    def _homework(self) -> None:
        rng = self.rng
        by_course: dict[int, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            if lesson.status != LessonStatus.CANCELLED:
                by_course[lesson.course_id].append(lesson)
        rows = []
        for course_id, lessons in by_course.items():
            subject = self.courses[course_id][2]
            for n, lesson in enumerate(lessons):
                if lesson.status == LessonStatus.PLANNED and lesson.date < self.today:
                    continue
                if rng.random() >= (0.85 if lesson.status == LessonStatus.HELD else 0.7):
                    continue
                due = lessons[n + 1].date if n + 1 < len(lessons) else None
                when = self._at(min(lesson.date, self.today), 16)
                rows.append(
                    Homework(
                        lesson_id=lesson.pk,
                        text=_homework_text(subject, n, rng),
                        due_date=due,
                        author_id=self._author(lesson),
                        updated_at=when,
                    )
                )
        bulk_create_with_baseline(Homework, rows, date_field="updated_at")
        self.stats.homework = len(rows)

    # -- final marks -------------------------------------------------------------------------------------

    def _final_marks(self) -> None:
        """Final marks of the periods over by today, then those periods locked."""
        rng = self.rng
        kinds = dict(GradePeriodScheme.objects.filter(year=self.year).values_list("grade", "kind"))
        periods = list(StudyPeriod.objects.filter(year=self.year, end__lt=self.today).order_by("start"))
        if not periods:
            return
        final_kind = {
            PeriodKind.QUARTER.value: FinalMarkKind.QUARTER,
            PeriodKind.HALF_YEAR.value: FinalMarkKind.HALF_YEAR,
            PeriodKind.TRIMESTER.value: FinalMarkKind.TRIMESTER,
        }
        teacher_in: dict[tuple[int, int], int] = {}  # (course, period) → the teacher of most of its lessons
        counts: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for lesson in self.held:
            for period in periods:
                if period.start <= lesson.date <= period.end:
                    counts[(lesson.course_id, period.pk)][self._author(lesson)] += 1
        for key, by_teacher in counts.items():
            teacher_in[key] = max(by_teacher.items(), key=lambda kv: (kv[1], -kv[0]))[0]
        rows = []
        used: set[int] = set()
        for course_id, (cg, _sg, _subject) in sorted(self.courses.items()):
            grade = self.grade_of[cg]
            if not marks_allowed(self.policy, grade) or self.assessment[course_id] == Assessment.NONE:
                continue
            pass_fail = self.assessment[course_id] == Assessment.PASS_FAIL
            kind = kinds.get(grade, PeriodKind.QUARTER.value)
            for period in periods:
                if period.kind != kind or period.kind not in final_kind:
                    continue
                author = teacher_in.get((course_id, period.pk))
                if author is None:
                    continue
                policy = policy_for(self.school, period.start)
                used.add(period.pk)
                for student in self._students_on(course_id, period.end):
                    marks = [
                        x
                        for x in self.marks_by.get((course_id, student), [])
                        if period.start <= x.lesson_date <= period.end  # type: ignore[attr-defined]
                    ]
                    suggested = suggested_mark(weighted_average(marks), policy)  # as the final-marks page
                    value, reason = suggested, ""
                    if pass_fail and marks:
                        # Зачёт unless most of the period's marks were незачёт (no suggestion: the teacher decides).
                        failed = sum(x.value == MarkValue.FAIL.value for x in marks) * 2 > len(marks)
                        value = MarkValue.FAIL.value if failed else MarkValue.PASS.value
                    elif not suggested:
                        value, reason = MarkValue.NOT_ATTESTED.value, NO_MARKS_REASON
                    elif rng.random() < 0.04:
                        low = policy.lowest_mark
                        value = str(min(5, max(low + 1, int(suggested) + rng.choice((-1, 1)))))
                        reason = DIFFERS_REASON if value != suggested else ""
                    self.stats.final_marks_differing += bool(suggested) and value != suggested
                    rows.append(
                        FinalMark(
                            course_id=course_id,
                            student_id=student,
                            kind=final_kind[period.kind],
                            period_id=period.pk,
                            value=value,
                            suggested=suggested,
                            reason=reason,
                            author_id=author,
                            updated_at=datetime.datetime.combine(period.end, datetime.time(17), tzinfo=self.tz),
                        )
                    )
        bulk_create_with_baseline(FinalMark, rows, date_field="updated_at")
        self.stats.final_marks = len(rows)
        StudyPeriod.objects.filter(pk__in=used).update(is_locked=True)
        self.stats.locked_periods = [str(p) for p in periods if p.pk in used]
