"""The default demo school, seeded once for the whole package (seeding takes about a minute of CPU).

It is seeded inside a transaction rolled back after the package's last test; each test runs in a
savepoint of it (``db``), so nothing a test changes reaches the next one. The package's modules carry
the ``xdist_group("seeded_demo")`` mark for ``--dist loadgroup``; with pytest 9.2 and pytest-xdist 3.8
the group is not applied (xdist renames ``item._nodeid``, which pytest 9 no longer reads), so each of
the two workers that gets some of them seeds once (about 40 s each in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from demo.builder import SCHOOL_NAME
from journal import models as m
from tests.journal.seeded_demo.support import Demo


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Demo]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        # The generated documents are not read here (tests/browser/test_login_browser.py makes them).
        call_command("seed_demo", "--documents", "later", stdout=out, stderr=StringIO())
        school = m.School.objects.get(name=SCHOOL_NAME)
        year = m.AcademicYear.objects.get(school=school, is_current=True)
        yield Demo(school=school, year=year, today=timezone.localdate(), output=out.getvalue())
        transaction.set_rollback(True)
