"""The archive of the year's class journal (§7.4, kept five years): per course of the class, for each of the
grade's periods the journal's pages as the teacher keeps them (students × lessons with marks and absences,
the average and the period mark: :func:`journal.selectors.journal_grid.course_grid`), then the lessons with
their topics and homework. Rendered a course at a time (memory stays flat), sheets numbered throughout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.pdf import render_pdf_chunks
from journal.models import ClassGroup, Course, Homework, Lesson, StudyPeriod
from journal.selectors.journal_grid import CourseGrid, course_grid
from journal.selectors.periods import grade_periods
from monitoring.selectors import course_teachers
from reports.services.documents import DocumentOutput, Progress

TEMPLATE = "reports/pdf/year_archive.html"
# Lesson columns in one table of an A4 landscape page.
LESSONS_PER_TABLE = 22


@dataclass
class GridPart:
    """One table of a period's grid: a run of lessons; the last one also shows the figures."""

    lessons: list[Lesson]
    rows: list[tuple[int, str, list[str], str, str]]  # №, student, cells, average, period mark
    last: bool


@dataclass
class ArchivePeriod:
    label: str
    parts: list[GridPart]


@dataclass
class ArchiveCourse:
    title: str
    teachers: str
    periods: list[ArchivePeriod] = field(default_factory=list)
    lessons: list[tuple[str, int, str, str]] = field(default_factory=list)  # date, slot, topic, homework


def _grid_parts(grid: CourseGrid) -> list[GridPart]:
    parts = []
    lessons = grid.lessons
    for at in range(0, max(len(lessons), 1), LESSONS_PER_TABLE):
        run = lessons[at : at + LESSONS_PER_TABLE]
        last = at + LESSONS_PER_TABLE >= len(lessons)
        rows = []
        for index, row in enumerate(grid.rows, start=1):
            cells = [row.cells[lesson.pk].text if lesson.pk in row.cells else "" for lesson in run]
            rows.append((index, row.student.full_name, cells, row.summary.average_text, row.final_value))
        parts.append(GridPart(lessons=run, rows=rows, last=last))
    return parts


def archive_course(course: Course, periods: list[StudyPeriod], teachers: str) -> ArchiveCourse:
    title = str(course.subject) + (f" ({course.subgroup.name})" if course.subgroup is not None else "")
    found = ArchiveCourse(title=title, teachers=teachers)
    for period in periods:
        grid = course_grid(course, period.start, period.end, period=period)
        found.periods.append(ArchivePeriod(label=str(period), parts=_grid_parts(grid)))
    year = course.class_group.year
    homework = dict(
        Homework.objects.filter(lesson__course=course, lesson__date__range=(year.start, year.end)).values_list(
            "lesson_id", "text"
        )
    )
    for lesson_id, day, slot, topic in (
        Lesson.objects.filter(course=course, date__range=(year.start, year.end))
        .order_by("date", "slot")
        .values_list("pk", "date", "slot", "topic")
    ):
        found.lessons.append((day.strftime("%d.%m.%Y"), slot, topic, homework.get(lesson_id, "")))
    return found


def year_archive_build(class_group: ClassGroup, progress: Progress) -> DocumentOutput:
    """The class's archive as one PDF: a title page, then a course at a time."""
    year = class_group.year
    periods = grade_periods(year.pk, class_group.grade)
    courses = list(
        Course.objects.filter(class_group=class_group)
        .select_related("subject", "subgroup", "class_group__year__school")
        .order_by("subject__name", "subgroup__name")
    )
    teachers = course_teachers(courses, min(timezone.localdate(), year.end))
    names = {u.pk: u.short_name for u in User.objects.filter(pk__in={t for ids in teachers.values() for t in ids})}
    total = len(courses) + 1
    teacher = class_group.class_teacher

    def contexts() -> Iterator[dict[str, object]]:
        yield {
            "title_page": True,
            "class_group": class_group,
            "school": year.school,
            "class_teacher": teacher.full_name if teacher is not None else "",
            "made": timezone.now(),
            "courses": [],
            "landscape": True,
        }
        for done, course in enumerate(courses, start=1):
            progress(done, total)
            shown = ", ".join(sorted({names[t] for t in teachers.get(course.pk, []) if t in names}))
            yield {"courses": [archive_course(course, periods, shown)], "class_group": class_group, "landscape": True}

    progress(0, total)
    content = render_pdf_chunks(TEMPLATE, contexts(), label=_("sheet %(page)s of %(pages)s"))
    return DocumentOutput(
        content=content,
        filename=f"year-archive-{class_group}-{year.start:%Y}-{year.end:%Y}.pdf",
    )
