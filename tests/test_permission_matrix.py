"""Every named URL × every persona → the status code they get.

One table, one parametrized test (pretix ``src/tests/control/test_permissions.py``).
A new view is added to ``MATRIX`` in the same commit: the meta-test below
walks the URL resolver and names any URL the table lacks. The ``admin:``
namespace is covered by ``tests/journal/test_isolation.py``; ``set_language``
by the tests at the end of this module.

Semantics (DESIGN.md, "Roles and scopes"; CONVENTIONS.md, "One access layer"):
anonymous → 302 to the login page; parents and students on the journal's staff
pages → 403 (§3.12); an object outside the user's scope → 404, never 403, so a
parent cannot learn that another child exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from journal import models as m
from tests.conftest import PERSONAS, World
from tests.diary.matrix import ROWS as DIARY_ROWS
from tests.matrix import COLUMNS, KwargsFactory, Row, missing, no_kwargs, pk_of, statuses
from tests.messaging.matrix import ROWS as MESSAGING_ROWS
from tests.monitoring.matrix import ROWS as MONITORING_ROWS
from tests.reports.matrix import ROWS as REPORTS_ROWS

# --- Objects of the timetable and curriculum rows (created on demand in the row's world) ---


def _timetable_entry(world: World) -> dict[str, Any]:
    import datetime

    from journal.services.timetable import timetable_entry_create

    bells, _ = m.BellSchedule.objects.get_or_create(school=world.school, name="1 смена")
    m.BellSlot.objects.get_or_create(
        schedule=bells, number=1, defaults={"start": datetime.time(8, 30), "end": datetime.time(9, 15)}
    )
    entry = timetable_entry_create(actor=None, course=world.math_5a, weekday=1, slot=1)
    return {"entry_id": entry.pk}


def _room(school_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"room_id": m.Room.objects.get_or_create(school=getattr(world, school_attr), name="101")[0].pk}

    kwargs.__name__ = f"room_of_{school_attr}"
    return kwargs


def _teacher(persona: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"teacher_id": world.users[persona].pk}

    kwargs.__name__ = persona
    return kwargs


def _user_of(persona: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"user_id": world.users[persona].pk}

    kwargs.__name__ = persona
    return kwargs


# --- People of two schools (a login is one person's in every school: journal.rules.may_manage_login) ---

BOTH_SCHOOLS = ("teacher_of_both", "head_there", "parent_of_both")


def person_of_both_schools(world: World, kind: str, name: str = "") -> User:
    """A person of ``world.school`` who is also in ``world.foreign_school``: ``teacher_of_both`` teaches in
    both; ``head_there`` administers the foreign school and teaches here (the demo's administrator as
    «Школа № 7» sees him); ``parent_of_both`` has a child in each school; ``only_here`` is a parent of this
    school alone."""
    from journal.services.structure import parent_link_create
    from tests.factories import UserFactory

    username = name or kind
    if kind in ("parent_of_both", "only_here"):
        parent = UserFactory(username=username, last_name="Двойникова")
        parent_link_create(actor=None, parent=parent, student=world.student_6b, relation="mother", consent_given=True)
        if kind == "parent_of_both":
            parent_link_create(
                actor=None, parent=parent, student=world.foreign_student, relation="mother", consent_given=True
            )
        return parent
    from accounts.services.users import user_set_roles

    person = UserFactory(username=username, school=world.school, roles=(Role.TEACHER,), last_name="Двойников")
    there = Role.ADMINISTRATOR if kind == "head_there" else Role.TEACHER
    user_set_roles(user=person, school=world.foreign_school, roles=(there,))
    return person


def _both(kind: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"user_id": person_of_both_schools(world, kind).pk}

    kwargs.__name__ = kind
    return kwargs


def _cell(attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"class_id": getattr(world, attr).pk, "weekday": 1, "slot": 1}

    kwargs.__name__ = f"{attr}_monday_1"
    return kwargs


def _curriculum_item(course_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        course = getattr(world, course_attr)
        item = m.CurriculumItem.objects.create(
            year=course.class_group.year, grade=5, subject=course.subject, hours_per_week=5
        )
        return {"item_id": item.pk}

    kwargs.__name__ = f"curriculum_{course_attr}"
    return kwargs


# --- Objects of the thematic-plan and lesson rows (created on demand in the row's world) ---


def _own_plan(course_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        from tests.journal.test_plans import make_plan

        course = getattr(world, course_attr)
        make_plan(course)
        return {"course_id": course.pk}

    kwargs.__name__ = f"own_plan_of_{course_attr}"
    return kwargs


def _plan_item(course_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        from tests.journal.test_plans import make_plan

        course = getattr(world, course_attr)
        return {"course_id": course.pk, "item_id": make_plan(course).items.get(order=2).pk}

    kwargs.__name__ = f"plan_item_of_{course_attr}"
    return kwargs


def _lesson(course_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        from tests.journal.test_plans import make_lessons, make_plan, weekdays

        course = getattr(world, course_attr)
        make_plan(course)
        return {"lesson_id": make_lessons(course, weekdays(1))[0].pk}

    kwargs.__name__ = f"lesson_of_{course_attr}"
    return kwargs


# --- Objects of the lesson-change, substitution and assessment rows (created in the row's world) ---


def _planned_lesson(course_attr: str) -> KwargsFactory:
    """A planned lesson of the course on Monday 5 October 2026, lesson 2, taught by the course's teacher."""

    def kwargs(world: World) -> dict[str, Any]:
        import datetime

        course = getattr(world, course_attr)
        teacher = course.assignments.first().teacher
        lesson = m.Lesson.objects.create(course=course, date=datetime.date(2026, 10, 5), slot=2, teacher=teacher)
        return {"lesson_id": lesson.pk}

    kwargs.__name__ = f"planned_lesson_of_{course_attr}"
    return kwargs


def _substitution(world: World) -> dict[str, Any]:
    """``other_teacher`` substitutes ``teacher`` in a 5А mathematics lesson."""
    from journal.services.substitutions import substitution_assign

    lesson_id = _planned_lesson("math_5a")(world)["lesson_id"]
    substitution = substitution_assign(
        actor=world.users["deputy"],
        lesson=m.Lesson.objects.get(pk=lesson_id),
        substitute=world.users["other_teacher"],
        reason="Болезнь",
    )
    return {"substitution_id": substitution.pk}


def _period(world: World) -> dict[str, Any]:
    import datetime

    period = m.StudyPeriod.objects.create(
        year=world.year, kind="quarter", number=1, start=world.year.start, end=datetime.date(2026, 10, 25)
    )
    return {"period_id": period.pk}


# --- Objects of the final-marks, periods, policy and history rows (issue 4, created in the row's world) ---


def _finals_of(course_attr: str) -> KwargsFactory:
    """The course, with a first quarter in its year (the page's default period)."""

    def kwargs(world: World) -> dict[str, Any]:
        _period(world)
        return {"course_id": getattr(world, course_attr).pk}

    kwargs.__name__ = f"finals_of_{course_attr}"
    return kwargs


def _work_type(school_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        work_type = m.WorkType.objects.create(school=getattr(world, school_attr), name="Ответ", weight=1)
        return {"work_type_id": work_type.pk}

    kwargs.__name__ = f"work_type_of_{school_attr}"
    return kwargs


def _lesson_cell(course_attr: str, student_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        lesson_id = _planned_lesson(course_attr)(world)["lesson_id"]
        return {"lesson_id": lesson_id, "student_id": getattr(world, student_attr).pk}

    kwargs.__name__ = f"cell_of_{course_attr}_{student_attr}"
    return kwargs


def _homework_file(course_attr: str) -> KwargsFactory:
    """A pdf attached to the homework of a planned lesson of the course, by the course's teacher."""

    def kwargs(world: World) -> dict[str, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from journal.services.homework import homework_file_add, homework_set

        lesson = m.Lesson.objects.get(pk=_planned_lesson(course_attr)(world)["lesson_id"])
        homework = homework_set(actor=lesson.teacher, lesson=lesson, text="§ 12, № 3")
        upload = SimpleUploadedFile("Задание.pdf", b"%PDF-1.4\n")
        return {"file_id": homework_file_add(actor=lesson.teacher, homework=homework, upload=upload).pk}

    kwargs.__name__ = f"homework_file_of_{course_attr}"
    return kwargs


def _lesson_with_homework(course_attr: str) -> KwargsFactory:
    """A planned lesson of the course with homework set by the course's teacher."""

    def kwargs(world: World) -> dict[str, Any]:
        from journal.services.homework import homework_set

        lesson = m.Lesson.objects.get(pk=_planned_lesson(course_attr)(world)["lesson_id"])
        homework_set(actor=lesson.teacher, lesson=lesson, text="§ 12, № 3")
        return {"lesson_id": lesson.pk}

    kwargs.__name__ = f"homework_of_{course_attr}"
    return kwargs


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Homework files of the rows are written under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


# fmt: off
JOURNAL_ROWS: list[Row] = [
    #                                                         anon tch  oth  frn  ctch par  stu  adm  dep  dir
    Row("home", no_kwargs,                           statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # A signed-in user is sent on from the login page (redirect_authenticated_user).
    Row("login", no_kwargs,                          statuses(200, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # Logout is POST only (Django ≥ 5): GET is refused, POST logs out and goes to the login page.
    Row("logout", no_kwargs,                         statuses(405, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
    Row("logout", no_kwargs,                         statuses(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
        method="post"),
    Row("password_change", no_kwargs,                statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    # Everyone's own sign-ins, and the report of a compromised login (an unticked one changes nothing: 400).
    # Two-step sign-in: anyone may set it up (required for the administration in production).
    Row("mfa_setup", no_kwargs,                      statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("mfa_setup", no_kwargs,                      statuses(302, 400, 400, 400, 400, 400, 400, 400, 400, 400),
        method="post"),
    Row("mfa_verify", no_kwargs,                     statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("mfa_verify", no_kwargs,                     statuses(302, 400, 400, 400, 400, 400, 400, 400, 400, 400),
        method="post"),
    Row("login_history", no_kwargs,                  statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("compromise_report", no_kwargs,              statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("compromise_report", no_kwargs,              statuses(302, 400, 400, 400, 400, 400, 400, 400, 400, 400),
        method="post"),

    # Switching to another school of one's own (POST only): a school not named, or not the user's, is a 404
    # (tests/accounts/test_school_roles.py switches for real).
    Row("journal:school_switch", no_kwargs,          statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
    Row("journal:school_switch", no_kwargs,          statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        method="post"),

    # Lists: the journal side is for staff; each sees their own scope in it.
    Row("journal:course_list", no_kwargs,            statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:class_list", no_kwargs,             statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),

    # Courses: the teacher's own, the class teacher's class, the whole school for the administration.
    Row("journal:course_detail", pk_of("course_id", "math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_detail", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:course_detail", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_detail", missing("course_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),

    # Classes: the led class, the classes one teaches in, all of the school for the administration.
    Row("journal:class_detail", pk_of("class_id", "class_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:class_detail", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:class_detail", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:class_detail", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),

    # The class teacher's desk (§4.3): the attendance by week and the overview of marks, for the class
    # teacher, the director and the deputy; a teacher who only teaches in the class and the administrator 403.
    Row("journal:class_attendance", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 403, 200, 200)),
    Row("journal:class_attendance", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 403, 404, 404, 403, 403, 403, 200, 200)),
    Row("journal:class_attendance", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    Row("journal:class_attendance", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:class_overview", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 403, 200, 200)),
    Row("journal:class_overview", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    # Movement of students (§4.3): the class teacher and the administrator ask; an empty POST names no
    # student (400); the administrator confirms or refuses.
    Row("journal:class_movement", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 200, 403, 403)),
    Row("journal:class_movement", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 400, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:class_movement", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    # The groups of a split subject: the class teacher, the deputy, the administrator move a student.
    Row("journal:class_subgroups", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 200, 200, 403)),
    Row("journal:class_subgroups", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 400, 403, 403, 400, 400, 403),
        method="post"),
    Row("journal:class_subgroups", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    # Logins (§3.2, §3.3): the administrator's only; another school's class or person is not found.
    Row("journal:accounts", no_kwargs,               statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:class_accounts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:class_accounts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:class_accounts", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    Row("journal:account_reissue", _user_of("parent"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:account_reissue", _user_of("foreign_teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    Row("journal:account_active", missing("user_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    # A login is one person's in every school (journal.rules.may_manage_login): the administrator re-issues and
    # disables the logins of this school alone; a person also in another school (a teacher of both, the other
    # school's administrator teaching here, a parent with a child in each) is refused (403), nothing changes.
    Row("journal:account_reissue", _user_of("parent"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
        method="post"),
    Row("journal:account_reissue", _both("teacher_of_both"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:account_reissue", _both("head_there"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:account_reissue", _both("parent_of_both"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:account_active", _user_of("other_teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 302, 403, 403),
        method="post"),
    Row("journal:account_active", _both("head_there"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:account_active", _both("parent_of_both"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    # A lost phone: the administrator resets the second step of a login they may manage (POST only).
    Row("journal:account_mfa_reset", _user_of("teacher"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:account_mfa_reset", _user_of("teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 302, 403, 403),
        method="post"),
    Row("journal:account_mfa_reset", _both("teacher_of_both"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 403, 403),
        method="post"),
    # The one-time code for setting up the second step after an issued password (POST only): the administrator
    # of one of the person's schools, shown once; another school's person is not found.
    Row("journal:account_enrolment_code", _user_of("deputy"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:account_enrolment_code", _user_of("deputy"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
        method="post"),
    Row("journal:account_enrolment_code", _both("head_there"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403),
        method="post"),
    Row("journal:account_enrolment_code", _user_of("foreign_teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    Row("journal:account_logins", _user_of("parent"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:account_logins", _user_of("foreign_teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    # A new staff member and the staff roles of a person of the school: the administrator (an empty POST is
    # the form again with its errors); another school's person is a 404.
    Row("journal:staff_new", no_kwargs,              statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:staff_new", no_kwargs,              statuses(302, 403, 403, 403, 403, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:staff_roles", _user_of("teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:staff_roles", _user_of("teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:staff_roles", _user_of("foreign_teacher"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    Row("journal:compromise_list", no_kwargs,        statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:compromise_list", no_kwargs,        statuses(302, 403, 403, 403, 403, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:compromise_detail", missing("report_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    Row("journal:compromise_act_pdf", missing("report_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    # The roster import: the administrator's; an empty upload is a form error (400), a confirmation with no
    # checked file goes back to the upload (302).
    Row("journal:roster_import", no_kwargs,          statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:roster_import", no_kwargs,          statuses(302, 403, 403, 403, 403, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:roster_import_confirm", no_kwargs,  statuses(302, 403, 403, 403, 403, 403, 403, 302, 403, 403),
        method="post"),
    Row("journal:roster_template", no_kwargs,        statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    # The consent register (§1.9): the administrator records and prints.
    Row("journal:consent_set", missing("link_id"),  statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    Row("journal:consent_form_pdf", missing("link_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403)),
    # Contact data: the class teacher and the administrator keep the class's; a parent reads their own.
    Row("journal:class_contacts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 200, 403, 403)),
    Row("journal:class_contacts", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 400, 403, 403, 400, 403, 403),
        method="post"),
    Row("journal:class_contacts", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    Row("journal:my_contacts", no_kwargs,            statuses(302, 404, 404, 404, 404, 200, 404, 404, 404, 404)),
    Row("journal:my_contacts", no_kwargs,            statuses(302, 404, 404, 404, 404, 400, 404, 404, 404, 404),
        method="post"),
    Row("journal:movement_list", no_kwargs,          statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:movement_confirm", missing("movement_id"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:movement_confirm", missing("movement_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    Row("journal:movement_refuse", missing("movement_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    # Setting a reason: POST only; a post naming no absence of the class is a 404 (the service decides
    # who may: the class teacher, see tests/journal/test_class_desk.py).
    Row("journal:class_attendance_reason", pk_of("class_id", "class_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:class_attendance_reason", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 404, 403, 403, 403, 404, 404),
        method="post"),

    # Student cards: the class teacher (current class), the parent, the student themself,
    # the administration. A subject teacher opens no card.
    Row("journal:student_detail", pk_of("student_id", "child"),
                                                     statuses(302, 404, 404, 404, 200, 200, 200, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "other_child"),
                                                     statuses(302, 404, 404, 404, 200, 404, 404, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "student_6b"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 200, 200, 200)),
    Row("journal:student_detail", pk_of("student_id", "foreign_student"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    Row("journal:student_detail", missing("student_id"),
                                                     statuses(302, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    # Timetable (§4.5): the administration reads every week, a teacher their own and the classes they
    # teach or lead; the deputy and the administrator edit (the director reads only). Parents and students: 403.
    Row("journal:timetable", no_kwargs,              statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:timetable_regime", no_kwargs,       statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:timetable_generate", no_kwargs,     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:timetable_generate", no_kwargs,     statuses(302, 403, 403, 403, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:timetable_class", pk_of("class_id", "class_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:timetable_class", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:timetable_class", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:timetable_class", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:timetable_generate_class", pk_of("class_id", "class_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:timetable_generate_class", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:timetable_generate_class", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:timetable_cell", _cell("class_5a"), statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:timetable_cell", _cell("foreign_class"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:timetable_entry_add", _cell("class_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403)),
    # An empty POST: the editors get the form back with its errors; nobody else gets that far.
    Row("journal:timetable_entry_add", _cell("class_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:timetable_entry_add", _cell("class_6b"),
                                                     statuses(302, 404, 403, 404, 404, 403, 403, 200, 200, 403)),
    Row("journal:timetable_entry_add", _cell("foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:timetable_entry_end", _timetable_entry,
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403)),
    Row("journal:timetable_entry_end", _timetable_entry,
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:timetable_entry_end", missing("entry_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:timetable_entry_room", _timetable_entry,
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403)),
    Row("journal:timetable_entry_room", _timetable_entry,
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:timetable_teacher", _teacher("teacher"),
                                                     statuses(302, 200, 404, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:timetable_teacher", _teacher("other_teacher"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:timetable_teacher", _teacher("foreign_teacher"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    # The deputy is not a teacher: no teaching week, not even their own.
    Row("journal:timetable_teacher", _teacher("deputy"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:timetable_room", _room("school"),   statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    Row("journal:timetable_room", _room("foreign_school"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 404, 404)),

    # Curriculum (§4.4): the deputy and the administrator edit, the director reads, nobody else.
    Row("journal:curriculum", no_kwargs,             statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    Row("journal:curriculum_check", no_kwargs,       statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    Row("journal:curriculum_add", no_kwargs,         statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403)),
    Row("journal:curriculum_add", no_kwargs,         statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:curriculum_edit", _curriculum_item("math_5a"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403)),
    Row("journal:curriculum_edit", _curriculum_item("math_5a"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:curriculum_edit", _curriculum_item("foreign_course"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 404, 404)),
    # GET asks to confirm; the deleting POST is tested per persona in tests/journal/test_curriculum.py.
    Row("journal:curriculum_delete", _curriculum_item("math_5a"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403)),
    Row("journal:curriculum_delete", _curriculum_item("foreign_course"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 404, 404),
        method="post"),
    # Thematic plans (КТП): whoever sees the course reads its plan, progress and lessons; only
    # its teacher writes a course's own plan. A POST with no data is refused (403/404) before
    # it is parsed; the teacher gets a form error (400) or a redirect (302).
    Row("journal:plan_list", no_kwargs,              statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:plan_template", no_kwargs,          statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:plan_detail", _own_plan("math_5a"), statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:plan_detail", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:plan_detail", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:plan_detail", missing("course_id"), statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:plan_export", _own_plan("math_5a"), statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:plan_progress", _own_plan("math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_lessons", pk_of("course_id", "math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_lessons", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    # The course journal (the grid): read by whoever sees the course; a cell is written by the course's
    # teacher (an empty POST: 400) or a lesson's substitute; everyone else who sees the course: 403.
    Row("journal:course_journal", pk_of("course_id", "math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_journal", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_journal", missing("course_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_journal_cell", pk_of("course_id", "math_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:course_journal_cell", pk_of("course_id", "math_5a"),
                                                     statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:course_journal_cell", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 400, 404, 404, 403, 403, 403, 403, 403),
        method="post"),
    # A cell's panel (readers of the course; no ?lesson=&student=: 400) and a mark's work type/comment (writers).
    Row("journal:course_journal_cell_details", pk_of("course_id", "math_5a"),
                                                     statuses(302, 400, 404, 404, 400, 403, 403, 400, 400, 400)),
    Row("journal:course_journal_cell_details", pk_of("course_id", "foreign_course"),
                                                     statuses(302, 404, 404, 400, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_journal_mark", pk_of("course_id", "math_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:course_journal_mark", pk_of("course_id", "math_5a"),
                                                     statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:course_journal_mark", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 400, 404, 404, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_import", _own_plan("math_5a"), statuses(302, 200, 404, 404, 403, 403, 403, 403, 403, 403)),
    Row("journal:plan_import", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 403, 403, 403)),
    Row("journal:plan_import", _own_plan("math_5a"), statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_import_confirm", _own_plan("math_5a"),
                                                     statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    # No plan yet: the teacher may make the course's own, the deputy one shared by the grade.
    Row("journal:plan_create", pk_of("course_id", "russian_6b"),
                                                     statuses(302, 404, 302, 404, 404, 403, 403, 403, 302, 403),
        method="post"),
    Row("journal:plan_create", _own_plan("math_5a"), statuses(302, 403, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_copy", _own_plan("math_5a"),   statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_item_add", _own_plan("math_5a"),
                                                     statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_item_edit", _plan_item("math_5a"),
                                                     statuses(302, 200, 404, 404, 403, 403, 403, 403, 403, 403)),
    Row("journal:plan_item_edit", _plan_item("math_5a"),
                                                     statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:plan_item_edit", _plan_item("russian_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 403, 403, 403)),
    Row("journal:plan_item_move", _plan_item("math_5a"),
                                                     statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    # The teacher deletes the row first; the refusals of the others come before the row is looked up.
    Row("journal:plan_item_delete", _plan_item("math_5a"),
                                                     statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),

    # The lesson page: the course's readers read it, its teacher (or the lesson's substitute,
    # tests/journal/test_lesson_page.py) marks it held and sets the topic.
    Row("journal:lesson_detail", _lesson("math_5a"), statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:lesson_detail", _lesson("foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:lesson_detail", missing("lesson_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:lesson_detail", _lesson("math_5a"), statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:lesson_hold", _lesson("math_5a"),   statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:lesson_unhold", _lesson("math_5a"), statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:lesson_attendance_taken", _lesson("math_5a"),
                                                     statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    # Lesson changes (§4.5): staff read them in their scope, the deputy and the administrator make them.
    # POSTs are empty: the editors are sent back with the form's errors and nothing changes.
    Row("journal:changes", no_kwargs,                statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:changes_class", pk_of("class_id", "class_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:changes_class", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 200, 404, 404, 403, 403, 200, 200, 200)),
    Row("journal:changes_class", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:changes_class", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:change_extra", pk_of("class_id", "class_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:change_extra", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:change_extra", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:change_cancel", _planned_lesson("math_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:change_cancel", _planned_lesson("math_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:change_cancel", _planned_lesson("foreign_course"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:change_cancel", missing("lesson_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:change_restore", _planned_lesson("math_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:change_move", _planned_lesson("math_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:change_move", _planned_lesson("russian_6b"),
                                                     statuses(302, 404, 403, 404, 404, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:change_room", _planned_lesson("math_5a"),
                                                     statuses(302, 403, 404, 404, 403, 403, 403, 302, 302, 403),
        method="post"),

    # Substitutions (§4.4): the log and its downloads list only the school's rows (a teacher's: where
    # they are absent or substitute, tests/journal/test_substitutions.py); the deputy and the
    # administrator assign and remove. The substitution of a 5А lesson: teacher absent, other_teacher
    # substitute — both see the row (403 on removing), the class teacher does not (404).
    Row("journal:substitution_log", no_kwargs,       statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:substitution_log_pdf", no_kwargs,   statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:substitution_log_xlsx", no_kwargs,  statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:substitution_assign", no_kwargs,    statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403)),
    Row("journal:substitution_assign", no_kwargs,    statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403),
        method="post"),
    Row("journal:substitution_remove", _substitution,
                                                     statuses(302, 403, 403, 404, 404, 403, 403, 200, 200, 403)),
    Row("journal:substitution_remove", missing("substitution_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),

    # Assessment procedures: staff, each reading the tests of the courses they see; a period of
    # another school is not found.
    Row("journal:assessment", no_kwargs,             statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
    Row("journal:assessment_period", _period,        statuses(302, 200, 200, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:assessment_period", missing("period_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:assessment_xlsx", _period,          statuses(302, 200, 200, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:assessment_xlsx", missing("period_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    # Final marks (issue 4): the course's readers read them, its teacher sets them. An empty POST
    # names no student: the teacher gets 404, the others are refused before that.
    Row("journal:course_finals", _finals_of("math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_finals", _finals_of("foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_finals", missing("course_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_finals", _finals_of("math_5a"),
                                                     statuses(302, 404, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    # Study periods: the administration reads them, the deputy and the administrator lock and unlock.
    Row("journal:period_list", no_kwargs,            statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    # The new-year wizard: the deputy and the administrator; an empty POST (no confirmation) makes nothing.
    Row("journal:new_year", no_kwargs,               statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 403)),
    Row("journal:new_year", no_kwargs,               statuses(302, 403, 403, 403, 403, 403, 403, 400, 400, 403),
        method="post"),
    Row("journal:period_lock", _period,              statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:period_lock", _period,              statuses(302, 403, 403, 403, 403, 403, 403, 302, 302, 403),
        method="post"),
    Row("journal:period_lock", missing("period_id"), statuses(302, 403, 403, 403, 403, 403, 403, 404, 404, 403),
        method="post"),
    # An empty reason: the editors are sent back with the error, the period stays as it was.
    Row("journal:period_unlock", _period,            statuses(302, 403, 403, 403, 403, 403, 403, 302, 302, 403),
        method="post"),
    # Grading policy: the deputy and the administrator change it, the director reads it.
    Row("journal:policy", no_kwargs,                 statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    Row("journal:policy_version_create", no_kwargs,  statuses(302, 403, 403, 403, 403, 403, 403, 400, 400, 403),
        method="post"),
    Row("journal:work_type_create", no_kwargs,       statuses(302, 403, 403, 403, 403, 403, 403, 400, 400, 403),
        method="post"),
    Row("journal:work_type_update", _work_type("school"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 400, 400, 403),
        method="post"),
    Row("journal:work_type_update", _work_type("foreign_school"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 404, 404, 403),
        method="post"),
    # A cell's history: whoever reads the lesson.
    Row("journal:cell_history", _lesson_cell("math_5a", "child"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:cell_history", _lesson_cell("foreign_course", "foreign_student"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:cell_history", _lesson_cell("math_5a", "foreign_student"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    # Homework of a lesson: its teacher (or the lesson's substitute) sets it (an empty POST: 400);
    # a file is downloaded by whoever reads the lesson. The teacher removes the file first, so the
    # others find no file (404); their refusals are in tests/journal/test_homework_views.py.
    Row("journal:homework_save", _lesson("math_5a"), statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:homework_save", _lesson("math_5a"), statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:homework_file", _homework_file("math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:homework_file", _homework_file("foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:homework_file", missing("file_id"), statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:homework_file_delete", _homework_file("math_5a"),
                                                     statuses(302, 302, 404, 404, 404, 403, 403, 404, 404, 404),
        method="post"),
    Row("journal:homework_file_delete", _homework_file("math_5a"),
                                                     statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    # Changes by a user and their revert: the administrator only (an empty POST names no change: 404).
    Row("journal:history", no_kwargs,                statuses(302, 403, 403, 403, 403, 403, 403, 200, 403, 403)),
    Row("journal:history_revert", no_kwargs,         statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    Row("journal:history_revert_all", no_kwargs,     statuses(302, 403, 403, 403, 403, 403, 403, 404, 403, 403),
        method="post"),
    # Year, exam and final marks: read like the period marks, set by the course's teacher (an empty
    # POST names no student: 404 for the teacher; refusals with data in tests/journal/test_year_finals_views.py).
    Row("journal:course_finals_year", _finals_of("math_5a"),
                                                     statuses(302, 200, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("journal:course_finals_year", _finals_of("foreign_course"),
                                                     statuses(302, 404, 404, 200, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_finals_year", missing("course_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("journal:course_finals_year", _finals_of("math_5a"),
                                                     statuses(302, 404, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    # Clearing a lesson's homework: its teacher (or the substitute) confirms (GET) and deletes (POST;
    # an empty one has no version: 400). The others are refused and nothing is deleted.
    Row("journal:homework_clear", _lesson_with_homework("math_5a"),
                                                     statuses(302, 200, 404, 404, 403, 403, 403, 403, 403, 403)),
    Row("journal:homework_clear", _lesson_with_homework("math_5a"),
                                                     statuses(302, 400, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
    Row("journal:homework_clear", _lesson("math_5a"), statuses(302, 404, 404, 404, 403, 403, 403, 403, 403, 403)),
    # The results date of a test: the lesson's writers set it (an empty POST on an ordinary lesson is
    # refused with a message and a redirect, nothing changes).
    Row("journal:lesson_results", _lesson("math_5a"), statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("journal:lesson_results", _lesson("math_5a"), statuses(302, 302, 404, 404, 403, 403, 403, 403, 403, 403),
        method="post"),
]
# fmt: on

# Each app lists its own rows in tests/<app>/matrix.py.
# The health check: open to everyone (it names no person), for the compose checks and a monitoring system.
HEALTH_ROWS = [Row("health", no_kwargs, statuses(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))]
MATRIX: list[Row] = HEALTH_ROWS + JOURNAL_ROWS + DIARY_ROWS + MESSAGING_ROWS + REPORTS_ROWS + MONITORING_ROWS

# Covered by their own tests, not by the matrix.
NOT_IN_MATRIX = ("set_language",)
NOT_IN_MATRIX_NAMESPACES = ("admin",)


def _row_id(row: Row) -> str:
    return f"{row.method.upper()} {row.name}[{row.kwargs.__name__}]"


@pytest.mark.parametrize("row", MATRIX, ids=_row_id)
def test_permission_matrix(world: World, client_for: Callable[[str], Client], row: Row) -> None:
    # One world per row, every persona against it: a failure shows the whole row's
    # difference (persona → status), and the suite builds 20 worlds, not 200.
    url = reverse(row.name, kwargs=row.kwargs(world))
    actual: dict[str, int] = {}
    for persona in PERSONAS:
        response = getattr(client_for(persona), row.method)(url)
        actual[persona] = response.status_code
        if persona == "anonymous" and response.status_code == 302:
            assert response.url.startswith(reverse("login")), url
        if persona != "anonymous" and response.status_code == 200:
            # Pages with children's data never stay in a shared browser's cache.
            assert "no-store" in response["Cache-Control"], (persona, url)

    assert actual == row.expected, f"{row.method.upper()} {url}"


# --- The matrix itself --------------------------------------------------------


def _named_urls(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _named_urls(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_is_in_the_permission_matrix() -> None:
    names = {
        name
        for name in _named_urls(get_resolver().url_patterns)
        if name not in NOT_IN_MATRIX and name.split(":")[0] not in NOT_IN_MATRIX_NAMESPACES
    }

    assert "journal:course_list" in names  # the walk reaches namespaced includes
    assert sorted(names - {row.name for row in MATRIX}) == []


def test_permission_matrix_rows_name_existing_urls() -> None:
    names = set(_named_urls(get_resolver().url_patterns))

    assert sorted({row.name for row in MATRIX} - names) == []


def test_permission_matrix_columns_are_the_personas() -> None:
    assert sorted(COLUMNS) == sorted(PERSONAS)


# --- Logins of people in two schools: every path that changes a login, by whom -------------------------------
#
# The administrator of «Школа № 1», the administrator of «Школа № 2», an administrator of both and the
# superuser, each through every path that re-issues, disables or locks a login (the slips, the staff list, a
# paper compromise report, the second step's reset, the administration site's password form, its user form and
# its action), on a person of «Школа № 1» alone and on people of both schools. True: the login changed (a new
# password, disabled, or its second step gone); False: refused or not found, and nothing changed. The
# superuser works on the administration site (the journal's pages are the staff's). Rule:
# journal.rules.may_manage_login.

LOGIN_ACTORS = ("administrator", "foreign_admin", "admin_of_both", "superuser")
# fmt: off
LOGIN_TABLE: dict[str, tuple[bool, bool, bool, bool]] = {
    #                  adm    foreign admin_of_both superuser
    "only_here":      (True,  False,  True,         True),
    "teacher_of_both": (False, False,  True,         True),
    "head_there":     (False, False,  True,         True),
    "parent_of_both": (False, False,  True,         True),
}
# fmt: on
JOURNAL_PATHS = ("slip", "disable", "paper_report", "second_step_reset")
ADMIN_PATHS = ("admin_password", "admin_form", "admin_action")


def _login_actor(world: World, name: str) -> User:
    from accounts.services.users import user_set_roles
    from tests.factories import UserFactory

    if name == "admin_of_both":
        actor = UserFactory(username="admin_of_both", school=world.school, roles=(Role.ADMINISTRATOR,))
        user_set_roles(user=actor, school=world.foreign_school, roles=(Role.ADMINISTRATOR,))
        return actor
    if name == "superuser":
        return UserFactory(username="root", is_superuser=True)
    return world.users[name]


def _login_state(user: User) -> tuple[object, ...]:
    """The password, whether enabled, and the second step's devices."""
    password, active = User.objects.values_list("password", "is_active").get(pk=user.pk)
    return password, active, TOTPDevice.objects.filter(user=user).count()


def _try_path(client: Client, path: str, target: User) -> None:
    if path == "slip":
        client.post(reverse("journal:account_reissue", args=[target.pk]))
    elif path == "disable":
        client.post(reverse("journal:account_active", args=[target.pk]), {"active": "0"})
    elif path == "second_step_reset":
        client.post(reverse("journal:account_mfa_reset", args=[target.pk]))
    elif path == "paper_report":
        client.post(
            reverse("journal:compromise_list"),
            {"user": target.pk, "discovered_at": "2026-10-05T09:00", "received_at": "2026-10-05T09:30"},
        )
    elif path == "admin_password":
        new = {"password1": "Chuzhoy-parol-7391", "password2": "Chuzhoy-parol-7391", "usable_password": "true"}
        client.post(reverse("admin:auth_user_password_change", args=[target.pk]), new)
    elif path == "admin_form":
        form = {
            "username": target.username,
            "last_name": target.last_name,
            "first_name": target.first_name,
            "middle_name": target.middle_name,
            "email": "",
            "phone": "",
            "school_roles": sorted(r.value for r in target.roles_in(target.memberships.first().school_id)),
        }  # "is_active" left out: unticked
        client.post(reverse("admin:accounts_user_change", args=[target.pk]), form)
    else:
        client.post(
            reverse("admin:accounts_user_changelist"), {"action": "issue_password", "_selected_action": [target.pk]}
        )


@pytest.mark.parametrize("path", JOURNAL_PATHS + ADMIN_PATHS)
def test_who_changes_the_login_of_a_person_of_two_schools(world: World, path: str) -> None:
    actual: dict[str, tuple[bool | None, ...]] = {}
    for target_kind in LOGIN_TABLE:
        row: list[bool | None] = []
        for actor_name in LOGIN_ACTORS:
            if actor_name == "superuser" and path in JOURNAL_PATHS:
                row.append(LOGIN_TABLE[target_kind][3])  # not tried: the superuser works on the administration site
                continue
            target = person_of_both_schools(world, target_kind, f"{target_kind}_{actor_name}")
            TOTPDevice.objects.create(user=target, name="Телефон", confirmed=True)
            before = _login_state(target)
            client = Client()
            client.force_login(_login_actor(world, actor_name))
            _try_path(client, path, target)
            row.append(_login_state(target) != before)
        actual[target_kind] = tuple(row)

    assert actual == LOGIN_TABLE


# --- set_language ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "parent", "teacher"])
def test_set_language_switches_to_english_and_returns(client_for: Callable[[str], Client], persona: str) -> None:
    client = client_for(persona)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert response.cookies["django_language"].value == "en"


def test_set_language_does_not_redirect_to_another_site(db: None, client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response.url


# --- POST by people outside the scope: refused, nothing changes ------------------


def _state() -> dict[str, list[Any]]:
    """Everything a write through these views could touch, in a comparable form."""
    return {
        "assignments": list(m.TeachingAssignment.objects.order_by("pk").values_list()),
        "class_teachers": list(m.ClassGroup.objects.order_by("pk").values_list("pk", "class_teacher_id")),
        "parent_links": list(m.ParentLink.objects.order_by("pk").values_list()),
        "enrolments": list(m.Enrolment.objects.order_by("pk").values_list()),
        "students": list(m.Student.objects.order_by("pk").values_list()),
        "course_perms": list(m.CourseUserObjectPermission.objects.order_by("pk").values_list()),
        "class_perms": list(m.ClassGroupUserObjectPermission.objects.order_by("pk").values_list()),
        "student_perms": list(m.StudentUserObjectPermission.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "is_active", "must_change_password")),
    }


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "expected"),
    [
        ("parent", "journal:course_detail", pk_of("course_id", "math_5a"), 403),
        ("student", "journal:class_detail", pk_of("class_id", "class_5a"), 403),
        ("other_teacher", "journal:course_detail", pk_of("course_id", "math_5a"), 404),
        ("other_teacher", "journal:class_detail", pk_of("class_id", "class_5a"), 404),
        ("teacher", "journal:student_detail", pk_of("student_id", "child"), 404),
        ("parent", "journal:student_detail", pk_of("student_id", "other_child"), 404),
        ("student", "journal:student_detail", pk_of("student_id", "other_child"), 404),
        ("foreign_teacher", "journal:course_detail", pk_of("course_id", "math_5a"), 404),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_post_outside_scope_is_refused_and_changes_nothing(
    world: World, client_for: Callable[[str], Client], persona: str, name: str, kwargs: KwargsFactory, expected: int
) -> None:
    before = _state()
    payload = {"teacher": world.users[persona].pk, "class_teacher": world.users[persona].pk, "date_to": "2026-10-01"}

    response = client_for(persona).post(reverse(name, kwargs=kwargs(world)), payload)

    assert response.status_code == expected
    assert _state() == before


def test_password_change_without_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["parent"])
    before = _state()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 403
    assert _state() == before


def test_password_change_with_wrong_old_password_changes_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    before = _state()

    response = client_for("student").post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert _state() == before


def test_anonymous_password_change_post_is_sent_to_login_and_changes_nothing(world: World, client: Client) -> None:
    before = _state()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _state() == before


def test_password_change_touches_only_the_signed_in_users_password(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("parent").post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Nov-pass-7391", "new_password2": "Nov-pass-7391"},
    )

    assert response.status_code == 302
    passwords = dict(User.objects.values_list("username", "password"))
    assert check_password("Nov-pass-7391", passwords.pop("parent"))
    assert all(check_password("pass-12345", encoded) for encoded in passwords.values())


def test_logout_without_csrf_token_is_refused_and_session_survives(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["teacher"])

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_logout_by_get_keeps_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("teacher")

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_logout_by_post_ends_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("teacher")

    client.post(reverse("logout"))

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
