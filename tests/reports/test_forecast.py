"""The forecast of a class mid-period (§2.8): the average so far projected over the lessons left, flagged
«мало отметок» while the minimum can still be reached, н/а only once it cannot; the class teacher's desk
and the forecast report keep the one rule (journal.statistics.forecast_mark).

5А, a quarter from 30 days ago to 20 days ahead (dated around the day the test runs):

    Математика, 2 hours a week (minimum 5): two lessons held, three ahead
        Соколов Артём   2, 2   average 2,00, 2 marks + 3 lessons = 5: «2», few marks, at risk
        Волкова Алиса   5, 5   average 5,00, 2 marks + 3 lessons = 5: «5», few marks
        Акимов Борис    5      1 mark + 3 lessons = 4 < 5: н/а, at risk
    Физкультура, pass/fail, 1 hour a week (minimum 3): one lesson held, two ahead
        Соколов Артём   зч     1 + 2 = 3: зачёт, few marks
        Волкова Алиса   зч     зачёт, few marks
        Акимов Борис    —      0 + 2 = 2 < 3: н/а, at risk
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core import desks
from journal import models as m
from journal.models.structure import Assessment
from journal.services.structure import enrolment_create
from reports.builders import ReportParams
from reports.kinds import KINDS
from tests.conftest import World
from tests.factories import YEAR_START, CourseFactory, StudentFactory, SubjectFactory, quarter_around_today
from tests.reports.test_report_figures import texts


@pytest.fixture
def midway(world: World) -> tuple[m.StudyPeriod, m.Student]:
    today = timezone.localdate()
    quarter = quarter_around_today(world.year, before=30, after=20)
    school, c5 = world.school, world.class_5a
    m.CurriculumItem.objects.create(year=world.year, grade=5, subject=world.math_5a.subject, hours_per_week=2)
    pe_subject = SubjectFactory(school=school, name="Физкультура")
    m.CurriculumItem.objects.create(
        year=world.year, grade=5, subject=pe_subject, hours_per_week=1, assessment=Assessment.PASS_FAIL
    )
    pe = CourseFactory(class_group=c5, subject=pe_subject)
    akimov = StudentFactory(school=school, last_name="Акимов", first_name="Борис")
    enrolment_create(actor=None, student=akimov, class_group=c5, date_from=YEAR_START)
    teacher = world.users["teacher"]

    def lesson(course: m.Course, days: int) -> m.Lesson:
        status = "held" if days <= 0 else "planned"
        return m.Lesson.objects.create(
            course=course, date=today + datetime.timedelta(days=days), slot=1, teacher=teacher, status=status
        )

    first, second = lesson(world.math_5a, -21), lesson(world.math_5a, -14)
    for days in (3, 6, 9):
        lesson(world.math_5a, days)
    played = lesson(pe, -10)
    for days in (4, 11):
        lesson(pe, days)
    # A lesson cancelled ahead is no lesson left.
    m.Lesson.objects.filter(pk=lesson(pe, 12).pk).update(status="cancelled")
    for row, student, value in (
        (first, world.child, "2"),
        (second, world.child, "2"),
        (first, world.other_child, "5"),
        (second, world.other_child, "5"),
        (first, akimov, "5"),
        (played, world.child, "зч"),
        (played, world.other_child, "зч"),
    ):
        m.Mark.objects.create(lesson=row, student=student, value=value, author=teacher)
    return quarter, akimov


def test_the_forecast_projects_the_average_so_far_and_gives_na_only_out_of_reach(
    world: World, midway: tuple[m.StudyPeriod, m.Student]
) -> None:
    quarter, _akimov = midway
    params = ReportParams(school=world.school, year=world.year, class_group=world.class_5a, period=quarter)
    section = KINDS["forecast"].build(params, None).sections[0]
    figures, at_risk = section.tables
    # students «5» «4» «3» «2» н/а осв. зачёт незачёт без отметки успеваемость качество
    assert texts(figures, "Математика")[1:12] == ["3", "1", "", "", "1", "1", "", "", "", "", "33,3"]
    assert texts(figures, "Физкультура")[1:12] == ["3", "", "", "", "", "1", "", "2", "", "", "66,7"]
    # By the student: Артём 2, Алиса 5, Борис н/а: успеваемость 1 / 3, качество 1 / 3.
    assert texts(figures, "Класс в целом")[11:13] == ["33,3", "33,3"]
    risky = {(row[0].text, row[1].text): [cell.text for cell in row[2:]] for row in at_risk.body}
    assert risky == {
        ("Соколов Артём", "Математика"): ["2,00", "2", "5", "2, мало отметок"],
        ("Акимов Борис", "Математика"): ["5,00", "1", "5", "н/а"],
        ("Акимов Борис", "Физкультура"): ["", "0", "3", "н/а"],
    }
    assert any(note.startswith("Прогнозов с отметками меньше минимума («мало отметок»): 4;") for note in section.notes)


def test_the_class_teachers_desk_names_the_students_the_forecast_puts_at_risk(
    world: World, midway: tuple[m.StudyPeriod, m.Student]
) -> None:
    _quarter, akimov = midway
    glance = desks.class_at_glance(world.class_5a, timezone.localdate())
    assert [(student, [(r.subject.name, r.label) for r in risks]) for student, risks in glance.at_risk] == [
        (akimov, [("Математика", "н/а"), ("Физкультура", "н/а")]),
        (world.child, [("Математика", "2, мало отметок")]),
    ]
