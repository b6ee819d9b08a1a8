"""Named personas of the test school, as CONVENTIONS.md asks.

School «Школа № 1», class 5А: ``teacher`` teaches its mathematics,
``class_teacher`` leads it, ``parent`` is the parent of ``child`` (who has a
login: ``student``). ``other_teacher`` teaches 6Б Russian in the same school;
``other_parent`` is the parent of ``other_child`` (also 5А).
``foreign_teacher`` and ``foreign_admin`` work in another school.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from journal import models as m
from journal.services.structure import (
    class_teacher_set,
    enrolment_create,
    parent_link_create,
    student_login_attach,
    teaching_assignment_create,
)
from tests import clock
from tests.browser.fixtures import _pages_closed_before_the_database_is_flushed, chromium  # noqa: F401
from tests.factories import (
    YEAR_START,
    AcademicYearFactory,
    ClassGroupFactory,
    CourseFactory,
    SchoolFactory,
    StudentFactory,
    SubjectFactory,
    UserFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    """Every test runs on the suite's pinned day (``JOURNAL_TODAY``, see :mod:`tests.clock`), set before the
    test modules are read, so their module-level dates follow it too."""
    clock.pin()


def pytest_report_header(config: pytest.Config) -> str:
    return f"pinned day: {clock.today().isoformat()} (JOURNAL_TODAY)"


PERSONAS = (
    "anonymous",
    "teacher",
    "other_teacher",
    "foreign_teacher",
    "class_teacher",
    "parent",
    "student",
    "administrator",
    "deputy",
    "director",
)


@dataclass
class World:
    school: m.School
    foreign_school: m.School
    year: m.AcademicYear
    class_5a: m.ClassGroup
    class_6b: m.ClassGroup
    foreign_class: m.ClassGroup
    math_5a: m.Course
    russian_6b: m.Course
    foreign_course: m.Course
    child: m.Student
    other_child: m.Student
    student_6b: m.Student
    foreign_student: m.Student
    users: dict[str, User]

    def user(self, persona: str) -> User | None:
        return self.users.get(persona)


def _user(username: str, school: m.School, *roles: Role, **names: str) -> User:
    return UserFactory(username=username, school=school, roles=roles, **names)


def _enrol(student: m.Student, class_group: m.ClassGroup) -> m.Student:
    enrolment_create(actor=None, student=student, class_group=class_group, date_from=YEAR_START)
    return student


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Files the tests make (homework files, documents, the demo's printouts) go to a temporary
    folder, never to the checkout's var/media; a test may still point MEDIA_ROOT elsewhere."""
    from django.conf import settings

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db) -> World:
    school = SchoolFactory(name="Школа № 1", short_name="Школа № 1")
    foreign_school = SchoolFactory(name="Школа № 2", short_name="Школа № 2")
    year = AcademicYearFactory(school=school)
    foreign_year = AcademicYearFactory(school=foreign_school)
    class_5a = ClassGroupFactory(year=year, grade=5, letter="А")
    class_6b = ClassGroupFactory(year=year, grade=6, letter="Б")
    foreign_class = ClassGroupFactory(year=foreign_year, grade=5, letter="А")
    math = SubjectFactory(school=school, name="Математика")
    russian = SubjectFactory(school=school, name="Русский язык")
    math_5a = CourseFactory(class_group=class_5a, subject=math)
    russian_6b = CourseFactory(class_group=class_6b, subject=russian)
    foreign_course = CourseFactory(
        class_group=foreign_class, subject=SubjectFactory(school=foreign_school, name="Математика")
    )

    users = {
        "teacher": _user("teacher", school, Role.TEACHER, last_name="Иванова", first_name="Анна"),
        "other_teacher": _user("other_teacher", school, Role.TEACHER, last_name="Петров", first_name="Олег"),
        "foreign_teacher": _user("foreign_teacher", foreign_school, Role.TEACHER, last_name="Орлов"),
        "class_teacher": _user("class_teacher", school, Role.TEACHER, last_name="Смирнова", first_name="Мария"),
        "parent": _user("parent", school, Role.PARENT, last_name="Соколова", first_name="Елена"),
        "other_parent": _user("other_parent", school, Role.PARENT, last_name="Волкова", first_name="Ольга"),
        "student": _user("student", school, Role.STUDENT, last_name="Соколов", first_name="Артём"),
        "administrator": _user("administrator", school, Role.ADMINISTRATOR, last_name="Макаров"),
        "deputy": _user("deputy", school, Role.DEPUTY, last_name="Воскобойникова"),
        "director": _user("director", school, Role.DIRECTOR, last_name="Кудаева"),
        "foreign_admin": _user("foreign_admin", foreign_school, Role.ADMINISTRATOR, last_name="Чужой"),
    }
    teaching_assignment_create(actor=None, course=math_5a, teacher=users["teacher"], date_from=YEAR_START)
    teaching_assignment_create(actor=None, course=russian_6b, teacher=users["other_teacher"], date_from=YEAR_START)
    teaching_assignment_create(
        actor=None, course=foreign_course, teacher=users["foreign_teacher"], date_from=YEAR_START
    )
    class_teacher_set(actor=None, class_group=class_5a, teacher=users["class_teacher"])

    child = _enrol(StudentFactory(school=school, last_name="Соколов", first_name="Артём"), class_5a)
    other_child = _enrol(StudentFactory(school=school, last_name="Волкова", first_name="Алиса"), class_5a)
    student_6b = _enrol(StudentFactory(school=school, last_name="Новиков", first_name="Иван"), class_6b)
    foreign_student = _enrol(StudentFactory(school=foreign_school, last_name="Дальний"), foreign_class)
    student_login_attach(actor=None, student=child, user=users["student"])
    parent_link_create(actor=None, parent=users["parent"], student=child, relation="mother", consent_given=True)
    parent_link_create(
        actor=None, parent=users["other_parent"], student=other_child, relation="mother", consent_given=True
    )

    return World(
        school=school,
        foreign_school=foreign_school,
        year=year,
        class_5a=class_5a,
        class_6b=class_6b,
        foreign_class=foreign_class,
        math_5a=math_5a,
        russian_6b=russian_6b,
        foreign_course=foreign_course,
        child=child,
        other_child=other_child,
        student_6b=student_6b,
        foreign_student=foreign_student,
        users=users,
    )


@pytest.fixture
def client_for(world: World):
    """``client_for("parent")``: a test client logged in as that persona (anonymous: not logged in)."""

    def make(persona: str) -> Client:
        client = Client()
        user = world.user(persona)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def bells(world: World) -> m.BellSchedule:
    """«1 смена» of ``world.school``: lessons 1–7, 45 minutes from 08:30 with 10-minute breaks."""
    import datetime

    schedule = m.BellSchedule.objects.create(school=world.school, name="1 смена", shift=1)
    start = datetime.datetime.combine(datetime.date(2000, 1, 1), datetime.time(8, 30))
    for number in range(1, 8):
        end = start + datetime.timedelta(minutes=45)
        m.BellSlot.objects.create(schedule=schedule, number=number, start=start.time(), end=end.time())
        start = end + datetime.timedelta(minutes=10)
    return schedule


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup``: pytest-xdist 3.8 names an item's ``xdist_group`` by appending ``@group`` to
    ``item._nodeid``, which pytest 9.2 no longer reads (a node's id is ``item._id``); without it the
    scheduler spreads a group over both workers and the seeded demo is seeded twice. Set the id it reads."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else "default") for mark in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")
