"""Permission-matrix rows of the diary app's URLs (joined in tests/test_permission_matrix.py).

The diary is the parents' and students' (§3.10, §5.3): staff get 403 on every diary page whatever
the id (the refusal depends on the role only, as the journal's 403 for parents, §3.12, and tells
nothing about any child); a parent or student asking for a child who is not theirs gets 404.
The acknowledgements of a class are a staff page: its class teacher and the administration read it.
"""

from __future__ import annotations

import datetime
from typing import Any

from journal import models as m
from tests.conftest import World
from tests.matrix import KwargsFactory, Row, missing, no_kwargs, pk_of, statuses


def _student_and(student_attr: str, extra: KwargsFactory) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"student_id": getattr(world, student_attr).pk, **extra(world)}

    kwargs.__name__ = f"{student_attr}_{extra.__name__}"
    return kwargs


def _course(course_attr: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"course_id": getattr(world, course_attr).pk}

    kwargs.__name__ = course_attr
    return kwargs


def _file_of(course_attr: str) -> KwargsFactory:
    """A file of the homework of a lesson of the course on Monday 5 October 2026."""

    def kwargs(world: World) -> dict[str, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from journal.services.homework import homework_file_add, homework_set

        course = getattr(world, course_attr)
        teacher = course.assignments.first().teacher
        lesson = m.Lesson.objects.create(course=course, date=datetime.date(2026, 10, 5), slot=2, teacher=teacher)
        homework = homework_set(actor=teacher, lesson=lesson, text="§ 12, № 3")
        upload = SimpleUploadedFile("Задание.pdf", b"%PDF-1.4\n")
        return {"file_id": homework_file_add(actor=teacher, homework=homework, upload=upload).pk}

    kwargs.__name__ = f"file_of_{course_attr}"
    return kwargs


def _missing_file(world: World) -> dict[str, Any]:
    return {"file_id": 999_999_999}


def _event(class_attr: str | None) -> KwargsFactory:
    """An event of the class (``None``: of the whole school), made by the deputy."""

    def kwargs(world: World) -> dict[str, Any]:
        from diary.models import Event

        class_group = getattr(world, class_attr) if class_attr else None
        school = class_group.year.school if class_group else world.school
        event = Event.objects.create(
            school=school,
            class_group=class_group,
            title="Родительское собрание",
            date=datetime.date(2026, 12, 10),
            created_by=world.users["deputy"],
        )
        return {"event_id": event.pk}

    kwargs.__name__ = f"event_of_{class_attr or 'school'}"
    return kwargs


# fmt: off
ROWS: list[Row] = [
    #                                                         anon tch  oth  frn  ctch par  stu  adm  dep  dir
    # The diary's start: parents and students go on to the (first) child's week.
    Row("diary:index", no_kwargs,                    statuses(302, 403, 403, 403, 403, 302, 302, 403, 403, 403)),
    Row("diary:week", pk_of("student_id", "child"),  statuses(302, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    Row("diary:week", pk_of("student_id", "other_child"),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:week", pk_of("student_id", "foreign_student"),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:week", missing("student_id"),         statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    # «Ознакомлен»: a parent of the child only (an empty POST names no week: 400); the student reads
    # but does not sign their own diary (403).
    Row("diary:acknowledge", pk_of("student_id", "child"),
                                                     statuses(302, 403, 403, 403, 403, 400, 403, 403, 403, 403),
        method="post"),
    Row("diary:acknowledge", pk_of("student_id", "other_child"),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403),
        method="post"),
    Row("diary:acknowledge", pk_of("student_id", "child"),
                                                     statuses(302, 405, 405, 405, 405, 405, 405, 405, 405, 405)),
    Row("diary:subjects", pk_of("student_id", "child"),
                                                     statuses(302, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    Row("diary:subjects", pk_of("student_id", "other_child"),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:subject", _student_and("child", _course("math_5a")),
                                                     statuses(302, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    Row("diary:subject", _student_and("child", _course("russian_6b")),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:subject", _student_and("other_child", _course("math_5a")),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:attendance", pk_of("student_id", "child"),
                                                     statuses(302, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    Row("diary:attendance", pk_of("student_id", "other_child"),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    # A homework file through the diary: one of that child's own lessons only.
    Row("diary:homework_file", _student_and("child", _file_of("math_5a")),
                                                     statuses(302, 403, 403, 403, 403, 200, 200, 403, 403, 403)),
    Row("diary:homework_file", _student_and("other_child", _file_of("math_5a")),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:homework_file", _student_and("child", _file_of("russian_6b")),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:homework_file", _student_and("child", _file_of("foreign_course")),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    Row("diary:homework_file", _student_and("child", _missing_file),
                                                     statuses(302, 403, 403, 403, 403, 404, 404, 403, 403, 403)),
    # Who acknowledged a week: the class teacher and the administration; a teacher of the class: 403.
    Row("diary:acknowledgements", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 200, 200, 200)),
    Row("diary:acknowledgements", pk_of("class_id", "class_6b"),
                                                     statuses(302, 404, 403, 404, 404, 403, 403, 200, 200, 200)),
    Row("diary:acknowledgements", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    # Events: everyone reads theirs; the deputy, director and administrator manage the school's and any
    # class's, a class teacher their class's. Empty POSTs: the editors get the form back (400).
    Row("diary:event_list", no_kwargs,               statuses(302, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Row("diary:event_create", no_kwargs,             statuses(302, 403, 403, 403, 200, 403, 403, 200, 200, 200)),
    Row("diary:event_create", no_kwargs,             statuses(302, 403, 403, 403, 400, 403, 403, 400, 400, 400),
        method="post"),
    Row("diary:event_edit", _event(None),            statuses(302, 403, 403, 404, 403, 403, 403, 200, 200, 200)),
    Row("diary:event_edit", _event("class_5a"),      statuses(302, 403, 403, 404, 200, 403, 403, 200, 200, 200)),
    Row("diary:event_edit", _event("class_6b"),      statuses(302, 403, 403, 404, 403, 404, 404, 200, 200, 200)),
    Row("diary:event_edit", _event("foreign_class"), statuses(302, 404, 404, 403, 404, 404, 404, 404, 404, 404)),
    Row("diary:event_edit", _event("class_5a"),      statuses(302, 403, 403, 404, 400, 403, 403, 400, 400, 400),
        method="post"),
    Row("diary:event_delete", _event("class_5a"),    statuses(302, 403, 403, 404, 200, 403, 403, 200, 200, 200)),
    # The class teacher deletes it: everyone after them in the row finds no event (404).
    Row("diary:event_delete", _event("class_5a"),    statuses(302, 403, 403, 404, 302, 404, 404, 404, 404, 404),
        method="post"),
    Row("diary:event_delete", _event(None),          statuses(302, 403, 403, 404, 403, 403, 403, 302, 404, 404),
        method="post"),
]
# fmt: on
