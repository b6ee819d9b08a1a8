"""Permission-matrix rows of the monitoring's URLs (joined in tests/test_permission_matrix.py).

The school's dashboard: the director, the deputy and the administrator (who gets its families and use
sections only); a class's: its class teacher, the director and the deputy (a teacher of the class 403,
another school's class 404); a teacher's week: the teacher themself, the director and the deputy; the
control checks: the deputy and the director record them, every teacher reads their own.
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.conftest import World
from tests.matrix import KwargsFactory, Row, missing, no_kwargs, pk_of, statuses


def _teacher(persona: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {"teacher_id": world.users[persona].pk}

    kwargs.__name__ = persona
    return kwargs


def _check(world: World) -> dict[str, Any]:
    from monitoring.models import ControlCheck

    check = ControlCheck.objects.create(
        school=world.school,
        year=world.year,
        teacher=world.users["teacher"],
        course=world.math_5a,
        checked_on=datetime.date(2026, 11, 20),
        findings="Не записаны темы уроков.",
        author=world.users["deputy"],
    )
    return {"check_id": check.pk}


# fmt: off
# Columns: anonymous, teacher, other_teacher, foreign_teacher, class_teacher, parent, student,
# administrator, deputy, director.
ROWS = [
    Row("monitoring:dashboard", no_kwargs,           statuses(302, 403, 403, 403, 403, 403, 403, 200, 200, 200)),
    Row("monitoring:class_dashboard", pk_of("class_id", "class_5a"),
                                                     statuses(302, 403, 404, 404, 200, 403, 403, 403, 200, 200)),
    Row("monitoring:class_dashboard", pk_of("class_id", "foreign_class"),
                                                     statuses(302, 404, 404, 403, 404, 403, 403, 404, 404, 404)),
    Row("monitoring:class_dashboard", missing("class_id"),
                                                     statuses(302, 404, 404, 404, 404, 403, 403, 404, 404, 404)),
    Row("monitoring:teacher_week", _teacher("teacher"),
                                                     statuses(302, 200, 403, 403, 403, 403, 403, 403, 200, 200)),
    Row("monitoring:teacher_week", _teacher("foreign_teacher"),
                                                     statuses(302, 403, 403, 200, 403, 403, 403, 403, 404, 404)),
    Row("monitoring:teacher_week", missing("teacher_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 404, 404)),
    Row("monitoring:checks", no_kwargs,              statuses(302, 403, 403, 403, 403, 403, 403, 403, 200, 200)),
    # An empty form: the deputy and the director get it back with the errors.
    Row("monitoring:checks", no_kwargs,              statuses(302, 403, 403, 403, 403, 403, 403, 403, 400, 400),
        method="post"),
    Row("monitoring:check_fixed", _check,            statuses(302, 405, 405, 405, 405, 403, 403, 405, 405, 405)),
    Row("monitoring:check_fixed", _check,            statuses(302, 403, 403, 403, 403, 403, 403, 403, 302, 302),
        method="post"),
    Row("monitoring:check_fixed", missing("check_id"),
                                                     statuses(302, 403, 403, 403, 403, 403, 403, 403, 404, 404),
        method="post"),
    Row("monitoring:my_checks", no_kwargs,           statuses(302, 200, 200, 200, 200, 403, 403, 200, 200, 200)),
]
# fmt: on
