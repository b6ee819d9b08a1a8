"""What PostgreSQL's plans of a page's queries do to the tables that grow with a server's schools and years.

``bench_pages`` lists the sequential scans of those tables in the plans of each page it times
(:func:`seq_scans`: ``EXPLAIN``, the plan chosen for those values on that database); the tests of the
diary week and the grid count the rows their plans read (:func:`rows_read`: ``EXPLAIN ANALYZE``), which
must not grow with the years of marks before the week or with the other schools' students.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from simple_history.models import HistoricalChanges

from accounts.models import User
from journal.models import Attendance, Enrolment, Lesson, Mark, SchoolMembership, Student

_EXPLAINED = ("SELECT", "WITH", "UPDATE", "DELETE", "INSERT")


def growing_tables() -> set[str]:
    """The tables whose rows grow with the number of schools or years on a server: students, users and
    their schools, enrolments, lessons, marks, attendance and every table of history."""
    models = [User, Student, SchoolMembership, Enrolment, Lesson, Mark, Attendance]
    models += [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]
    return {model._meta.db_table for model in models}


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A plan's node and every node under it (subplans and init plans included)."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def _plan(cursor: Any, sql: str, analyze: bool = False) -> dict[str, Any]:
    cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {sql}")
    found = cursor.fetchone()[0]
    found = json.loads(found) if isinstance(found, str) else found
    return found[0]["Plan"]  # type: ignore[no-any-return]


def _explained(queries: Iterable[str], kinds: tuple[str, ...]) -> list[str]:
    return [sql for sql in queries if sql and sql.lstrip().upper().startswith(kinds)]


def seq_scans(
    queries: Iterable[str], tables: set[str] | None = None, statements: list[str] | None = None
) -> Counter[str]:
    """Table → the sequential scans of it in the plans of ``queries`` (the SQL with its values, as
    ``CaptureQueriesContext`` gives it), for ``tables`` (default: :func:`growing_tables`); the statements
    holding one are added to ``statements`` if given. They are explained, not run; PostgreSQL only
    (nothing elsewhere)."""
    found: Counter[str] = Counter()
    if connection.vendor != "postgresql":
        return found
    tables = growing_tables() if tables is None else tables
    with connection.cursor() as cursor:
        for sql in _explained(queries, _EXPLAINED):
            scanned = [
                node["Relation Name"]
                for node in plan_nodes(_plan(cursor, sql))
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in tables
            ]
            found.update(scanned)
            if scanned and statements is not None:
                statements.append(sql)
    return found


def rows_read(queries: Iterable[str], tables: set[str], *, seqscan: bool = True) -> int:
    """The rows of ``tables`` the plans of the SELECTs among ``queries`` read when run (``EXPLAIN ANALYZE``,
    rolled back): each scan's rows kept and removed by its filters, times its loops. ``seqscan=False``
    asks the planner for another path wherever there is one (the choice of a larger school, which a test's
    few rows would not make). PostgreSQL only."""
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in _explained(queries, ("SELECT", "WITH")):
            for node in plan_nodes(_plan(cursor, sql, analyze=True)):
                if node.get("Relation Name") in tables:
                    kept = node.get("Actual Rows", 0)
                    removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
                    total += (kept + removed) * node.get("Actual Loops", 1)
        transaction.set_rollback(True)
    return total


def execution_ms(queries: Iterable[str]) -> float:
    """The database's own time of the SELECTs among ``queries`` (the sum of their ``EXPLAIN ANALYZE``
    execution times, rolled back): what a page's reads cost PostgreSQL, without the round trips and the
    Python around them. PostgreSQL only."""
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _explained(queries, ("SELECT", "WITH")):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            found = cursor.fetchone()[0]
            found = json.loads(found) if isinstance(found, str) else found
            total += found[0]["Execution Time"]
        transaction.set_rollback(True)
    return total
