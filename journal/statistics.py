"""Every number the journal shows about marks, computed once: the grid, the diary, the printout, the final
marks and the reports all call these.

Pure functions over marks' values and weights (no queries): what feeds them is read by
:mod:`journal.selectors.marks`, which also holds the rule of which marks count (not those of a
cancelled lesson).

- **A student's figures in a course** (DESIGN.md, "Grading policy"): the weighted average
  Σ(mark × weight) / Σ(weight) over numeric marks, two decimals rounded half up; the count of marks
  that assess (every mark but н/а and осв.) against the policy's minimum for the subject's weekly
  hours (§6.2); the suggested period mark the average rounds to under the policy's thresholds (§2.8).
- **The year**: the year mark suggested from the mean of the numeric period marks, the final mark from
  the year and exam marks.
- **A class's results in a subject** (the reports, §4.3, §4.5):
  успеваемость % = (n5 + n4 + n3) / N × 100, качество % = (n5 + n4) / N × 100,
  СОУ % = (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·n(н/а)) / N, средний балл = the mean of the numeric
  marks; N = the students counted minus the exempt (осв.) and those with no mark; н/а stays in N.
- **A student's standing over all subjects** (the class teacher's report, the forecast): the lowest
  result, which files the student as отличник, ударник, with one «4» or «3», неуспевающий.
- **A class as a whole** (:class:`ClassFigures`, the convention schools sign): успеваемость and качество
  by the student (over the standings), СОУ and средний балл over every period mark of its students.
- **A student's forecast in a course** (§2.8, :func:`forecast_mark`): the mark the average so far rounds
  to, flagged «few marks» while the minimum can still be reached in the lessons left, н/а only once it
  cannot.
- **Attendance**: lessons missed by reason, late arrivals, days missed whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from journal.models import GradingPolicy
from journal.models.marks import NUMERIC_MARKS, MarkValue

# Marks that say the student was not assessed: they count neither in the average nor towards the minimum.
NOT_ASSESSED = frozenset({MarkValue.NOT_ATTESTED.value, MarkValue.EXEMPT.value})
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


class Weighted(Protocol):
    """A mark as the statistics see it: its value ("5", "зч", "на" …) and its work type's weight."""

    @property
    def value(self) -> str: ...

    @property
    def weight(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class MarkFacts:
    """The two columns of a mark the statistics read (the selectors read just these)."""

    value: str
    weight: Decimal


# --- A student's figures in a course ------------------------------------------------------------


def weighted_average(marks: Iterable[Weighted]) -> Decimal | None:
    """Σ(mark × weight) / Σ(weight) over numeric marks, two decimals; ``None`` without any."""
    total = Decimal(0)
    weights = Decimal(0)
    for mark in marks:
        if mark.value in NUMERIC_MARKS:
            total += Decimal(mark.value) * mark.weight
            weights += mark.weight
    if not weights:
        return None
    return (total / weights).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def assessing_count(marks: Iterable[Weighted]) -> int:
    """How many of the marks assess the student: all but н/а and осв. (зачёт/незачёт count)."""
    return sum(1 for mark in marks if mark.value not in NOT_ASSESSED)


def suggested_mark(average: Decimal | None, policy: GradingPolicy) -> str:
    """The period mark the average rounds to under the policy's thresholds ("" without marks)."""
    if average is None:
        return ""
    if average >= policy.threshold_5:
        return "5"
    if average >= policy.threshold_4:
        return "4"
    if average >= policy.threshold_3:
        return "3"
    return "2" if policy.lowest_mark == 2 or average >= Decimal("1.60") else "1"


def minimum_marks(policy: GradingPolicy, hours_per_week: Decimal | float | None) -> int:
    """How many marks a sound period mark needs (§6.2), by the subject's weekly hours."""
    hours = Decimal(str(hours_per_week or 1))
    if hours >= 3:
        return policy.min_marks_3h
    if hours >= 2:
        return policy.min_marks_2h
    return policy.min_marks_1h


@dataclass(frozen=True, slots=True)
class Summary:
    """A student's figures in a course over a period (or part of one)."""

    average: Decimal | None
    count: int  # marks that assess (:func:`assessing_count`)
    suggested: str
    minimum: int

    @property
    def below_minimum(self) -> bool:
        """Too few marks for a sound period mark (§6.2)."""
        return self.count < self.minimum

    @property
    def average_text(self) -> str:
        """The average as every screen shows it: two places in the language's format (4,50 in Russian)."""
        return "" if self.average is None else number_format(self.average, decimal_pos=2)


def summarise(marks: Iterable[Weighted], policy: GradingPolicy, hours_per_week: Decimal | float | None) -> Summary:
    """The figures of one student in one course from the marks that count (:mod:`journal.selectors.marks`).

    ``policy`` is the one in force at the period's start: a later version never rewrites a period.
    """
    marks = list(marks)
    average = weighted_average(marks)
    return Summary(
        average=average,
        count=assessing_count(marks),
        suggested=suggested_mark(average, policy),
        minimum=minimum_marks(policy, hours_per_week),
    )


# --- The year -----------------------------------------------------------------------------------


def year_mark_suggestion(period_values: Iterable[str], policy: GradingPolicy) -> str:
    """The mean of the numeric period marks, rounded by the policy's thresholds.

    н/а, осв. and зачёт/незачёт periods are left out; without a numeric period mark: no suggestion.
    """
    values = [Decimal(v) for v in period_values if v in NUMERIC_MARKS]
    if not values:
        return ""
    average = (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return suggested_mark(average, policy)


def final_mark_suggestion(year_value: str, exam_value: str) -> str:
    """The final mark («итоговая») from the year and exam marks.

    Both numeric: their mean rounded half up (4 and 5 give 5), as the certificate rules do; without a
    numeric exam mark it is the year mark; without a year mark there is no suggestion.
    """
    if not year_value:
        return ""
    if year_value in NUMERIC_MARKS and exam_value in NUMERIC_MARKS:
        mean = (Decimal(year_value) + Decimal(exam_value)) / 2
        return str(int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return year_value


# --- A class's results (reports) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Results:
    """How many students got each mark (one mark a student: a period, year or final mark)."""

    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    n1: int = 0
    not_attested: int = 0  # н/а: stays in N
    exempt: int = 0  # осв.: out of N
    passed: int = 0  # зачёт
    failed: int = 0  # незачёт
    no_mark: int = 0  # out of N

    @property
    def base(self) -> int:
        """N: the students with a mark, not exempt (н/а stays in)."""
        return self.graded_base + self.passed + self.failed

    @property
    def graded_base(self) -> int:
        """N of the level figures (качество, СОУ): the students with a numeric mark or н/а.

        зачёт/незачёт says nothing of the level, so a pass/fail subject has none of those figures.
        """
        return self.n5 + self.n4 + self.n3 + self.n2 + self.n1 + self.not_attested

    @property
    def succeeding(self) -> int:
        """Students with a positive result: 5, 4, 3 or зачёт."""
        return self.n5 + self.n4 + self.n3 + self.passed

    @property
    def students(self) -> int:
        """Every student counted, with or without a mark."""
        return self.base + self.exempt + self.no_mark


def count_results(values: Iterable[str | None]) -> Results:
    """The counts of the marks of a class's students (``None`` or "" for a student without one)."""
    counts = dict.fromkeys(("5", "4", "3", "2", "1", "на", "осв", "зч", "нз", ""), 0)
    for value in values:
        counts[value or ""] = counts.get(value or "", 0) + 1
    return Results(
        n5=counts["5"],
        n4=counts["4"],
        n3=counts["3"],
        n2=counts["2"],
        n1=counts["1"],
        not_attested=counts["на"],
        exempt=counts["осв"],
        passed=counts["зч"],
        failed=counts["нз"],
        no_mark=counts[""],
    )


def _percent(part: int | Decimal, base: int) -> Decimal | None:
    if not base:
        return None
    return (Decimal(part) * 100 / base).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def success_percent(results: Results) -> Decimal | None:
    """Успеваемость: (n5 + n4 + n3) / N × 100 (зачёт counts as a positive result); ``None`` when N is 0."""
    return _percent(results.succeeding, results.base)


def quality_percent(results: Results) -> Decimal | None:
    """Качество: (n5 + n4) / N × 100 over the graded students; ``None`` without any (a pass/fail subject)."""
    return _percent(results.n5 + results.n4, results.graded_base)


def sou_percent(results: Results) -> Decimal | None:
    """СОУ (степень обученности): (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·n(н/а)) / N over the graded students
    (a 1 weighs as a 2); ``None`` without any."""
    if not results.graded_base:
        return None
    points = 100 * results.n5 + 64 * results.n4 + 36 * results.n3 + 16 * (results.n2 + results.n1)
    points += 7 * results.not_attested
    return (Decimal(points) / results.graded_base).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def mean_mark(results: Results) -> Decimal | None:
    """Средний балл: the mean of the numeric marks (н/а, осв., зачёт left out); ``None`` without one."""
    numeric = results.n5 + results.n4 + results.n3 + results.n2 + results.n1
    if not numeric:
        return None
    total = 5 * results.n5 + 4 * results.n4 + 3 * results.n3 + 2 * results.n2 + results.n1
    return (Decimal(total) / numeric).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- A student over all subjects -----------------------------------------------------------------------

_FAILING = frozenset({"1", "2", MarkValue.FAIL.value})


@dataclass(frozen=True, slots=True)
class Standing:
    """A student's results over their subjects in a period (one mark a subject)."""

    lowest: str  # one mark for :func:`count_results`: "1"–"5", "на", "зч", "осв" or ""
    fours: int
    threes: int
    not_attested: bool  # н/а in some subject (whatever else)

    @property
    def excellent(self) -> bool:
        """Отличник: only 5 (зачёт and осв. aside)."""
        return self.lowest == "5"

    @property
    def good(self) -> bool:
        """Ударник: 4 and 5, at least one 4 (those with one «4» among them)."""
        return self.lowest == "4"

    @property
    def one_four(self) -> bool:
        return self.lowest == "4" and self.fours == 1

    @property
    def one_three(self) -> bool:
        return self.lowest == "3" and self.threes == 1

    @property
    def failing(self) -> bool:
        """Неуспевающий: a 2 (or 1, or незачёт) in some subject."""
        return self.lowest in ("1", "2")


def standing(values: Iterable[str | None]) -> Standing:
    """The standing of a student from their marks of the subjects (``None`` or "" where none).

    The lowest result, in this order: 1; 2 or незачёт; н/а; the lowest numeric mark; зачёт; осв. (exempt
    from every subject); "" without any mark.
    """
    marks = [value for value in values if value]
    numeric = [value for value in marks if value in NUMERIC_MARKS]
    if "1" in marks:
        lowest = "1"
    elif any(value in _FAILING for value in marks):
        lowest = "2"
    elif MarkValue.NOT_ATTESTED in marks:
        lowest = MarkValue.NOT_ATTESTED.value
    elif numeric:
        lowest = min(numeric)
    elif MarkValue.PASS in marks:
        lowest = MarkValue.PASS.value
    elif marks:
        lowest = MarkValue.EXEMPT.value
    else:
        lowest = ""
    return Standing(
        lowest=lowest,
        fours=marks.count("4"),
        threes=marks.count("3"),
        not_attested=MarkValue.NOT_ATTESTED in marks,
    )


# --- A class as a whole -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassFigures:
    """A class (or several) as a whole over a period: the convention of the figures a school signs.

    By the student, over each student's :func:`standing` (its lowest result counted as one mark a student;
    N = the students with a mark, not exempt from every subject):

    - успеваемость % = (students with neither «2» (1, незачёт) nor н/а) / N × 100;
    - качество % = (students with only «4» and «5», зачёт and осв. aside) / N × 100.

    Over every period mark of the students (one mark a student × subject: n5 … n2 and н/а of every student
    in every subject; a 1 weighs as a 2; зачёт, незачёт, осв. and a missing mark left out):

    - СОУ % = (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·n(н/а)) / (n5 + n4 + n3 + n2 + n(н/а));
    - средний балл = (5·n5 + 4·n4 + 3·n3 + 2·n2) / (n5 + n4 + n3 + n2).
    """

    students: Results  # one mark a student: the lowest of their standing
    marks: Results  # every mark of every student × subject

    @property
    def success(self) -> Decimal | None:
        return success_percent(self.students)

    @property
    def quality(self) -> Decimal | None:
        return quality_percent(self.students)

    @property
    def sou(self) -> Decimal | None:
        return sou_percent(self.marks)

    @property
    def mean(self) -> Decimal | None:
        return mean_mark(self.marks)


# What a report prints under a table with a row of the class (or the school) as a whole.
CLASS_FIGURES_NOTE = _(
    "The class as a whole: success and quality by the student (success: no «2» and no н/а; quality: only «4» "
    "and «5»); СОУ = (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·n(н/а)) / (n5 + n4 + n3 + n2 + n(н/а)) and the mean "
    "mark = (5·n5 + 4·n4 + 3·n3 + 2·n2) / (n5 + n4 + n3 + n2) over all the period marks of its students in "
    "every subject."
)


def class_figures(students: Iterable[Iterable[str | None]]) -> ClassFigures:
    """The figures of a class as a whole from each student's marks of the subjects (``None`` or "" where
    none): see :class:`ClassFigures`."""
    rows = [list(values) for values in students]
    return ClassFigures(
        students=count_results(standing(values).lowest for values in rows),
        marks=count_results(value for values in rows for value in values if value),
    )


def combined_figures(parts: Iterable[ClassFigures]) -> ClassFigures:
    """Several classes as one (the school's row): their students and their marks together."""
    parts = list(parts)

    def total(side: str) -> Results:
        found = [getattr(part, side) for part in parts]
        return Results(**{f.name: sum(getattr(r, f.name) for r in found) for f in fields(Results)})

    return ClassFigures(students=total("students"), marks=total("marks"))


# --- A student's forecast in a course -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forecast:
    """The period mark a student's figures in a course point to (§2.8)."""

    value: str  # "5"…"1", "зч"/"нз" (a pass/fail subject), "на", or "" with no mark to project from
    few_marks: bool = False  # fewer marks than the minimum so far, the minimum still reachable


def forecast_mark(
    marks: Iterable[Weighted], summary: Summary, lessons_left: int, *, pass_fail: bool = False
) -> Forecast:
    """The period mark a course's figures point to now (§2.8), projected over the lessons left.

    The mark the average so far rounds to (:attr:`Summary.suggested`; a pass/fail subject: зачёт when at
    least half of its зачёт/незачёт marks are зачёт, else незачёт), flagged ``few_marks`` while the marks are
    fewer than the minimum (§6.2) but the ``lessons_left`` of the period can still bring them to it; н/а
    only when they can no longer: count + lessons left < minimum.
    """
    if summary.count + lessons_left < summary.minimum:
        return Forecast(MarkValue.NOT_ATTESTED.value)
    value = summary.suggested
    if pass_fail:
        values = [mark.value for mark in marks]
        passes, fails = values.count(MarkValue.PASS.value), values.count(MarkValue.FAIL.value)
        value = "" if not passes + fails else MarkValue.PASS.value if passes >= fails else MarkValue.FAIL.value
    return Forecast(value, summary.below_minimum)


# --- Attendance ---------------------------------------------------------------------------------


# The reasons of a lesson missed, in the order every report splits them ("unknown": not yet confirmed).
ABSENCE_REASONS = ("illness", "excused", "unexcused", "unknown")


@dataclass(frozen=True, slots=True)
class AttendanceCounts:
    """Lessons missed, by reason, and late arrivals (a row per student and lesson: absent or late)."""

    illness: int = 0
    excused: int = 0
    unexcused: int = 0
    unknown: int = 0  # the reason not yet confirmed (the class teacher confirms it, §4.3)
    late: int = 0

    @property
    def missed(self) -> int:
        """Lessons missed, whatever the reason (a late arrival is not a miss)."""
        return self.illness + self.excused + self.unexcused + self.unknown

    def by_reason(self) -> list[tuple[str, int]]:
        """The lessons missed split by every reason a school uses, in the order of the reports' columns
        (illness Б, excused УП, unexcused НП, not yet confirmed Н): they add up to :attr:`missed`."""
        return [(reason, getattr(self, reason)) for reason in ABSENCE_REASONS]


def count_attendance(rows: Iterable[tuple[str, str]]) -> AttendanceCounts:
    """The counts of attendance rows given as (status, reason)."""
    counts = dict.fromkeys(("illness", "excused", "unexcused", "unknown", "late"), 0)
    for status, reason in rows:
        key = "late" if status == "late" else (reason if reason in counts else "unknown")
        counts[key] += 1
    return AttendanceCounts(**counts)


def full_days_missed(lessons: Mapping[datetime.date, int], absences: Mapping[datetime.date, int]) -> int:
    """Days the student missed whole: absent from every lesson they had that day (``lessons``: a day →
    the student's lessons that counted; ``absences``: a day → the lessons missed)."""
    return sum(1 for day, missed in absences.items() if missed and missed >= lessons.get(day, 0) > 0)
