"""Reports of results: the class's results of a period by subject (итоги успеваемости), the class
teacher's report of a period, the summary sheet of results (сводная ведомость учёта успеваемости), the
students' final data of the year and the forecast of the class's results (§2.8).

Every count and percentage comes from :mod:`journal.statistics`: :func:`count_results` and the
formulas over it for a subject, :func:`standing` for a student over all subjects, :func:`class_figures` for
the class as a whole (the convention printed under its table, :data:`CLASS_FIGURES_NOTE`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import ClassGroup, StudyPeriod, Subject
from journal.models.marks import FinalMarkKind, MarkValue, short_label
from journal.selectors.class_facts import (
    ClassFacts,
    attendance_by_student,
    class_absences,
    class_facts,
    counted_students,
    final_values,
    lessons_per_day,
    period_forecast,
    period_policy,
)
from journal.selectors.periods import YEAR_KINDS, grade_periods
from journal.statistics import (
    CLASS_FIGURES_NOTE,
    ClassFigures,
    Results,
    Standing,
    class_figures,
    combined_figures,
    count_results,
    mean_mark,
    quality_percent,
    sou_percent,
    standing,
    success_percent,
)
from reports.builders import (
    Progress,
    ReportParams,
    classes_of_period,
    per_class,
    period_label,
    student_cells,
    student_head,
)
from reports.builders.attendance import attendance_table, reason_cells, reason_heads
from reports.builders.movement import movement_sections
from reports.document import Cell, Listing, Report, Section, Table, head, number, text

# --- Shared -------------------------------------------------------------------------------------------


def results_head(first: str) -> list[Cell]:
    return [
        head(first),
        head(_("students")),
        head("«5»"),
        head("«4»"),
        head("«3»"),
        head("«2»"),
        head(_("n/a")),
        head(_("exempt")),
        head(_("pass")),
        head(_("fail")),
        head(_("no mark")),
        head(_("success, %")),
        head(_("quality, %")),
        head(_("SOU, %")),
        head(_("mean mark")),
    ]


def results_cells(label: str, results: Results, css: str = "", figures: ClassFigures | None = None) -> list[Cell]:
    """A row of the counts and the figures of :mod:`journal.statistics` over them; a class as a whole: the
    counts of its students' standings and the figures of :class:`ClassFigures`."""
    if figures is not None:
        results = figures.students
        shown = (figures.success, figures.quality, figures.sou, figures.mean)
    else:
        shown = (success_percent(results), quality_percent(results), sou_percent(results), mean_mark(results))
    return [
        text(label, f"name {css}".strip()),
        number(results.students, css=css),
        number(results.n5, css=css, blank_zero=True),
        number(results.n4, css=css, blank_zero=True),
        number(results.n3, css=css, blank_zero=True),
        number(results.n2 + results.n1, css=css, blank_zero=True),
        number(results.not_attested, css=css, blank_zero=True),
        number(results.exempt, css=css, blank_zero=True),
        number(results.passed, css=css, blank_zero=True),
        number(results.failed, css=css, blank_zero=True),
        number(results.no_mark, css=css, blank_zero=True),
        number(shown[0], 1, css),
        number(shown[1], 1, css),
        number(shown[2], 1, css),
        number(shown[3], 2, css),
    ]


def subject_results(facts: ClassFacts, values: dict[tuple[int, int], str]) -> list[tuple[Subject, Results]]:
    """Each assessed subject's results from the students' marks (``values``: (student, subject) → mark)."""
    return [
        (subject, count_results(values.get((sid, subject.pk)) for sid in counted_students(facts, subject)))
        for subject in facts.assessed_subjects()
    ]


def standings(facts: ClassFacts, values: dict[tuple[int, int], str]) -> dict[int, Standing]:
    """Student id → the standing over the assessed subjects, for the students in the class at the end."""
    subjects = facts.assessed_subjects()
    return {
        entry.student.pk: standing(values.get((entry.student.pk, s.pk)) for s in subjects)
        for entry in facts.roster
        if facts.in_class_at_end(entry)
    }


def class_results(facts: ClassFacts, values: dict[tuple[int, int], str]) -> ClassFigures:
    """The class as a whole (:class:`journal.statistics.ClassFigures`): the students in the class at the end
    with their marks of the assessed subjects."""
    subjects = facts.assessed_subjects()
    return class_figures(
        [values.get((entry.student.pk, s.pk)) for s in subjects]
        for entry in facts.roster
        if facts.in_class_at_end(entry)
    )


def _period_values(facts: ClassFacts, period: StudyPeriod) -> dict[tuple[int, int], str]:
    finals = final_values(facts, [period.kind], [period])
    return {(sid, subject_id): v for (sid, subject_id, key), v in finals.items() if key == str(period.pk)}


def _period_facts(class_group: ClassGroup, period: StudyPeriod) -> ClassFacts:
    return class_facts(class_group, period.start, period.end)


# --- Итоги успеваемости класса за период -----------------------------------------------------------------


def _results_section(class_group: ClassGroup, period: StudyPeriod) -> tuple[Section, ClassFigures, dict[int, Standing]]:
    facts = _period_facts(class_group, period)
    values = _period_values(facts, period)
    rows = [results_cells(subject.name, results) for subject, results in subject_results(facts, values)]
    found = standings(facts, values)
    overall = class_results(facts, values)
    table = Table(
        head=[results_head(_("Subject"))],
        body=rows,
        foot=[results_cells(_("The class as a whole"), overall.students, "total", overall)],
        empty=_("The class has no assessed subjects."),
    )
    notes = [str(CLASS_FIGURES_NOTE)] if rows else []
    missing = sum(r.no_mark for _s, r in subject_results(facts, values))
    if missing:
        notes.append(_("%(count)s period marks are not set yet.") % {"count": missing})
    return Section(heading=str(class_group), tables=[table], notes=notes, sheet=str(class_group)), overall, found


def results_by_subject(params: ReportParams, progress: Progress | None = None) -> Report:
    """Итоги успеваемости класса за период: per subject the counts of 5/4/3/2/н/а/осв., % успеваемости,
    % качества, СОУ and the mean mark; for the whole school also a summary by class."""
    assert params.period is not None  # noqa: S101 - the form requires it
    period = params.period
    classes, notes = classes_of_period(params)
    overall: list[tuple[ClassGroup, ClassFigures, dict[int, Standing]]] = []

    def build(class_group: ClassGroup) -> list[Section]:
        section, results, found = _results_section(class_group, period)
        overall.append((class_group, results, found))
        return [section]

    sections = per_class(classes, progress, build)
    if params.class_group is None and overall:
        sections.insert(0, _school_summary(overall))
    return Report(
        title=_("Results of the class for the period"),
        lines=params.lines(period_label(period)),
        sections=sections,
        filename=f"results-{params.slug()}-{period.kind}-{period.number}",
        landscape=True,
        notes=notes,
    )


def _school_summary(overall: list[tuple[ClassGroup, ClassFigures, dict[int, Standing]]]) -> Section:
    head_row = [
        head(_("Class")),
        head(_("students")),
        head(_("excellent")),
        head(_("good")),
        head(_("failing")),
        head(_("n/a")),
        head(_("success, %")),
        head(_("quality, %")),
        head(_("SOU, %")),
    ]

    def row(label: str, figures: ClassFigures, found: Iterable[Standing], css: str = "") -> list[Cell]:
        found = list(found)
        return [
            text(label, f"name {css}".strip()),
            number(len(found), css=css),
            number(sum(s.excellent for s in found), css=css),
            number(sum(s.good for s in found), css=css),
            number(sum(s.failing for s in found), css=css),
            number(sum(s.not_attested for s in found), css=css),
            number(figures.success, 1, css),
            number(figures.quality, 1, css),
            number(figures.sou, 1, css),
        ]

    every = [s for _c, _r, found in overall for s in found.values()]
    return Section(
        heading=_("The school by class"),
        tables=[
            Table(
                head=[head_row],
                body=[row(str(c), r, found.values()) for c, r, found in overall],
                foot=[row(_("School"), combined_figures(r for _c, r, _f in overall), every, "total")],
            )
        ],
        notes=[str(CLASS_FIGURES_NOTE)],
        sheet=_("By class"),
    )


# --- Отчёт классного руководителя ---------------------------------------------------------------------------


def _names(facts: ClassFacts, ids: Iterable[int], detail: dict[int, str] | None = None) -> list[str]:
    names = {e.student.pk: e.student.short_name for e in facts.roster}
    return [f"{names[i]} ({detail[i]})" if detail and detail.get(i) else names[i] for i in ids]


def _class_teacher_sections(class_group: ClassGroup, period: StudyPeriod, params: ReportParams) -> list[Section]:
    facts = _period_facts(class_group, period)
    values = _period_values(facts, period)
    found = standings(facts, values)
    overall = class_results(facts, values)
    results = overall.students
    subjects = {s.pk: s.name for s in facts.assessed_subjects()}

    def subjects_with(student_id: int, marks: set[str]) -> str:
        return ", ".join(name for pk, name in subjects.items() if values.get((student_id, pk)) in marks)

    start_count = sum(1 for e in facts.roster if e.attends(period.start))
    end_count = sum(1 for e in facts.roster if facts.in_class_at_end(e))
    composition = Table(
        head=[[head(_("at the period's start")), head(_("at its end")), head(_("arrived")), head(_("left"))]],
        body=[
            [
                number(start_count),
                number(end_count),
                number(sum(1 for e in facts.roster if not e.attends(period.start))),
                number(sum(1 for e in facts.roster if not facts.in_class_at_end(e))),
            ]
        ],
    )
    figures = Table(
        head=[
            [
                head(_("attested")),
                head(_("excellent")),
                head(_("good")),
                head(_("with one «4»")),
                head(_("with one «3»")),
                head(_("failing")),
                head(_("n/a")),
                head(_("success, %")),
                head(_("quality, %")),
                head(_("SOU, %")),
            ]
        ],
        body=[
            [
                number(results.base),
                number(sum(s.excellent for s in found.values())),
                number(sum(s.good for s in found.values())),
                number(sum(s.one_four for s in found.values())),
                number(sum(s.one_three for s in found.values())),
                number(sum(s.failing for s in found.values())),
                number(sum(s.not_attested for s in found.values())),
                number(overall.success, 1),
                number(overall.quality, 1),
                number(overall.sou, 1),
            ]
        ],
    )
    notes = [str(CLASS_FIGURES_NOTE)]
    if not results.base:
        notes.append(_("The period marks of the class are not set yet."))
    listings = [
        Listing(_("Excellent"), _names(facts, [i for i, s in found.items() if s.excellent])),
        Listing(_("Good (4 and 5)"), _names(facts, [i for i, s in found.items() if s.good])),
        Listing(
            _("With one «4»"),
            _names(facts, [i for i, s in found.items() if s.one_four], {i: subjects_with(i, {"4"}) for i in found}),
        ),
        Listing(
            _("With one «3»"),
            _names(facts, [i for i, s in found.items() if s.one_three], {i: subjects_with(i, {"3"}) for i in found}),
        ),
        Listing(
            _("Failing"),
            _names(
                facts,
                [i for i, s in found.items() if s.failing],
                {i: subjects_with(i, {"1", "2", MarkValue.FAIL.value}) for i in found},
            ),
        ),
        Listing(
            _("Not attested"),
            _names(
                facts,
                [i for i, s in found.items() if s.not_attested],
                {i: subjects_with(i, {MarkValue.NOT_ATTESTED.value}) for i in found},
            ),
        ),
    ]
    policy = period_policy(facts)
    attendance = attendance_by_student(facts, class_absences(facts), lessons_per_day(facts))
    sections = [
        Section(
            heading=_("%(cls)s: composition") % {"cls": class_group},
            tables=[composition],
            sheet=f"{class_group} {_('composition')}",
        ),
        Section(
            heading=_("%(cls)s: results") % {"cls": class_group},
            tables=[figures],
            listings=listings,
            notes=notes,
            sheet=f"{class_group} {_('results')}",
        ),
        Section(
            heading=_("%(cls)s: attendance") % {"cls": class_group},
            tables=[attendance_table(facts, attendance, policy)],
            sheet=f"{class_group} {_('attendance')}",
        ),
    ]
    movement = movement_sections(params, [class_group], period.start, period.end)
    sections += movement
    return sections


def class_teacher_report(params: ReportParams, progress: Progress | None = None) -> Report:
    """Отчёт классного руководителя за учебный период: the class's composition, results (with the lists of
    отличники, ударники, those with one «4» or «3», неуспевающие, н/а), attendance and movement."""
    assert params.period is not None  # noqa: S101 - the form requires it
    period = params.period
    classes, notes = classes_of_period(params)
    sections = per_class(classes, progress, lambda c: _class_teacher_sections(c, period, params))
    return Report(
        title=_("Class teacher's report for the period"),
        lines=params.lines(period_label(period)),
        sections=sections,
        filename=f"class-teacher-{params.slug()}-{period.kind}-{period.number}",
        landscape=False,
        notes=notes,
    )


# --- Сводная ведомость учёта успеваемости ------------------------------------------------------------------

SUBJECTS_PER_TABLE = 6  # a table of A4 landscape holds six subjects of five to seven columns


def sheet_columns(
    periods: list[StudyPeriod], finals: dict[tuple[int, int, str], str], *, exam: bool = False
) -> list[tuple[str, str]]:
    """The sheet's columns of a subject as (key of :func:`final_values`, label): the grade's periods, the
    year, and the exam and the final mark when the class has any (always, with ``exam``: the grades that
    end with a state exam)."""
    kinds = [FinalMarkKind.YEAR.value]
    labels = [_("year")]
    for kind, label in ((FinalMarkKind.EXAM.value, _("exam")), (FinalMarkKind.FINAL.value, _("final"))):
        if exam or any(key == kind for (_s, _subject, key) in finals):
            kinds.append(kind)
            labels.append(label)
    return [(str(p.pk), str(p.number)) for p in periods] + list(zip(kinds, labels, strict=True))


def _sheet_sections(class_group: ClassGroup, params: ReportParams) -> list[Section]:
    periods = grade_periods(params.year.pk, class_group.grade)
    facts = class_facts(class_group, params.year.start, params.year.end)
    finals = final_values(facts, list(YEAR_KINDS), periods)
    subjects = facts.assessed_subjects()
    if not subjects:
        return [unassessed_section(class_group)]
    tables = sheet_tables(facts, subjects, sheet_columns(periods, finals), finals)
    return [Section(heading=str(class_group), tables=tables, sheet=str(class_group))]


def sheet_tables(
    facts: ClassFacts,
    subjects: list[Subject],
    columns: list[tuple[str, str]],
    finals: dict[tuple[int, int, str], str],
) -> list[Table]:
    """The summary sheet's tables: students × subjects (six a table) × the columns."""
    tables = []
    for at in range(0, len(subjects), SUBJECTS_PER_TABLE):
        group = subjects[at : at + SUBJECTS_PER_TABLE]
        top = [head("№", rows=2), head(_("Student"), rows=2), *[head(s.name, span=len(columns)) for s in group]]
        sub = [head(label) for _s in group for _key, label in columns]
        body = []
        for index, entry in enumerate(facts.roster, start=1):
            sid = entry.student.pk
            cells = []
            for subject in group:
                for key, _label in columns:
                    value = finals.get((sid, subject.pk, key), "")
                    cells.append(Cell(value, short_label(value), mark_css(value)))
            body.append(
                [*student_cells(index, entry.student.short_name, left=not facts.in_class_at_end(entry)), *cells]
            )
        tables.append(Table(head=[top, sub], body=body, empty=_("No students in the class this year.")))
    return tables


def unassessed_section(class_group: ClassGroup) -> Section:
    """A class whose curriculum gives no marks (grade 1): said once, not a table of bare names."""
    empty = Table(head=[], empty=_("The class has no assessed subjects."))
    return Section(heading=str(class_group), tables=[empty], sheet=str(class_group))


def mark_css(value: str) -> str:
    return "mark bad" if value in ("1", "2", "нз", "на") else "mark"


def results_sheet(params: ReportParams, progress: Progress | None = None) -> Report:
    """Сводная ведомость учёта успеваемости: students × subjects × (periods, year, exam, final)."""
    sections = per_class(params.classes(), progress, lambda c: _sheet_sections(c, params))
    return Report(
        title=_("Summary sheet of results"),
        lines=params.lines(),
        sections=sections,
        filename=f"results-sheet-{params.slug()}-{params.year.start:%Y}",
        landscape=True,
    )


# --- Итоговые данные по учащимся -------------------------------------------------------------------------------


def _final_data_sections(class_group: ClassGroup, params: ReportParams) -> list[Section]:
    year_end = min(params.year.end, max(timezone.localdate(), params.year.start))
    facts = class_facts(class_group, params.year.start, year_end)
    subjects = facts.assessed_subjects()
    if not subjects:
        return [unassessed_section(class_group)]
    finals = final_values(facts, [FinalMarkKind.YEAR, FinalMarkKind.FINAL], [])
    policy = period_policy(facts)
    attendance = attendance_by_student(facts, class_absences(facts), lessons_per_day(facts))
    year_values = {(sid, subject): v for (sid, subject, key), v in finals.items() if key == FinalMarkKind.YEAR}
    found = standings(facts, year_values)
    body = []
    for index, entry in enumerate(facts.roster, start=1):
        sid = entry.student.pk
        marks = []
        for subject in subjects:
            value = finals.get((sid, subject.pk, FinalMarkKind.FINAL), "") or year_values.get((sid, subject.pk), "")
            marks.append(Cell(value, short_label(value), mark_css(value)))
        own = attendance[sid]
        result = found.get(sid)
        body.append(
            [
                *student_cells(index, entry.student.short_name, left=not facts.in_class_at_end(entry)),
                *marks,
                text(_standing_label(result) if result else ""),
                number(own.full_days, blank_zero=True),
                number(own.counts.missed, blank_zero=True),
                *reason_cells(own.counts),
            ]
        )
    table = Table(
        head=[
            [
                *student_head(),
                *[head(s.short_name or s.name) for s in subjects],
                head(_("result")),
                head(_("days missed")),
                head(_("lessons missed")),
                *reason_heads(policy),
            ]
        ],
        body=body,
        empty=_("No students in the class this year."),
    )
    return [Section(heading=str(class_group), tables=[table], sheet=str(class_group))]


def _standing_label(value: Standing) -> str:
    if value.failing:
        return str(_("failing"))
    if value.not_attested:
        return str(_("n/a"))
    if value.excellent:
        return str(_("excellent"))
    if value.good:
        return str(_("good"))
    return ""


def final_data(params: ReportParams, progress: Progress | None = None) -> Report:
    """Итоговые данные по учащимся: per student the year's (or final) marks, the standing and the year's
    attendance."""
    sections = per_class(params.classes(), progress, lambda c: _final_data_sections(c, params))
    return Report(
        title=_("Final data of the students"),
        lines=params.lines(),
        sections=sections,
        filename=f"final-data-{params.slug()}-{params.year.start:%Y}",
        landscape=True,
    )


# --- Прогноз успеваемости класса ------------------------------------------------------------------------------


def _forecast_sections(class_group: ClassGroup, period: StudyPeriod) -> list[Section]:
    last = min(period.end, max(timezone.localdate(), period.start))
    facts = class_facts(class_group, period.start, last)
    if not facts.assessed_subjects():
        return [unassessed_section(class_group)]
    forecast, risks = period_forecast(facts, period.end)
    values = {key: found.value for key, found in forecast.items()}
    rows = [results_cells(subject.name, results) for subject, results in subject_results(facts, values)]
    overall = class_results(facts, values)
    figures = Table(
        head=[results_head(_("Subject"))],
        body=rows,
        foot=[results_cells(_("The class as a whole"), overall.students, "total", overall)],
        empty=_("The class has no assessed subjects."),
    )
    few = sum(1 for found in forecast.values() if found.few_marks)
    names = {e.student.pk: e.student.short_name for e in facts.roster}
    at_risk = Table(
        head=[
            [
                head(_("Student")),
                head(_("Subject")),
                head(_("average")),
                head(_("marks")),
                head(_("minimum")),
                head(_("forecast")),
            ]
        ],
        body=[
            [
                text(names[risk.student_id], "name"),
                text(risk.subject.name),
                number(risk.summary.average, 2),
                number(risk.summary.count),
                number(risk.summary.minimum),
                text(risk.label, "bad"),
            ]
            for risk in sorted(risks, key=lambda r: (names[r.student_id], r.subject.name))
        ],
        caption=_("At risk of a «2» or of н/а (the minimum out of reach in the lessons left)"),
        empty=_("No student is at risk."),
    )
    notes = [str(CLASS_FIGURES_NOTE)]
    if few:
        notes.append(
            _(
                "%(count)s forecasts rest on fewer marks than the minimum so far (few marks): the lessons left "
                "can still bring them to it."
            )
            % {"count": few}
        )
    return [
        Section(
            heading=_("%(cls)s: expected results (marks up to %(day)s)")
            % {"cls": class_group, "day": last.strftime("%d.%m.%Y")},
            tables=[figures, at_risk],
            notes=notes,
            sheet=str(class_group),
        )
    ]


def results_forecast(params: ReportParams, progress: Progress | None = None) -> Report:
    """Прогноз успеваемости класса (§2.8 «класса в целом»): the expected % успеваемости and % качества
    from the forecasts of :func:`journal.statistics.forecast_mark` (the average so far, projected over the
    lessons left), and the students at risk of a 2 or of н/а."""
    assert params.period is not None  # noqa: S101 - the form requires it
    period = params.period
    classes, notes = classes_of_period(params)
    sections = per_class(classes, progress, lambda c: _forecast_sections(c, period))
    return Report(
        title=_("Forecast of the class's results"),
        lines=params.lines(period_label(period)),
        sections=sections,
        filename=f"forecast-{params.slug()}-{period.kind}-{period.number}",
        landscape=True,
        notes=[
            *notes,
            _(
                "The forecast is the mark the average so far rounds to (a pass/fail subject: зачёт when at least "
                "half of its marks are зачёт); «few marks» while the marks are fewer than the minimum but the "
                "lessons left can still bring them to it; н/а only when they no longer can."
            ),
        ],
    )
