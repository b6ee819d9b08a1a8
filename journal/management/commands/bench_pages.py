"""Time pages of the demo school the way a browser asks for them (server side only).

Run on a generated school, e.g.::

    manage.py seed_demo --size large
    manage.py bench_pages --repeat 20

Prints, per page, the median and 90th-percentile server time and the number of
queries. A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from journal.models import ClassGroup, Course, Room


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
        ]
    pages += [("deputy", "teacher timetable", f"/timetable/teacher/{teacher.pk}/")]
    if room:
        pages += [("deputy", "room timetable", f"/timetable/room/{room.pk}/")]
    if course:
        pages += [
            ("teacher", "thematic plan", f"/courses/{course.pk}/plan/"),
            ("teacher", "plan progress", f"/courses/{course.pk}/progress/"),
            ("teacher", "lessons of a course", f"/courses/{course.pk}/lessons/"),
        ]
    pages += [
        ("teacher", "plan list", "/plans/"),
        ("deputy", "course list", "/courses/"),
        ("deputy", "substitution log", "/substitutions/"),
        ("deputy", "curriculum check", "/curriculum/check/"),
    ]
    return pages


class Command(BaseCommand):
    help = "Times the main pages of the demo school (run seed_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10)

    def handle(self, *args: Any, repeat: int, **options: Any) -> None:
        clients: dict[str, Client] = {}
        self.stdout.write(f"{'page':32} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for login, label, path in _pages():
            if login not in clients:
                clients[login] = Client()
                clients[login].force_login(User.objects.get(username=login))
            client = clients[login]
            client.get(path)  # warm caches and the connection
            timings = []
            queries = 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - start) * 1000)
                queries = len(ctx.captured_queries)
                if response.status_code != 200:
                    self.stderr.write(f"{label}: HTTP {response.status_code}")
                    break
            timings.sort()
            p90 = timings[int(len(timings) * 0.9) - 1] if len(timings) >= 10 else timings[-1]
            self.stdout.write(f"{label:32} {statistics.median(timings):10.1f} {p90:8.1f} {queries:8d}")
