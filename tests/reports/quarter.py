"""One class's first quarter with every case of the reports (see tests/reports/test_report_figures.py)."""

from __future__ import annotations

import datetime

import pytest

from journal import models as m
from journal.models.people import EnrolmentReason
from journal.models.structure import Assessment
from journal.services.structure import enrolment_create, enrolment_end, student_transfer
from reports.builders import ReportParams
from reports.document import Report
from reports.kinds import KINDS
from tests.conftest import YEAR_START, World
from tests.factories import CourseFactory, StudentFactory, SubjectFactory

Q1_END = datetime.date(2026, 10, 25)
MONDAY = datetime.date(2026, 10, 5)


class Q1:
    def __init__(self, world: World) -> None:
        self.world = world
        school, c5 = world.school, world.class_5a
        self.period = m.StudyPeriod.objects.create(
            year=world.year, kind="quarter", number=1, start=YEAR_START, end=Q1_END, is_locked=True
        )
        self.russian = CourseFactory(class_group=c5, subject=SubjectFactory(school=school, name="Русский язык"))
        pe = SubjectFactory(school=school, name="Физкультура")
        self.pe = CourseFactory(class_group=c5, subject=pe)
        m.CurriculumItem.objects.create(
            year=world.year, grade=5, subject=pe, hours_per_week=2, assessment=Assessment.PASS_FAIL
        )

        def student(last: str, first: str, start: datetime.date = YEAR_START, **kwargs: str) -> m.Student:
            row = StudentFactory(school=school, last_name=last, first_name=first)
            enrolment_create(actor=None, student=row, class_group=c5, date_from=start, **kwargs)
            return row

        self.akimov = student("Акимов", "Борис")
        self.belov = student("Белов", "Виктор")
        self.vasin = student("Васин", "Глеб")
        self.denisov = student(
            "Денисов",
            "Егор",
            datetime.date(2026, 9, 15),
            reason=EnrolmentReason.ARRIVAL,
            note="из школы № 3, приказ № 7",
        )
        self.gusev = student("Гусев", "Дмитрий")
        enrolment_end(
            actor=None,
            enrolment=m.Enrolment.objects.get(student=self.gusev),
            date_to=datetime.date(2026, 10, 10),
            reason=EnrolmentReason.DEPARTURE,
            note="в школу № 5, приказ № 12",
        )
        self.zhukov = student("Жуков", "Захар")
        student_transfer(
            actor=None, student=self.zhukov, to_class=world.class_6b, on=datetime.date(2026, 10, 1), note="приказ № 10"
        )
        author = world.users["teacher"]
        table = {
            world.math_5a: ["5", "4", "3", "2", "на", "5", "4"],
            self.russian: ["5", "5", "4", "3", "3", "", "4"],
            self.pe: ["зч", "зч", "нз", "осв", "зч", "зч", "зч"],
        }
        students = [world.child, world.other_child, self.akimov, self.belov, self.vasin, self.denisov, self.gusev]
        for course, values in table.items():
            for row, value in zip(students, values, strict=True):
                if value:
                    m.FinalMark.objects.create(
                        course=course, student=row, kind="quarter", period=self.period, value=value, author=author
                    )
        # Monday 5 October: the child ill all day (both lessons), Алиса away from mathematics without a
        # reason, Борис late for it.
        math = m.Lesson.objects.create(course=world.math_5a, date=MONDAY, slot=1, status="held")
        russian = m.Lesson.objects.create(course=self.russian, date=MONDAY, slot=2, status="held")
        for lesson in (math, russian):
            m.Attendance.objects.create(
                lesson=lesson, student=world.child, status="absent", reason="illness", author=author
            )
        m.Attendance.objects.create(
            lesson=math, student=world.other_child, status="absent", reason="unexcused", author=author
        )
        m.Attendance.objects.create(lesson=math, student=self.akimov, status="late", reason="unknown", author=author)

    def report(self, code: str, **kwargs: object) -> Report:
        params = ReportParams(school=self.world.school, year=self.world.year, class_group=self.world.class_5a, **kwargs)
        return KINDS[code].build(params, None)

    def report_of_school(self, code: str, **kwargs: object) -> Report:
        return KINDS[code].build(ReportParams(school=self.world.school, year=self.world.year, **kwargs), None)


@pytest.fixture
def q1(world: World) -> Q1:
    return Q1(world)
