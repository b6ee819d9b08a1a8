"""The report builders: the parameters in, a :class:`reports.document.Report` out.

Each builder reads a class's facts (:mod:`journal.selectors.class_facts`) and computes every figure with
:mod:`journal.statistics`; none formats for one output only. A whole-school report is the class report of
every class of the year (with the progress told after each), and, where the regulation asks, a summary
over the classes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from journal.models import AcademicYear, ClassGroup, School, StudyPeriod
from journal.selectors.periods import period_kind_in, period_kinds_by_grade
from journal.selectors.schools import users_with_role
from reports.document import Cell, Section, Signature, head, number, text

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReportParams:
    """What a report is asked for: the school and year, one class or the whole school (``class_group``
    None), and the span: a period, a range of months (their first days) or a day."""

    school: School
    year: AcademicYear
    class_group: ClassGroup | None = None
    period: StudyPeriod | None = None
    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    day: datetime.date | None = None

    @property
    def scope_label(self) -> str:
        if self.class_group is None:
            return _("the whole school")
        return _("class %(name)s") % {"name": self.class_group}

    def lines(self, *span: str) -> list[str]:
        """The report's heading lines: the school, the year and class, the span, when it was made."""
        made = timezone.localtime().strftime("%d.%m.%Y %H:%M")
        return [
            self.school.name,
            f"{self.year.name} · {self.scope_label}",
            *[s for s in span if s],
            _("Made %(when)s") % {"when": made},
        ]

    def classes(self) -> list[ClassGroup]:
        """The class asked for, or every class of the year, by grade and letter (one query)."""
        if self.class_group is not None:
            return [self.class_group]
        return list(
            ClassGroup.objects.filter(year=self.year).select_related("year__school").order_by("grade", "letter")
        )

    def slug(self) -> str:
        return str(self.class_group) if self.class_group is not None else "school"


def signatures(params: ReportParams, actor: User | None = None) -> list[Signature]:
    """Who signs the report, as the school's practice asks: a class's report its class teacher, the whole
    school's the deputy director for teaching (the one asking, if a deputy; else the school's only deputy;
    else the name is written by hand). One query at most."""
    if params.class_group is not None:
        teacher = params.class_group.class_teacher
        return [Signature(_("Class teacher"), teacher.short_name if teacher is not None else "")]
    deputies = list(users_with_role(params.school, Role.DEPUTY).order_by("last_name", "first_name", "pk"))
    signer = next((d for d in deputies if actor is not None and d.pk == actor.pk), None)
    if signer is None and len(deputies) == 1:
        signer = deputies[0]
    return [Signature(_("Deputy director for teaching"), signer.short_name if signer is not None else "")]


def period_label(period: StudyPeriod) -> str:
    return f"{period} ({period.start:%d.%m.%Y} – {period.end:%d.%m.%Y})"


def classes_of_period(params: ReportParams) -> tuple[list[ClassGroup], list[str]]:
    """The classes assessed by the period's kind (quarters or half-years), and a note naming the grades
    left out: a whole-school report of the 1st quarter has no 10th and 11th classes, which have
    half-years."""
    assert params.period is not None  # noqa: S101 - the form requires it
    kinds = period_kinds_by_grade(params.year)
    chosen, skipped = [], []
    for class_group in params.classes():
        if period_kind_in(kinds, class_group.grade) == params.period.kind:
            chosen.append(class_group)
        else:
            skipped.append(class_group)
    notes = []
    if skipped:
        notes.append(
            _("Classes assessed by other periods are not in this report: %(classes)s.")
            % {"classes": ", ".join(str(c) for c in skipped)}
        )
    return chosen, notes


def per_class(
    classes: list[ClassGroup], progress: Progress | None, build: Callable[[ClassGroup], list[Section]]
) -> list[Section]:
    """The sections of each class in order, telling the progress (classes done of all) as it goes."""
    sections: list[Section] = []
    for done, class_group in enumerate(classes):
        if progress is not None:
            progress(done, len(classes))
        sections += build(class_group)
    if progress is not None:
        progress(len(classes), len(classes))
    return sections


def student_head() -> list[Cell]:
    return [head("№"), head(_("Student"))]


def student_cells(index: int, name: str, *, left: bool = False) -> list[Cell]:
    """A row's number and the student's name (marked when the student left the class before the end)."""
    label = f"{name} ({_('left')})" if left else name
    return [number(index), text(label, "name")]
