"""Time pages of the demo school the way a browser asks for them (server side only).

Run on a generated school, e.g.::

    manage.py seed_demo --size large
    manage.py bench_pages --repeat 20

Prints, per page, the median and 90th-percentile server time and the number of queries (a page that does
not answer 200 is skipped). Three of them are measured against their bare ceiling (``demo.bench_views``:
the least a Django view does to read or write the same rows), alternately request by request, so the
ratio holds when the machine's load changes: the course grid, the grid's cell save and the diary week;
their ratio is the median of the pairwise ratios. The load average is printed before and after. A
benchmark, not a test: the times depend on the machine, the ratios much less.

Under each page, the sequential scans its queries' plans hold on the tables that grow with the number of
schools and years (:func:`demo.plans.growing_tables`): each query of one more request is explained
(``EXPLAIN``, the plan PostgreSQL chooses for those values on this database), and a page must list none.
``--history-database`` names a copy of the database with more years of marks and attendance (``manage.py
grow_history``): the diary week is then timed on both in turns, and its time must not grow with the years
before the week.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.bench_server import bench_course
from demo.plans import execution_ms, growing_tables, seq_scans
from journal.models import ClassGroup, Course, Mark, Room
from journal.selectors.lessons import week_of
from journal.selectors.periods import course_students_in
from journal.services.marks import cell_state

Request = Callable[[], Any]


@dataclass
class Timing:
    times: list[float]
    queries: int
    size: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p90(self) -> float:
        ordered = sorted(self.times)
        return ordered[int(len(ordered) * 0.9) - 1] if len(ordered) >= 10 else ordered[-1]


def _measure(request: Request) -> tuple[float, int, Any]:
    elapsed, queries, response = _measure_sql(request)
    return elapsed, len(queries), response


def _measure_sql(request: Request) -> tuple[float, list[str], Any]:
    """The request's time in ms, the SQL of its queries (with their values) and its response."""
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, [query["sql"] for query in ctx.captured_queries], response


def _table_rows(tables: set[str]) -> dict[str, int]:
    if not tables:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [sorted(tables)])
        return dict(cursor.fetchall())


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pages() -> list[tuple[str, str, str]]:
    """(login, label, path) for the pages people open most."""
    class_5a = ClassGroup.objects.filter(year__is_current=True, grade=5, letter="А").first()
    teacher = User.objects.get(username="teacher")
    course = Course.objects.filter(assignments__teacher=teacher, class_group__year__is_current=True).first()
    room = Room.objects.filter(school=class_5a.year.school).first() if class_5a else None
    pages = [("teacher", "home (teacher)", "/"), ("deputy", "home (deputy)", "/")]
    if class_5a:
        pages += [
            ("deputy", "class timetable", f"/timetable/class/{class_5a.pk}/"),
            ("deputy", "class page", f"/classes/{class_5a.pk}/"),
            ("deputy", "lesson changes of a class", f"/changes/classes/{class_5a.pk}/"),
            ("classteacher", "class attendance desk", f"/classes/{class_5a.pk}/attendance/"),
            ("classteacher", "class overview of marks", f"/classes/{class_5a.pk}/overview/"),
        ]
        # The class reports as the class teacher opens them (her class and the defaults), built in the request.
        for code in (
            "attendance-months",
            "class-teacher",
            "results",
            "results-sheet",
            "attendance-sheet",
            "final-data",
            "forecast",
        ):
            pages.append(("classteacher", f"report {code} (5А)", f"/documents/reports/{code}/"))
        pages += [
            ("classteacher", "monitoring of the class", f"/monitoring/classes/{class_5a.pk}/"),
            ("admin", "monitoring (administrator)", "/monitoring/"),
            ("deputy", "report movement (school)", "/documents/reports/movement/"),
            ("deputy", "report headcount (school)", "/documents/reports/headcount/"),
        ]
    pages += [("deputy", "teacher timetable", f"/timetable/teacher/{teacher.pk}/")]
    if room:
        pages += [("deputy", "room timetable", f"/timetable/room/{room.pk}/")]
    if course:
        pages += [
            ("teacher", "thematic plan", f"/courses/{course.pk}/plan/"),
            ("teacher", "plan progress", f"/courses/{course.pk}/progress/"),
            ("teacher", "lessons of a course", f"/courses/{course.pk}/lessons/"),
            ("teacher", "course journal", f"/courses/{course.pk}/journal/"),
        ]
    pages += [
        ("teacher", "plan list", "/plans/"),
        ("deputy", "course list", "/courses/"),
        ("deputy", "substitution log", "/substitutions/"),
        ("deputy", "curriculum check", "/curriculum/check/"),
    ]
    # The diary of the demo parent's 5А child: the week and a subject (diary app).
    from demo.bench_diary import diary_pages

    pages += diary_pages()
    return pages


class Command(BaseCommand):
    help = "Times the main pages of the demo school against bare ceilings (run seed_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10)
        parser.add_argument("--only", default="", help="time only the pages whose label contains this text")
        parser.add_argument(
            "--history-database",
            default="",
            help="a copy of the database with more years of marks and attendance (manage.py grow_history): "
            "the diary week is timed on both in turns",
        )

    def handle(self, *args: Any, repeat: int, only: str, history_database: str, **options: Any) -> None:
        self.history_database = history_database
        self.verbosity = int(options.get("verbosity", 1))  # 2: the statements of the scans too
        self.scans: dict[str, Counter[str]] = {}
        self.last_queries: list[str] = []  # the SQL of the last page a pair timed
        self.growing = growing_tables()
        if connection.vendor == "postgresql":
            # The planner's statistics as autovacuum keeps them on a server: a database just seeded has none,
            # and its plans would be those of empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The e-mails the pages send (a sign-in from a new browser) are kept, not printed.
        with override_settings(
            ROOT_URLCONF="demo.bench_urls", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        ):
            self._run(repeat, only)

    def _client(self, login: str) -> Client:
        if login not in self.clients:
            self.clients[login] = Client()
            self.clients[login].force_login(User.objects.get(username=login))
        return self.clients[login]

    def _run(self, repeat: int, only: str) -> None:
        self.clients: dict[str, Client] = {}
        self.stdout.write(f"load average: {_load()}")
        self.stdout.write(f"{'page':32} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'KB':>7}")
        for login, label, path in _pages():
            if only not in label:
                continue
            client = self._client(login)
            client.get(path)  # warm caches and the connection
            timing = Timing([], 0, 0)
            response = None
            for _ in range(repeat):
                elapsed, timing.queries, response = _measure(lambda: client.get(path))  # noqa: B023
                timing.times.append(elapsed)
                if response.status_code != 200:
                    break
            if response is None or response.status_code != 200:
                self.stderr.write(f"{label}: HTTP {getattr(response, 'status_code', '?')}, skipped")
                continue
            timing.size = len(response.content)
            self._row(label, timing)
            self._scans(label, _measure_sql(lambda: client.get(path))[1])  # noqa: B023
        self.stdout.write("")
        self.stdout.write(f"{'against the bare ceiling':32} {'page ms':>8} {'bare ms':>8} {'ratio':>6} {'queries':>9}")
        for label, pair in (
            ("course grid", self._grid_pair),
            ("cell save", self._save_pair),
            ("column of marks", self._column_pair),
            ("diary week", self._week_pair),
            ("monitoring dashboard", self._monitoring_pair),
        ):
            if only in label:
                pair(repeat)
        if self.history_database and only in "diary week":
            self._history_pair(repeat)
        self._scan_summary()
        self.stdout.write(f"load average: {_load()}")

    def _row(self, label: str, timing: Timing) -> None:
        self.stdout.write(
            f"{label:32} {timing.median:10.1f} {timing.p90:8.1f} {timing.queries:8d} {timing.size / 1024:7.1f}"
        )

    def _scans(self, label: str, queries: list[str]) -> None:
        """Prints the sequential scans of growing tables in the plans of a page's queries."""
        statements: list[str] = []
        found = seq_scans(queries, self.growing, statements)
        self.scans[label] = found
        if found:
            rows = _table_rows(set(found))
            listed = ", ".join(f"{table} ×{n} (≈{rows.get(table, 0)} rows)" for table, n in sorted(found.items()))
            self.stdout.write(f"{'  seq scans':32} {listed}")
            if self.verbosity >= 2:
                for sql in statements:
                    self.stdout.write(f"    {sql[:300]}")

    def _scan_summary(self) -> None:
        pages = {label: found for label, found in self.scans.items() if found}
        self.stdout.write("")
        self.stdout.write(f"sequential scans of growing tables in {len(pages)} of {len(self.scans)} pages' plans")
        for label, found in pages.items():
            self.stdout.write(f"  {label}: {', '.join(sorted(found))}")

    def _pair(
        self, label: str, repeat: int, page: Request, bare: Request, warm: int = 1
    ) -> tuple[list[float], list[float]]:
        """``page`` and ``bare`` in turn, ``repeat`` times each after ``warm`` runs of both; the times of each."""
        for _ in range(warm):
            page()
            bare()
        ratios, page_times, bare_times = [], [], []
        page_queries: list[str] = []
        bare_queries = 0
        for _ in range(repeat):
            a, page_queries, _r = _measure_sql(page)
            b, bare_queries, _r = _measure(bare)
            page_times.append(a)
            bare_times.append(b)
            ratios.append(a / b)
        self.stdout.write(
            f"{label:32} {statistics.median(page_times):8.1f} {statistics.median(bare_times):8.1f}"
            f" {statistics.median(ratios):6.2f} {len(page_queries):4d}/{bare_queries:<4d}"
        )
        self._scans(label, page_queries)
        self.last_queries = page_queries
        return page_times, bare_times

    def _grid_pair(self, repeat: int) -> None:
        found = bench_course()
        client = self._client("teacher")
        page, bare = found.grid_path, found.bare_grid_path
        self._pair("course grid (a quarter)", repeat, lambda: client.get(page), lambda: client.get(bare))
        size = len(client.get(page).content)
        self.stdout.write(f"{'  grid HTML':32} {size / 1024:8.1f} KB raw")

    def _save_pair(self, repeat: int) -> None:
        """The grid's own request for one cell against a bare UPDATE of another cell of the same lesson,
        alternating 4 and 5 (committed, as the browser does), then both cells put back as they were."""
        found = bench_course()
        course, lesson, period = found.course, found.lesson, found.period
        first, second = course_students_in(course, lesson.date, lesson.date)[:2]
        client = self._client("teacher")
        url = reverse("journal:course_journal_cell", args=[course.pk])
        bare_url = reverse("bench_bare_save")
        # The first post is refused on purpose (it learns the cell's versions); not a warning here.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        state: dict[str, Any] = {"versions": {}}
        original = client.post(url, {"lesson": lesson.pk, "student": first.pk, "text": "", "versions": "{}"})
        if original.status_code == 409:
            state = original.json()
        saved_text = state.get("text", "")
        bare_original = "".join(lesson.marks.filter(student=second, position=1).values_list("value", flat=True))
        turn = {"page": 0, "bare": 0}

        def page() -> Any:
            turn["page"] += 1
            response = client.post(
                url,
                {
                    "lesson": lesson.pk,
                    "student": first.pk,
                    "text": "5" if turn["page"] % 2 else "4",
                    "versions": json.dumps(state["versions"]),
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "policy_day": period.start.isoformat(),
                },
            )
            state.update(response.json())
            return response

        def bare() -> Any:
            turn["bare"] += 1
            text = "5" if turn["bare"] % 2 else "4"
            return client.post(bare_url, {"lesson": lesson.pk, "student": second.pk, "text": text})

        self._pair("cell save", repeat, page, bare)
        client.post(
            url,
            {"lesson": lesson.pk, "student": first.pk, "text": saved_text, "versions": json.dumps(state["versions"])},
        )
        if bare_original:
            client.post(bare_url, {"lesson": lesson.pk, "student": second.pk, "text": bare_original})
        else:
            lesson.marks.filter(student=second, position=1).delete()

    def _column_pair(self, repeat: int, size: int = 26) -> None:
        """A lesson's column of ``size`` marks typed at speed, saved one cell a request against as the grid
        batches them (the first cell alone, the others queued while it was in flight: one request), in turns,
        alternating 4 and 5; the server time per mark of each, then the cells put back as they were."""
        found = bench_course()
        course, lesson, period = found.course, found.lesson, found.period
        students = course_students_in(course, lesson.date, lesson.date)[:size]
        client = self._client("teacher")
        url = reverse("journal:course_journal_cell", args=[course.pk])
        span = {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "policy_day": period.start.isoformat(),
        }
        stored = {student.pk: cell_state(lesson.pk, student.pk) for student in students}
        versions = {pk: state.versions for pk, state in stored.items()}
        turn = {"n": 0}

        def cell(student_id: int, text: str) -> dict[str, Any]:
            return {
                "lesson": str(lesson.pk),
                "student": str(student_id),
                "text": text,
                "versions": versions[student_id],
            }

        def one_by_one() -> tuple[float, int]:
            turn["n"] += 1
            text = "5" if turn["n"] % 2 else "4"
            total, queries = 0.0, 0
            for student in students:
                body = {**cell(student.pk, text), "versions": json.dumps(versions[student.pk]), **span}
                elapsed, count, response = _measure(lambda: client.post(url, body))  # noqa: B023
                versions[student.pk] = response.json()["versions"]
                total, queries = total + elapsed, queries + count
            return total, queries

        def batched() -> tuple[float, int]:
            turn["n"] += 1
            text = "5" if turn["n"] % 2 else "4"
            first, *rest = students
            body = {**cell(first.pk, text), "versions": json.dumps(versions[first.pk]), **span}
            elapsed, queries, response = _measure(lambda: client.post(url, body))
            versions[first.pk] = response.json()["versions"]
            batch = {"cells": json.dumps([cell(student.pk, text) for student in rest]), **span}
            more, count, response = _measure(lambda: client.post(url, batch))
            for student, answer in zip(rest, response.json()["cells"], strict=True):
                versions[student.pk] = answer["versions"]
            return elapsed + more, queries + count

        one_by_one()
        batched()
        singles, batches = [], []
        single_queries = batch_queries = 0
        for _ in range(repeat):
            total, single_queries = one_by_one()
            singles.append(total / len(students))
            total, batch_queries = batched()
            batches.append(total / len(students))
        self.stdout.write(
            f"{'column of ' + str(len(students)) + ', ms a mark':32} {statistics.median(singles):8.2f}"
            f" {statistics.median(batches):8.2f} {statistics.median(singles) / statistics.median(batches):6.2f}"
            f" {single_queries:4d}/{batch_queries:<4d}  (one by one / batched: 1 + {len(students) - 1})"
        )
        back = [
            {**cell(student.pk, stored[student.pk].text)} for student in students
        ]  # the column as it was, in one batch
        client.post(url, {"cells": json.dumps(back), **span})

    def _monitoring_pair(self, repeat: int) -> None:
        client = self._client("deputy")
        page, bare = reverse("monitoring:dashboard"), reverse("bench_bare_monitoring")
        self._pair("monitoring dashboard (school)", repeat, lambda: client.get(page), lambda: client.get(bare))

    def _week_pair(
        self, repeat: int, label: str = "diary week", warm: int = 1
    ) -> tuple[list[float], list[float]] | None:
        from demo.bench_diary import diary_pages

        pages = [p for p in diary_pages() if p[1] == "diary week"]
        if not pages:
            self.stderr.write("diary week: no demo parent, skipped")
            return None
        _login, _label, path = pages[0]
        student_id = int(path.split("/")[3])
        monday, sunday = week_of(timezone.localdate())
        client = self._client("parent")
        bare = reverse("bench_bare_week", args=[student_id]) + f"?start={monday}&end={sunday}"
        marks = Mark.objects.filter(student_id=student_id).count()
        self.stdout.write(f"{'  marks of the child, every year':32} {marks:8d}")
        return self._pair(label, repeat, lambda: client.get(path), lambda: client.get(bare), warm)

    @contextmanager
    def _database(self, name: str) -> Iterator[None]:
        """The default connection on database ``name`` (with clients signed in there) until leaving."""
        settings = connection.settings_dict
        original, clients = settings["NAME"], self.clients
        connection.close()
        settings["NAME"], self.clients = name, {}
        try:
            yield
        finally:
            connection.close()
            settings["NAME"], self.clients = original, clients

    def _history_pair(self, repeat: int, rounds: int = 3) -> None:
        """The diary week on this database and on ``--history-database`` in turns (``rounds`` times
        ``repeat`` requests on each), then the times and ratios of the second against the first."""
        self.stdout.write(f"diary week: this database (1×) and {self.history_database} in turns")
        times: dict[str, tuple[list[float], list[float]]] = {"1×": ([], []), "history": ([], [])}
        database: dict[str, list[float]] = {"1×": [], "history": []}
        for _ in range(rounds):
            for key in times:
                # Six warm-up runs after the switch: the connection's statements are prepared from the fifth.
                with self._database(self.history_database) if key == "history" else nullcontext():
                    measured = self._week_pair(repeat, f"diary week ({key})", warm=6)
                    database[key] += [execution_ms(self.last_queries) for _ in range(5)]
                if measured is None:
                    raise CommandError("diary week: no demo parent")
                times[key][0].extend(measured[0])
                times[key][1].extend(measured[1])
        in_db = {key: statistics.median(values) for key, values in database.items()}
        self.stdout.write(
            f"{'diary week, history / 1×':32} the queries in PostgreSQL {in_db['history']:.2f} / {in_db['1×']:.2f} ms"
            f" = {in_db['history'] / in_db['1×']:.3f}"
        )
        page = {key: statistics.median(pair[0]) for key, pair in times.items()}
        ratio = {key: statistics.median(a / b for a, b in zip(*pair, strict=True)) for key, pair in times.items()}
        self.stdout.write(
            f"{'diary week, history / 1×':32} page {page['history']:.2f} / {page['1×']:.2f} ms"
            f" = {page['history'] / page['1×']:.3f}; ratio to bare {ratio['history']:.2f} / {ratio['1×']:.2f}"
            f" = {ratio['history'] / ratio['1×']:.3f}"
        )
