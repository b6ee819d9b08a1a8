"""The default demo school, seeded once for the whole package (seeding takes about a minute of CPU).

It is seeded inside a transaction rolled back after the package's last test; each test runs in a
savepoint of it (``db``), so nothing a test changes reaches the next one. The package's modules carry
the ``xdist_group("seeded_demo")`` mark for ``--dist loadgroup``, so one worker seeds it once (pytest 9.2
with pytest-xdist 3.8 needs the id fix of ``tests/conftest.py::pytest_collection_modifyitems``).
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
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
        # The seed's deferred foreign-key checks, fired once here: else every test's teardown (Django's
        # TestCase checks the constraints) fires them all again inside its savepoint (about 3 s a test).
        connection.check_constraints()
        school = m.School.objects.get(name=SCHOOL_NAME)
        year = m.AcademicYear.objects.get(school=school, is_current=True)
        yield Demo(school=school, year=year, today=timezone.localdate(), output=out.getvalue())
        transaction.set_rollback(True)
