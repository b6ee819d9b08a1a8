"""The numbers of journal.statistics, checked against figures computed by hand (DESIGN.md, "Grading policy")."""

from __future__ import annotations

import datetime
from decimal import Decimal

from journal.models import GradingPolicy
from journal.statistics import (
    Forecast,
    MarkFacts,
    class_figures,
    combined_figures,
    count_attendance,
    count_results,
    final_mark_suggestion,
    forecast_mark,
    full_days_missed,
    mean_mark,
    quality_percent,
    sou_percent,
    standing,
    success_percent,
    summarise,
    weighted_average,
    year_mark_suggestion,
)

POLICY = GradingPolicy()  # the defaults: 5 from 4.60, 4 from 3.60, 3 from 2.60; minimum 3 / 5 / 7


def marks(*pairs: tuple[str, str]) -> list[MarkFacts]:
    return [MarkFacts(value, Decimal(weight)) for value, weight in pairs]


def test_the_weighted_average_leaves_non_numeric_marks_out_and_rounds_half_up() -> None:
    # (5·1 + 4·3 + 3·2) / (1 + 3 + 2) = 23 / 6 = 3.8333… → 3.83
    assert weighted_average(marks(("5", "1"), ("4", "3"), ("3", "2"), ("зч", "1"), ("на", "1"))) == Decimal("3.83")
    # (4·1 + 5·1) / 2 = 4.5 exactly; (2·1 + 3·2) / 3 = 2.6666… → 2.67
    assert weighted_average(marks(("4", "1"), ("5", "1"))) == Decimal("4.50")
    assert weighted_average(marks(("2", "1"), ("3", "2"))) == Decimal("2.67")
    assert weighted_average(marks(("зч", "1"), ("осв", "1"))) is None


def test_a_summary_counts_the_marks_that_assess_against_the_minimum_of_the_weekly_hours() -> None:
    summary = summarise(marks(("5", "1"), ("5", "3"), ("4", "1"), ("зч", "1"), ("на", "1"), ("осв", "1")), POLICY, 2)
    # (5 + 15 + 4) / 5 = 4.80 → 5; five marks assess (н/а and осв. do not): the minimum at 2 hours is 5.
    assert (summary.average, summary.suggested, summary.count, summary.minimum) == (Decimal("4.80"), "5", 4, 5)
    assert summary.below_minimum
    assert summarise(marks(("3", "1")) * 7, POLICY, Decimal("3.5")).below_minimum is False
    assert summarise([], POLICY, None).suggested == ""


def test_the_thresholds_round_the_average() -> None:
    assert [summarise(marks((v, "1")), POLICY, 1).suggested for v in "5432"] == ["5", "4", "3", "2"]
    # 4.59 is a 4, 4.60 a 5 (the thresholds are «from»).
    assert summarise(marks(("5", "59"), ("4", "41")), POLICY, 1).suggested == "4"
    assert summarise(marks(("5", "6"), ("4", "4")), POLICY, 1).suggested == "5"


def test_the_year_and_final_suggestions() -> None:
    # Periods 5, 4, 4, зач: (5 + 4 + 4) / 3 = 4.33 → 4; the exam 5 with the year 4 gives 5 (4.5 half up).
    assert year_mark_suggestion(["5", "4", "4", "зч"], POLICY) == "4"
    assert final_mark_suggestion("4", "5") == "5"
    assert final_mark_suggestion("4", "") == "4"
    assert final_mark_suggestion("", "5") == ""


def test_a_class_report_computes_success_quality_sou_and_the_mean_as_schools_do() -> None:
    # 25 students: 5 fives, 9 fours, 7 threes, 2 twos, 1 н/а, 1 exempt (out of N). N = 24.
    results = count_results(["5"] * 5 + ["4"] * 9 + ["3"] * 7 + ["2"] * 2 + ["на", "осв"])
    assert (results.base, results.students) == (24, 25)
    # успеваемость (5 + 9 + 7) / 24 = 87.5 %; качество (5 + 9) / 24 = 58.33… → 58.3 %
    assert success_percent(results) == Decimal("87.5")
    assert quality_percent(results) == Decimal("58.3")
    # СОУ (100·5 + 64·9 + 36·7 + 16·2 + 7·1) / 24 = (500 + 576 + 252 + 32 + 7) / 24 = 1367 / 24 = 56.96 → 57.0
    assert sou_percent(results) == Decimal("57.0")
    # средний балл (25 + 36 + 21 + 4) / 23 = 86 / 23 = 3.739… → 3.74 (н/а is no number)
    assert mean_mark(results) == Decimal("3.74")


def test_students_without_a_mark_and_the_exempt_are_out_of_n_and_nothing_divides_by_zero() -> None:
    results = count_results(["5", "4", None, "", "осв"])
    assert (results.base, results.no_mark, results.exempt) == (2, 2, 1)
    assert success_percent(results) == Decimal("100.0")
    empty = count_results([None, "осв"])
    assert (success_percent(empty), quality_percent(empty), sou_percent(empty), mean_mark(empty)) == (
        None,
        None,
        None,
        None,
    )


def test_a_pass_fail_subject_has_a_success_rate_but_no_quality_or_level() -> None:
    results = count_results(["зч"] * 9 + ["нз"])
    assert success_percent(results) == Decimal("90.0")
    assert (quality_percent(results), sou_percent(results), mean_mark(results)) == (None, None, None)


def test_attendance_is_counted_by_reason_and_late_arrivals_apart() -> None:
    counts = count_attendance(
        [("absent", "illness")] * 3
        + [("absent", "unexcused"), ("absent", "excused"), ("absent", "unknown")]
        + [("late", "unknown")] * 2
    )
    assert (counts.illness, counts.unexcused, counts.excused, counts.unknown, counts.late) == (3, 1, 1, 1, 2)
    assert counts.missed == 6


def test_a_students_standing_is_the_lowest_result_over_the_subjects() -> None:
    excellent = standing(["5", "5", "зч", None, "осв"])
    assert (excellent.lowest, excellent.excellent, excellent.good) == ("5", True, False)
    one_four = standing(["5", "4", "5"])
    assert (one_four.lowest, one_four.good, one_four.one_four) == ("4", True, True)
    two_fours = standing(["4", "4", "5"])
    assert (two_fours.good, two_fours.one_four) == (True, False)
    one_three = standing(["3", "4", "5"])
    assert (one_three.lowest, one_three.one_three, one_three.good) == ("3", True, False)
    failed_pass = standing(["5", "нз"])  # a незачёт fails like a 2
    assert (failed_pass.lowest, failed_pass.failing) == ("2", True)
    unattested = standing(["5", "на"])
    assert (unattested.lowest, unattested.not_attested, unattested.failing) == ("на", True, False)
    both = standing(["2", "на"])  # failing and not attested: in both lists
    assert (both.failing, both.not_attested) == (True, True)
    assert standing(["зч", "осв"]).lowest == "зч"
    assert standing(["осв"]).lowest == "осв"
    assert standing([None, ""]).lowest == ""


def test_the_class_as_a_whole_is_counted_over_the_standings() -> None:
    # lowest marks 5, 4, 2, 2, н/а, 5: N = 6, success 3/6, quality 3/6, СОУ (200 + 64 + 32 + 7) / 6 = 50.5
    results = count_results(standing(values).lowest for values in (
        ["5", "5"], ["4", "5"], ["3", "нз"], ["2", "3"], ["на", "3"], ["5", "зч"],
    ))  # fmt: skip
    assert success_percent(results) == Decimal("50.0")
    assert quality_percent(results) == Decimal("50.0")
    assert sou_percent(results) == Decimal("50.5")


def test_the_class_as_a_whole_takes_sou_and_the_mean_over_every_period_mark_and_the_rest_by_student() -> None:
    figures = class_figures([["5", "5"], ["4", "5"], ["3", "нз"], ["2", "3"], ["на", "3"], ["5", "зч"], [None, "осв"]])
    # By the student (lowest 5, 4, 2, 2, н/а, 5; the last exempt or without a mark, out of N = 6):
    # успеваемость 3 / 6 = 50.0 %, качество 3 / 6 = 50.0 %.
    assert (figures.success, figures.quality) == (Decimal("50.0"), Decimal("50.0"))
    # Every mark: n5 = 4, n4 = 1, n3 = 3, n2 = 1, н/а = 1 (зачёт, незачёт, осв., none left out).
    # СОУ = (100·4 + 64·1 + 36·3 + 16·1 + 7·1) / (4 + 1 + 3 + 1 + 1) = 595 / 10 = 59.5
    assert figures.sou == Decimal("59.5")
    # средний балл = (5·4 + 4·1 + 3·3 + 2·1) / (4 + 1 + 3 + 1) = 35 / 9 = 3.888… → 3.89
    assert figures.mean == Decimal("3.89")
    # Two classes as one: their students and their marks together.
    both = combined_figures([figures, class_figures([["5", "4"]])])
    # СОУ = (595 + 100 + 64) / (10 + 2) = 759 / 12 = 63.25 → 63.3
    assert (both.students.base, both.sou) == (7, Decimal("63.3"))


def test_the_forecast_projects_the_average_flags_few_marks_and_gives_na_only_out_of_reach() -> None:
    enough = marks(("2", "1"), ("2", "1"), ("3", "1"))  # 2.33, 3 marks of 3
    assert forecast_mark(enough, summarise(enough, POLICY, None), 0) == Forecast("2")
    few = marks(("5", "1"))  # 1 mark of the 5 needed at 2 hours a week
    summary = summarise(few, POLICY, Decimal(2))
    # Four lessons left can still bring it to 5: the average's «5», flagged; three cannot: н/а.
    assert forecast_mark(few, summary, 4) == Forecast("5", few_marks=True)
    assert forecast_mark(few, summary, 3) == Forecast("на")
    assert forecast_mark([], summarise([], POLICY, None), 0) == Forecast("на")
    assert forecast_mark([], summarise([], POLICY, None), 5) == Forecast("", few_marks=True)
    # A pass/fail subject: зачёт when at least half of its marks are зачёт.
    passes = marks(("зч", "1"), ("нз", "1"), ("зч", "1"))
    assert forecast_mark(passes, summarise(passes, POLICY, None), 0, pass_fail=True) == Forecast("зч")
    fails = marks(("зч", "1"), ("нз", "1"), ("нз", "1"))
    assert forecast_mark(fails, summarise(fails, POLICY, None), 0, pass_fail=True) == Forecast("нз")


def test_the_reasons_of_lessons_missed_add_up_to_the_lessons_missed() -> None:
    counts = count_attendance(
        [("absent", "illness")] * 3 + [("absent", "excused"), ("absent", "unexcused")] * 2 + [("absent", "unknown")]
    )
    assert counts.by_reason() == [("illness", 3), ("excused", 2), ("unexcused", 2), ("unknown", 1)]
    assert sum(n for _reason, n in counts.by_reason()) == counts.missed == 8


def test_a_day_is_missed_whole_only_when_every_lesson_of_it_was() -> None:
    monday, tuesday, wednesday = (datetime.date(2026, 10, d) for d in (5, 6, 7))
    lessons = {monday: 5, tuesday: 6, wednesday: 4}
    absences = {monday: 5, tuesday: 2, wednesday: 4}
    assert full_days_missed(lessons, absences) == 2
    assert full_days_missed({}, {monday: 1}) == 0  # no lesson recorded that day: not a day missed
