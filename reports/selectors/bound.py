"""The bound-journal page: per class its deadline (§7.4), how many final marks are missing, and its two
documents (the bound journal, the year's archive), in a constant number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from journal.models import AcademicYear, ClassGroup, Course, CurriculumItem, StudyPeriod
from journal.models.structure import Assessment
from journal.selectors.periods import period_kind_in, period_kinds_by_grade
from monitoring.selectors import missing_finals
from reports.builders.bound import bound_deadline, finished_periods, year_marks_from
from reports.models import DocumentKind, GeneratedDocument
from reports.services.bound import BOUND_KINDS, bound_document


@dataclass
class BoundRow:
    class_group: ClassGroup
    deadline: datetime.date
    missing: int  # final marks missing in the finished periods (and the year, once over)
    assessed: bool  # the grade's curriculum gives marks (not grade 1)
    journal: GeneratedDocument | None
    archive: GeneratedDocument | None
    opens: datetime.date  # the first day the year's marks can exist: the bound journal is made from then
    year_over: bool

    @property
    def complete(self) -> bool:
        return self.year_over and not self.missing

    @property
    def documents(self) -> list[tuple[str, GeneratedDocument | None]]:
        return [(DocumentKind.BOUND_JOURNAL, self.journal), (DocumentKind.YEAR_ARCHIVE, self.archive)]


@dataclass
class BoundPage:
    year: AcademicYear
    rows: list[BoundRow]
    school_journal: GeneratedDocument | None
    school_archive: GeneratedDocument | None

    @property
    def incomplete(self) -> list[BoundRow]:
        """The classes whose year is over and whose final marks are not all set: listed, not printed."""
        return [row for row in self.rows if row.assessed and row.year_over and not row.complete]

    @property
    def year_over(self) -> bool:
        """Some class's year is over: the whole school's bound journal can be made."""
        return any(row.year_over for row in self.rows)

    @property
    def opens(self) -> datetime.date | None:
        return min((row.opens for row in self.rows), default=None)

    @property
    def school_kinds(self) -> list[tuple[str, GeneratedDocument | None, str]]:
        return [
            (DocumentKind.BOUND_JOURNAL, self.school_journal, _("Make the journal of final marks of the school")),
            (DocumentKind.YEAR_ARCHIVE, self.school_archive, _("Make the archive of the year of the school")),
        ]


def bound_page(year: AcademicYear, classes: list[ClassGroup], today: datetime.date) -> BoundPage:
    """The rows of ``classes`` (of ``year``) and, for the whole school, its two documents."""
    periods = list(StudyPeriod.objects.filter(year=year).exclude(kind="year").order_by("start"))
    missing = Counter[int]()
    for row in missing_finals(year, today, [c.pk for c in classes], finished_periods(year, periods, today)):
        missing[row.course.class_group_id] += len(row.missing)
    documents = {
        (d.class_group_id, d.kind): d
        for d in GeneratedDocument.objects.filter(kind__in=BOUND_KINDS, class_group__in=[c.pk for c in classes])
    }
    # As ClassFacts.assessed_subjects: a subject counts unless the grade's curriculum says it gives no marks.
    unmarked = set(
        CurriculumItem.objects.filter(year=year, assessment=Assessment.NONE).values_list("grade", "subject_id")
    )
    grades = {c.pk: c.grade for c in classes}
    assessed = {
        class_id
        for class_id, subject_id in Course.objects.filter(class_group__in=list(grades)).values_list(
            "class_group_id", "subject_id"
        )
        if (grades[class_id], subject_id) not in unmarked
    }
    kinds = period_kinds_by_grade(year)
    opens = {
        c.pk: year_marks_from(year, [p for p in periods if p.kind == period_kind_in(kinds, c.grade)]) for c in classes
    }
    rows = [
        BoundRow(
            class_group=c,
            deadline=bound_deadline(year, c.grade),
            missing=missing[c.pk],
            assessed=c.pk in assessed,
            journal=documents.get((c.pk, DocumentKind.BOUND_JOURNAL)),
            archive=documents.get((c.pk, DocumentKind.YEAR_ARCHIVE)),
            opens=opens[c.pk],
            year_over=today >= opens[c.pk],
        )
        for c in classes
    ]
    return BoundPage(
        year=year,
        rows=rows,
        school_journal=bound_document(year, DocumentKind.BOUND_JOURNAL, None),
        school_archive=bound_document(year, DocumentKind.YEAR_ARCHIVE, None),
    )
