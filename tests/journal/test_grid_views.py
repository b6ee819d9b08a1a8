"""The course page of the journal and the save of one cell.

Who reads and who writes (the POSTs of those who may not change nothing),
what the page shows, a constant number of queries, and the cell's save:
a double mark with attendance in one transaction, a stale version answered
with the stored value and its author, no marks in grade 1.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from journal import models as m
from journal.services.marks import attendance_set, mark_set
from journal.services.structure import enrolment_create, teaching_assignment_create
from tests.conftest import World
from tests.factories import YEAR_START, ClassGroupFactory, CourseFactory, StudentFactory, SubjectFactory

# Also run on SQLite, the zero-setup default (scripts/test.sh).
pytestmark = pytest.mark.both_engines

TODAY = timezone.localdate()


@dataclass
class Cell:
    text: str
    classes: set[str]
    versions: str | None


class _GridReader(HTMLParser):
    """The grid's cells as a browser sees them: the column's lesson (``th[data-l]``), the row's student."""

    def __init__(self) -> None:
        super().__init__()
        self.lessons: list[int | None] = []
        self.cells: dict[tuple[int, int], Cell] = {}
        self._student: int | None = None
        self._index = 0
        self._open: Cell | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "thead":
            self._in_head = True
        elif tag == "th" and self._in_head:
            self.lessons.append(int(attributes["data-l"]) if attributes.get("data-l") else None)
        elif tag == "tr" and attributes.get("data-s"):
            self._student, self._index = int(attributes["data-s"] or 0), 0
        elif tag in ("th", "td") and self._student is not None:
            lesson = self.lessons[self._index] if self._index < len(self.lessons) else None
            self._index += 1
            if tag == "td" and lesson is not None:
                self._open = Cell("", set((attributes.get("class") or "").split()), attributes.get("data-v"))
                self.cells[(self._student, lesson)] = self._open

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "td":
            self._open = None
        elif tag == "tr":
            self._student = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data.strip()


def grid_cells(html: str) -> dict[tuple[int, int], Cell]:
    """(student id, lesson id) → the cell as the page shows it."""
    reader = _GridReader()
    reader.feed(html)
    return reader.cells


def grid_lessons(html: str) -> list[int]:
    reader = _GridReader()
    reader.feed(html)
    return [lesson for lesson in reader.lessons if lesson is not None]


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def quarter(world: World) -> m.StudyPeriod:
    """The quarter holding today (its dates follow the clock so the default period is this one)."""
    return m.StudyPeriod.objects.create(
        year=world.year,
        kind=m.PeriodKind.QUARTER,
        number=2,
        start=TODAY - datetime.timedelta(days=30),
        end=TODAY + datetime.timedelta(days=10),
    )


def day(n: int) -> datetime.date:
    """The n-th day before today."""
    return TODAY - datetime.timedelta(days=n)


def lessons_of(course: m.Course, count: int, **fields: Any) -> list[m.Lesson]:
    return [m.Lesson.objects.create(course=course, date=day(count - i), slot=1, **fields) for i in range(count)]


def page_url(course: m.Course, period: m.StudyPeriod | None = None) -> str:
    """The grid over the whole period (opened without a choice it shows the month holding today)."""
    url = reverse("journal:course_journal", args=[course.pk])
    return f"{url}?period={period.pk}&month=all" if period is not None else f"{url}?month=all"


def cell_url(course: m.Course) -> str:
    return reverse("journal:course_journal_cell", args=[course.pk])


def post_cell(
    client: Client, lesson: m.Lesson, student: m.Student, text: str, versions: dict[str, int | None] | None = None
) -> Any:
    return client.post(
        cell_url(lesson.course),
        {"lesson": lesson.pk, "student": student.pk, "text": text, "versions": json.dumps(versions or {})},
    )


def cell_rows() -> tuple[list[Any], list[Any]]:
    return (
        list(m.Mark.objects.order_by("pk").values_list("lesson_id", "student_id", "position", "value", "version")),
        list(m.Attendance.objects.order_by("pk").values_list("lesson_id", "student_id", "status", "version")),
    )


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("teacher", 200),
        ("class_teacher", 200),
        ("deputy", 200),
        ("director", 200),
        ("administrator", 200),
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("parent", 403),
        ("student", 403),
    ],
)
def test_the_course_journal_is_read_by_the_staff_who_see_the_course(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client], persona: str, status: int
) -> None:
    lessons_of(world.math_5a, 2)

    response = client_for(persona).get(page_url(world.math_5a))

    assert response.status_code == status


def test_the_page_shows_marks_attendance_averages_and_the_default_period(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    teacher = world.users["teacher"]
    first, second = lessons_of(world.math_5a, 2, topic="Дроби")
    second.kind = m.LessonKind.TEST
    second.save(update_fields=["kind"])
    mark_set(actor=teacher, lesson=first, student=world.child, value="4")
    mark_set(actor=teacher, lesson=first, student=world.child, value="5", position=2)
    attendance_set(actor=teacher, lesson=second, student=world.other_child, status="absent")

    response = client_for("teacher").get(page_url(world.math_5a))

    html = response.content.decode()
    cells = grid_cells(html)
    assert response.context["period"] == quarter
    assert cells[(world.child.pk, first.pk)].text == "4/5"
    assert cells[(world.child.pk, first.pk)].versions == "1,1,"  # both marks' versions, no attendance
    assert cells[(world.other_child.pk, second.pk)].text == "Н"
    assert cells[(world.other_child.pk, first.pk)] == Cell("", set(), None)
    assert f'data-testid="avg-{world.child.pk}">4.50<' in html
    assert 'title="Дроби"' in html
    assert first.date.strftime("%d.%m") in html
    assert "T (test, short)" in html  # the kind's short mark in the test's column
    assert 'data-writable="1"' in html  # the teacher writes


def test_the_class_teacher_and_the_deputy_read_the_cells_without_inputs(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="3")

    for persona in ("class_teacher", "deputy"):
        html = client_for(persona).get(page_url(world.math_5a)).content.decode()
        assert 'data-writable="0"' in html
        assert grid_cells(html)[(world.child.pk, lesson.pk)].text == "3"


def test_a_period_of_another_kind_or_year_is_not_found(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    half = m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.HALF_YEAR, number=1, start=YEAR_START, end=YEAR_START
    )

    response = client_for("teacher").get(page_url(world.math_5a, half))

    assert response.status_code == 404


def test_days_a_student_was_not_enrolled_are_greyed_and_not_editable(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    early, late = lessons_of(world.math_5a, 2)
    newcomer = cast(m.Student, StudentFactory(school=world.school, last_name="Яковлев"))
    enrolment_create(actor=None, student=newcomer, class_group=world.class_5a, date_from=late.date)

    html = client_for("teacher").get(page_url(world.math_5a)).content.decode()

    cells = grid_cells(html)
    assert cells[(newcomer.pk, early.pk)].classes == {"jg-out"}
    assert cells[(newcomer.pk, late.pk)].classes == set()
    assert [key for key, cell in cells.items() if "jg-out" in cell.classes] == [(newcomer.pk, early.pk)]


def _grow(world: World, students: int, lessons: int) -> None:
    teacher = world.users["teacher"]
    pupils = [world.child, world.other_child]
    for i in range(students - len(pupils)):
        pupil = cast(m.Student, StudentFactory(school=world.school, last_name=f"Ученик{i:02d}"))
        enrolment_create(actor=None, student=pupil, class_group=world.class_5a, date_from=YEAR_START)
        pupils.append(pupil)
    for index, lesson in enumerate(lessons_of(world.math_5a, lessons)):
        for pupil in pupils[:4]:
            mark_set(actor=teacher, lesson=lesson, student=pupil, value=str(3 + index % 3))
        attendance_set(actor=teacher, lesson=lesson, student=pupils[-1], status="absent")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_takes_as_many_queries_for_many_students_and_lessons_as_for_few(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    _grow(world, students=2, lessons=2)
    few = _queries(client, page_url(world.math_5a, quarter))

    m.Mark.objects.all().delete()
    m.Attendance.objects.all().delete()
    m.Lesson.objects.all().delete()
    _grow(world, students=14, lessons=20)
    many = _queries(client, page_url(world.math_5a, quarter))

    assert many == few


# --- Writing a cell ----------------------------------------------------------------------------


def test_the_teacher_saves_a_double_mark_and_then_attendance(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    client = client_for("teacher")
    first, second = lessons_of(world.math_5a, 2)

    response = post_cell(client, first, world.child, "4/5")

    assert response.status_code == 200
    data = response.json()
    assert data["text"] == "4/5"
    assert data["versions"] == {"1": 1, "2": 1, "att": None}
    marks = m.Mark.objects.filter(lesson=first, student=world.child).order_by("position")
    assert [(mark.position, mark.value, mark.author) for mark in marks] == [
        (1, "4", world.users["teacher"]),
        (2, "5", world.users["teacher"]),
    ]

    response = post_cell(client, second, world.child, "н")
    assert response.status_code == 200
    assert response.json()["text"] == "Н"
    assert m.Attendance.objects.get(lesson=second, student=world.child).status == "absent"

    # Then the first cell becomes one mark: position 2 goes, position 1 changes.
    response = post_cell(client, first, world.child, "3", {"1": 1, "2": 1})
    assert response.status_code == 200
    assert response.json()["versions"] == {"1": 2, "2": None, "att": None}
    assert list(m.Mark.objects.filter(lesson=first).values_list("position", "value")) == [(1, "3")]

    # And the second is cleared.
    response = post_cell(client, second, world.child, "", {"att": 1})
    assert response.status_code == 200
    assert not m.Attendance.objects.exists()


def test_a_stale_version_returns_409_with_the_stored_value_and_its_author(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    client = client_for("teacher")
    post_cell(client, lesson, world.child, "4")
    # Meanwhile the substitute (here: the same course's other session) changes it.
    m.Mark.objects.filter(lesson=lesson).update(value="2", version=2)

    response = post_cell(client, lesson, world.child, "5", {"1": 1})

    assert response.status_code == 409
    data = response.json()
    assert data["value"] == "2"
    assert data["author"] == world.users["teacher"].short_name
    assert data["at"]
    assert data["text"] == "2"
    assert data["versions"]["1"] == 2
    assert "Meanwhile" in data["error"]
    assert m.Mark.objects.get(lesson=lesson).value == "2"


def test_a_refused_part_of_the_cell_leaves_nothing_saved(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    client = client_for("teacher")
    post_cell(client, lesson, world.child, "4")
    m.Attendance.objects.create(lesson=lesson, student=world.child, status="late", author=world.users["deputy"])

    # The mark would change, but the attendance the teacher did not see makes the whole cell stale.
    response = post_cell(client, lesson, world.child, "5", {"1": 1})

    assert response.status_code == 409
    assert m.Mark.objects.get(lesson=lesson).value == "4"


def test_nonsense_is_refused_with_400_and_a_message(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)

    response = post_cell(client_for("teacher"), lesson, world.child, "7")

    assert response.status_code == 400
    assert "is not a mark or an attendance letter" in response.json()["error"]
    assert cell_rows() == ([], [])


def test_grade_one_refuses_a_mark_and_its_page_offers_no_mark_input(
    world: World, client_for: Callable[[str], Client]
) -> None:
    class_1 = ClassGroupFactory(year=world.year, grade=1, letter="В")
    course = cast(m.Course, CourseFactory(class_group=class_1, subject=SubjectFactory(school=world.school)))
    teaching_assignment_create(actor=None, course=course, teacher=world.users["teacher"], date_from=YEAR_START)
    pupil = cast(m.Student, StudentFactory(school=world.school))
    enrolment_create(actor=None, student=pupil, class_group=class_1, date_from=YEAR_START)
    (lesson,) = lessons_of(course, 1)
    client = client_for("teacher")

    response = post_cell(client, lesson, pupil, "5")
    assert response.status_code == 400
    assert "Marks are not given in grade 1" in response.json()["error"]
    assert not m.Mark.objects.exists()

    html = client.get(page_url(course)).content.decode()
    assert 'data-marks="0"' in html
    assert "Marks are not given in this grade" in html
    # No summary columns where no marks are given: no «0/3» against a minimum, no averages.
    assert 'class="jg-sum' not in html and f'data-testid="count-{pupil.pk}"' not in html

    assert post_cell(client, lesson, pupil, "н").status_code == 200
    assert m.Attendance.objects.filter(lesson=lesson, student=pupil).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 403),
        ("parent", 403),
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("class_teacher", 403),
        ("deputy", 403),
        ("anonymous", 302),
    ],
)
def test_a_cell_posted_by_someone_who_may_not_write_is_refused_and_nothing_changes(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client], persona: str, status: int
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    before = cell_rows()

    response = post_cell(client_for(persona), lesson, world.child, "2/2", {"1": 1})

    assert response.status_code == status
    assert cell_rows() == before


def test_the_substitute_writes_the_lesson_they_substitute_only(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    from journal.services.substitutions import substitution_assign

    taken, other = lessons_of(world.math_5a, 2)
    substitution_assign(
        actor=world.users["deputy"], lesson=taken, substitute=world.users["other_teacher"], reason="Болезнь"
    )
    client = client_for("other_teacher")

    assert post_cell(client, taken, world.child, "5").status_code == 200
    # The course's other lessons are not on the substitute's page: not found, nothing written.
    assert post_cell(client, other, world.child, "5").status_code == 404
    assert list(m.Mark.objects.values_list("lesson_id", flat=True)) == [taken.pk]


def test_the_substitute_opens_the_grid_with_only_the_lessons_they_substitute(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    from journal.services.substitutions import substitution_assign

    taken, other = lessons_of(world.math_5a, 2)
    mark_set(actor=world.users["teacher"], lesson=other, student=world.child, value="2")
    substitution_assign(
        actor=world.users["deputy"], lesson=taken, substitute=world.users["other_teacher"], reason="Болезнь"
    )
    client = client_for("other_teacher")

    response = client.get(reverse("journal:course_journal", args=[world.math_5a.pk]), {"period": quarter.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="substitute-note"' in html
    assert grid_lessons(html) == [taken.pk]  # not the other lesson, nor its mark, nor the averages
    assert f'data-testid="avg-{world.child.pk}"' not in html
    details = reverse("journal:course_journal_cell_details", args=[world.math_5a.pk])
    assert client.get(details, {"lesson": taken.pk, "student": world.child.pk}).status_code == 200
    # The substitute reaches the grid from the lesson's page.
    lesson_page = client.get(reverse("journal:lesson_detail", args=[taken.pk])).content.decode()
    assert reverse("journal:course_journal", args=[world.math_5a.pk]) in lesson_page
    assert client.get(details, {"lesson": other.pk, "student": world.child.pk}).status_code == 404


def test_a_saved_cell_answers_the_rows_new_average_count_and_suggestion(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    first, second = lessons_of(world.math_5a, 2)
    mark_set(actor=world.users["teacher"], lesson=first, student=world.child, value="5")
    client = client_for("teacher")

    response = client.post(
        reverse("journal:course_journal_cell", args=[world.math_5a.pk]),
        {
            "lesson": second.pk,
            "student": world.child.pk,
            "text": "4",
            "versions": "{}",
            "start": quarter.start.isoformat(),
            "end": quarter.end.isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.json()["summary"] == {"average": "4.50", "count": 2, "suggested": "4"}


def test_a_month_of_the_period_shows_its_lessons_only(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    m.Lesson.objects.create(course=world.math_5a, date=quarter.start, slot=1)  # in the quarter, not the month
    late = m.Lesson.objects.create(course=world.math_5a, date=quarter.end, slot=1)
    month = quarter.end.strftime("%Y-%m")
    url = reverse("journal:course_journal", args=[world.math_5a.pk])
    client = client_for("teacher")

    html = client.get(url, {"period": quarter.pk, "month": month}).content.decode()

    assert grid_lessons(html) == [late.pk]
    assert f'data-start="{max(quarter.start, quarter.end.replace(day=1)).isoformat()}"' in html
    assert client.get(url, {"period": quarter.pk, "month": "1999-01"}).status_code == 404


def test_a_lesson_of_another_course_is_not_found_through_this_course(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (foreign,) = lessons_of(world.russian_6b, 1)

    response = client_for("teacher").post(
        cell_url(world.math_5a),
        {"lesson": foreign.pk, "student": world.student_6b.pk, "text": "5", "versions": "{}"},
    )

    assert response.status_code == 404
    assert not m.Mark.objects.exists()


# --- A cell's details: history, work type and comment of each mark -----------------------------


def details_url(course: m.Course, lesson: m.Lesson, student: m.Student) -> str:
    url = reverse("journal:course_journal_cell_details", args=[course.pk])
    return f"{url}?lesson={lesson.pk}&student={student.pk}"


def mark_url(course: m.Course) -> str:
    return reverse("journal:course_journal_mark", args=[course.pk])


def post_mark(client: Client, lesson: m.Lesson, student: m.Student, **fields: Any) -> Any:
    data = {"lesson": lesson.pk, "student": student.pk, "position": 1, "comment": "", "work_type": ""}
    data.update(fields)
    return client.post(mark_url(lesson.course), data)


def test_the_teacher_and_the_deputy_open_a_cells_panel_and_its_history_lists_the_change(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    history_url = reverse("journal:cell_history", args=[lesson.pk, world.child.pk])

    for persona in ("teacher", "deputy"):
        client = client_for(persona)
        page = client.get(page_url(world.math_5a)).content.decode()
        assert f'data-details-url="{reverse("journal:course_journal_cell_details", args=[world.math_5a.pk])}"' in page
        assert 'id="cell-panel"' in page

        details = client.get(details_url(world.math_5a, lesson, world.child))
        assert details.status_code == 200
        assert f'data-url="{history_url}"' in details.content.decode()

        history = client.get(history_url, headers={"HX-Request": "true"})
        html = history.content.decode()
        assert 'data-testid="cell-history"' in html
        assert "<html" not in html
        assert world.users["teacher"].short_name in html
        assert "4" in html


def test_the_panel_offers_work_types_and_comments_to_the_teacher_and_only_shows_them_to_the_deputy(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    m.WorkType.objects.create(school=world.school, name="Контрольная", weight=3, lesson_kind=m.LessonKind.TEST)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4", comment="у доски")

    teacher_html = client_for("teacher").get(details_url(world.math_5a, lesson, world.child)).content.decode()
    assert 'data-testid="mark-form-1"' in teacher_html
    assert "Контрольная" in teacher_html
    assert 'value="у доски"' in teacher_html

    deputy_html = client_for("deputy").get(details_url(world.math_5a, lesson, world.child)).content.decode()
    assert "mark-form-1" not in deputy_html
    assert "у доски" in deputy_html


def test_the_panel_of_a_course_not_seen_is_not_found(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)

    assert client_for("other_teacher").get(details_url(world.math_5a, lesson, world.child)).status_code == 404
    assert client_for("parent").get(details_url(world.math_5a, lesson, world.child)).status_code == 403


def test_the_teacher_changes_a_marks_work_type_and_comment_and_its_value_stays(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    test_type = m.WorkType.objects.create(school=world.school, name="Контрольная", weight=3)
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")

    response = post_mark(
        client_for("teacher"), lesson, world.child, work_type=test_type.pk, comment="с ошибкой", version=mark.version
    )

    assert response.status_code == 200
    data = response.json()
    assert data["version"] == mark.version + 1
    assert data["versions"]["1"] == mark.version + 1
    mark.refresh_from_db()
    assert (mark.value, mark.work_type, mark.weight, mark.comment) == ("4", test_type, test_type.weight, "с ошибкой")
    assert mark.history.count() == 2


def test_a_work_type_change_answers_the_rows_new_average(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    first, second = lessons_of(world.math_5a, 2)
    mark = mark_set(actor=world.users["teacher"], lesson=first, student=world.child, value="5")
    mark_set(actor=world.users["teacher"], lesson=second, student=world.child, value="3")
    heavy = m.WorkType.objects.create(school=world.school, name="Контрольная", weight=3)

    response = post_mark(
        client_for("teacher"),
        first,
        world.child,
        work_type=heavy.pk,
        version=mark.version,
        start=quarter.start.isoformat(),
        end=quarter.end.isoformat(),
    )

    assert response.status_code == 200
    # (5·3 + 3) / 4, where it was (5 + 3) / 2.
    assert response.json()["summary"] == {"average": "4.50", "count": 2, "suggested": "4"}


def test_a_stale_work_type_change_is_refused_with_409_and_nothing_changes(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    test_type = m.WorkType.objects.create(
        school=world.school, name="Контрольная", weight=3, lesson_kind=m.LessonKind.TEST
    )
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="5", expected_version=1)

    response = post_mark(client_for("teacher"), lesson, world.child, work_type=test_type.pk, version=mark.version)

    assert response.status_code == 409
    assert response.json()["text"] == "5"
    mark.refresh_from_db()
    assert (mark.value, mark.version, mark.comment) == ("5", 2, "")
    assert mark.work_type != test_type


def test_a_work_type_of_another_school_or_a_removed_mark_is_refused(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    foreign_type = m.WorkType.objects.create(school=world.foreign_school, name="Чужая", weight=2)
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    client = client_for("teacher")

    assert post_mark(client, lesson, world.child, work_type=foreign_type.pk, version=1).status_code == 400
    assert post_mark(client, lesson, world.child, position=2, version=1).status_code == 409
    mark.refresh_from_db()
    assert mark.version == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 403),
        ("parent", 403),
        ("other_teacher", 404),
        ("foreign_teacher", 404),
        ("class_teacher", 403),
        ("deputy", 403),
        ("anonymous", 302),
    ],
)
def test_a_work_type_change_by_someone_who_may_not_write_is_refused_and_nothing_changes(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client], persona: str, status: int
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    before = list(m.Mark.objects.values_list("value", "version", "comment", "work_type_id"))

    response = post_mark(client_for(persona), lesson, world.child, comment="взлом", version=1)

    assert response.status_code == status
    assert list(m.Mark.objects.values_list("value", "version", "comment", "work_type_id")) == before


# --- The statements of a cell's save -----------------------------------------------------------------

# A save of a new mark in a cell whose attendance is unchanged, the whole request, as the database sees it:
#  1. the session, 2. the user, 3. the user's school; 4. BEGIN;
#  5. the lesson, locked (FOR NO KEY UPDATE), with the writer's permission rows, the student's attendance
#     of the course that day, the locked period and the default work type of its kind as subqueries;
#  6. the policies of the lesson's day and of the period's start; 7. the cell's marks, locked;
#  8. its attendance, locked; 9. the mark; 10. its history row; 11. the row's marks over the period (its
#     new average, count and suggestion); 12. COMMIT.
# No roles query (the permission rows prove the writer) and no savepoint (a refusal rolls it all back).
NEW_MARK_STATEMENTS = 12
# A changed mark is an UPDATE instead of the INSERT; an unchanged cell writes nothing.
CHANGED_MARK_STATEMENTS = 12
UNCHANGED_CELL_STATEMENTS = 10


def _save_statements(client: Client, lesson: m.Lesson, student: m.Student, text: str, quarter: m.StudyPeriod) -> int:
    stored = {mark.position: mark.version for mark in m.Mark.objects.filter(lesson=lesson, student=student)}
    body = {
        "lesson": lesson.pk,
        "student": student.pk,
        "text": text,
        "versions": json.dumps({"1": stored.get(1), "2": stored.get(2), "att": None}),
        "start": quarter.start.isoformat(),
        "end": quarter.end.isoformat(),
        "policy_day": quarter.start.isoformat(),
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(cell_url(lesson.course), body)
    assert response.status_code == 200, response.content
    assert "summary" in response.json()
    assert not any("SAVEPOINT" in q["sql"] for q in captured.captured_queries)
    return len(captured)


def test_a_cell_save_takes_twelve_statements_at_most(
    transactional_db: None, world: World, client_for: Callable[[str], Client], quarter: m.StudyPeriod
) -> None:
    m.WorkType.objects.create(school=world.school, name="Ответ на уроке", weight=1)
    lesson, other = lessons_of(world.math_5a, 2)
    mark_set(actor=world.users["teacher"], lesson=other, student=world.child, value="4")
    client = client_for("teacher")

    assert _save_statements(client, lesson, world.child, "5", quarter) == NEW_MARK_STATEMENTS
    assert _save_statements(client, lesson, world.child, "3", quarter) == CHANGED_MARK_STATEMENTS
    assert _save_statements(client, lesson, world.child, "3", quarter) == UNCHANGED_CELL_STATEMENTS
    assert [(mk.value, mk.version) for mk in m.Mark.objects.filter(lesson=lesson)] == [("3", 2)]


def test_a_quarters_grid_is_small_and_compressed_on_the_wire(
    world: World, quarter: m.StudyPeriod, client_for: Callable[[str], Client]
) -> None:
    """A class of 26 and 30 lessons of the quarter, marks in four rows: the page stays well under 120 KB raw
    (it was about 300 bytes a cell), and gzip takes most of it off on the wire."""
    _grow(world, students=26, lessons=30)
    client = client_for("teacher")

    raw = client.get(page_url(world.math_5a, quarter))
    packed = client.get(page_url(world.math_5a, quarter), HTTP_ACCEPT_ENCODING="gzip")

    assert len(grid_cells(raw.content.decode())) == 26 * 30
    assert len(raw.content) < 60 * 1024
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(raw.content) / 4


@pytest.mark.dated
def test_opened_without_a_choice_the_grid_shows_the_month_holding_today_with_todays_column_tinted(
    world: World, client_for: Callable[[str], Client]
) -> None:
    start = TODAY.replace(day=1) - datetime.timedelta(days=40)
    m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=2, start=start, end=TODAY + datetime.timedelta(days=20)
    )
    earlier = m.Lesson.objects.create(course=world.math_5a, date=start + datetime.timedelta(days=1), slot=1)
    today = m.Lesson.objects.create(course=world.math_5a, date=TODAY, slot=2)
    client = client_for("teacher")

    opened = client.get(reverse("journal:course_journal", args=[world.math_5a.pk])).content.decode()
    whole = client.get(reverse("journal:course_journal", args=[world.math_5a.pk]), {"month": "all"}).content.decode()

    assert grid_lessons(opened) == [today.pk]
    assert f'data-today-lesson="{today.pk}"' in opened
    assert opened.count('<col class="jg-today">') == 1
    assert grid_lessons(whole) == [earlier.pk, today.pk]
    assert "month=all" in opened  # the «Whole period» link


# --- A batch of cells: those the grid queued while a save was in flight -------------------------------


def _column(world: World, students: int) -> list[m.Student]:
    pupils = [world.child, world.other_child]
    for i in range(students - len(pupils)):
        pupil = cast(m.Student, StudentFactory(school=world.school, last_name=f"Ученик{i:02d}"))
        enrolment_create(actor=None, student=pupil, class_group=world.class_5a, date_from=YEAR_START)
        pupils.append(pupil)
    return pupils


def _post_batch(
    client: Client, lesson: m.Lesson, cells: list[tuple[m.Student, str, dict[str, Any]]], quarter: m.StudyPeriod
) -> Any:
    body = {
        "cells": json.dumps(
            [
                {"lesson": str(lesson.pk), "student": str(student.pk), "text": text, "versions": versions}
                for student, text, versions in cells
            ]
        ),
        "start": quarter.start.isoformat(),
        "end": quarter.end.isoformat(),
        "policy_day": quarter.start.isoformat(),
    }
    return client.post(cell_url(lesson.course), body)


def test_a_batch_answers_each_cell_a_stale_one_with_the_stored_value_and_saves_the_others(
    world: World, client_for: Callable[[str], Client], quarter: m.StudyPeriod
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.other_child, value="3")  # on another device
    empty: dict[str, Any] = {"1": None, "2": None, "att": None}

    response = _post_batch(
        client_for("teacher"),
        lesson,
        [(world.child, "5", empty), (world.other_child, "4", empty), (world.child, "5 н", empty)],
        quarter,
    )

    assert response.status_code == 200
    first, stale, again = response.json()["cells"]
    assert (first["status"], first["text"], first["summary"]["average"]) == (200, "5", "5.00")
    assert (first["lesson"], first["student"]) == (lesson.pk, world.child.pk)
    assert (stale["status"], stale["text"], stale["value"]) == (409, "3", "3")
    # The same cell again on the versions the page had before its first answer: a conflict of its own.
    assert again["status"] == 409 and again["text"] == "5"
    assert cell_rows()[0] == [
        (lesson.pk, world.other_child.pk, 1, "3", 1),
        (lesson.pk, world.child.pk, 1, "5", 1),
    ]


def test_a_batch_of_a_reader_or_of_cells_not_understood_saves_nothing(
    world: World, client_for: Callable[[str], Client], quarter: m.StudyPeriod
) -> None:
    (lesson,) = lessons_of(world.math_5a, 1)
    empty: dict[str, Any] = {"1": None, "2": None, "att": None}
    refused = _post_batch(client_for("class_teacher"), lesson, [(world.child, "5", empty)] * 2, quarter)
    assert refused.status_code == 200
    assert [cell["status"] for cell in refused.json()["cells"]] == [403, 403]
    parent = client_for("parent").post(cell_url(world.math_5a), {"cells": "[]"})
    assert parent.status_code == 403
    garbled = client_for("teacher").post(cell_url(world.math_5a), {"cells": '[{"lesson": "x"}]'})
    assert garbled.status_code == 400
    assert not m.Mark.objects.exists()


# A batch of N new marks in a column: once, the request's own statements (session, user, school, BEGIN,
# COMMIT), the batch's lessons locked, the cells' marks and attendance (locked), the policies and the rows'
# marks over the period (their figures, after the last cell); for each cell, its savepoint and its release,
# the lesson with the writer's rights, the mark and its history row.
BATCH_FIXED_STATEMENTS = 10
BATCH_CELL_STATEMENTS = 5


def test_a_batch_of_a_column_takes_a_few_statements_a_cell(
    transactional_db: None, world: World, client_for: Callable[[str], Client], quarter: m.StudyPeriod
) -> None:
    m.WorkType.objects.create(school=world.school, name="Ответ на уроке", weight=1)
    pupils = _column(world, 12)
    first, second = lessons_of(world.math_5a, 2)
    client = client_for("teacher")
    empty: dict[str, Any] = {"1": None, "2": None, "att": None}
    counts = {}
    for lesson, size in ((first, 4), (second, 12)):
        with CaptureQueriesContext(connection) as captured:
            response = _post_batch(client, lesson, [(pupil, "4", empty) for pupil in pupils[:size]], quarter)
        assert [cell["status"] for cell in response.json()["cells"]] == [200] * size
        counts[size] = len(captured)

    assert counts[12] - counts[4] == 8 * BATCH_CELL_STATEMENTS
    assert counts[4] == BATCH_FIXED_STATEMENTS + 4 * BATCH_CELL_STATEMENTS
    assert m.Mark.objects.count() == 16 and m.Mark.history.count() == 16
    # Each row's figures: a «4» on each of the two lessons.
    assert {cell["summary"]["count"] for cell in response.json()["cells"][:4]} == {2}
    assert {cell["summary"]["count"] for cell in response.json()["cells"][4:]} == {1}
