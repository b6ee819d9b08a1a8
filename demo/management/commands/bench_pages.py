"""Time pages of the demo school the way a browser asks for them (server side only).

Run on a generated school, e.g.::

    manage.py seed_demo --size large
    manage.py bench_pages --repeat 20

Prints, per page, the median and 90th-percentile server time and the number of
queries (a page that does not answer 200, e.g. not built yet, is skipped), then the
same for one cell save: ``mark_set`` on a held lesson of the demo teacher's course,
alternating 4 and 5, each call in a transaction rolled back. A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from journal.models import ClassGroup, Course, Lesson, LessonStatus, Mark, Room
from journal.selectors.periods import course_students_in, period_of
from journal.services.marks import mark_set


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
    help = "Times the main pages of the demo school (run seed_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10)
        parser.add_argument("--only", default="", help="time only the pages whose label contains this text")

    def handle(self, *args: Any, repeat: int, only: str, **options: Any) -> None:
        clients: dict[str, Client] = {}
        self.stdout.write(f"{'page':32} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
        for login, label, path in _pages():
            if only not in label:
                continue
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
                    break
            if response.status_code != 200:
                self.stderr.write(f"{label}: HTTP {response.status_code}, skipped")
                continue
            timings.sort()
            p90 = timings[int(len(timings) * 0.9) - 1] if len(timings) >= 10 else timings[-1]
            self.stdout.write(f"{label:32} {statistics.median(timings):10.1f} {p90:8.1f} {queries:8d}")
        if only in "cell save":
            self._cell_save(repeat)
            self._cell_post(repeat)

    def _cell_save(self, repeat: int) -> None:
        """``mark_set`` on a held lesson of the demo teacher's course, each call rolled back."""
        teacher = User.objects.get(username="teacher")
        course = Course.objects.filter(
            assignments__teacher=teacher, class_group__year__is_current=True, class_group__grade__gte=2
        ).first()
        lesson = (
            Lesson.objects.filter(course=course, status=LessonStatus.HELD).order_by("-date", "-slot").first()
            if course
            else None
        )
        student = course_students_in(course, lesson.date, lesson.date)[0] if course and lesson else None
        if lesson is None or student is None:
            self.stderr.write("cell save: no held lesson of the teacher's course, skipped")
            return
        timings: list[float] = []
        queries = 0
        for i in range(repeat + 1):
            with transaction.atomic():
                current = Mark.objects.filter(lesson=lesson, student=student, position=1).first()
                value = "5" if i % 2 else "4"
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    mark_set(
                        actor=teacher,
                        lesson=lesson,
                        student=student,
                        value=value,
                        expected_version=current.version if current else None,
                    )
                    elapsed = (time.perf_counter() - start) * 1000
                transaction.set_rollback(True)
            if i:  # the first call warms caches
                timings.append(elapsed)
                queries = len(ctx.captured_queries)
        timings.sort()
        p90 = timings[int(len(timings) * 0.9) - 1] if len(timings) >= 10 else timings[-1]
        label = "cell save (mark_set)"
        self.stdout.write(f"{label:32} {statistics.median(timings):10.1f} {p90:8.1f} {queries:8d}")

    def _cell_post(self, repeat: int) -> None:
        """The grid's own request for one cell (parse, lock, rules, history, commit, the row's summary).

        Alternates 4 and 5 on a held lesson of a full quarter, committing as the teacher's
        browser does, then puts the cell back as it was.
        """
        teacher = User.objects.get(username="teacher")
        course = Course.objects.filter(
            assignments__teacher=teacher, class_group__year__is_current=True, class_group__grade__gte=2
        ).first()
        lesson = (
            Lesson.objects.filter(course=course, status=LessonStatus.HELD, date__lte=timezone.localdate())
            .order_by("-date", "-slot")
            .first()
            if course
            else None
        )
        if course is None or lesson is None:
            self.stderr.write("cell save (endpoint): no held lesson of the teacher's course, skipped")
            return
        student = course_students_in(course, lesson.date, lesson.date)[0]
        period = period_of(course.class_group.year, course.class_group.grade, lesson.date)
        client = Client()
        client.force_login(teacher)
        url = reverse("journal:course_journal_cell", args=[course.pk])
        client.get(reverse("journal:course_journal", args=[course.pk]))  # warm caches
        # The first post is refused on purpose (it learns the cell's versions); not a warning here.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        state: dict[str, Any] = {"versions": {}}
        original: str | None = None
        timings: list[float] = []
        queries = 0
        for i in range(repeat + 2):
            text = original if i == repeat + 1 else ("5" if i % 2 else "4")
            data = {
                "lesson": lesson.pk,
                "student": student.pk,
                "text": text or "",
                "versions": json.dumps(state["versions"]),
                "start": period.start.isoformat() if period else "",
                "end": period.end.isoformat() if period else "",
            }
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.post(url, data)
                elapsed = (time.perf_counter() - start) * 1000
            state = response.json()
            if response.status_code == 409 and original is None:  # the first post learns the cell's versions
                original = state.get("text", "")
                continue
            if response.status_code != 200:
                self.stderr.write(f"cell save (endpoint): HTTP {response.status_code} {state}, skipped")
                return
            if original is None:
                original = ""
            if 0 < i <= repeat:
                timings.append(elapsed)
                queries = len(ctx.captured_queries)
        timings.sort()
        p90 = timings[int(len(timings) * 0.9) - 1] if len(timings) >= 10 else timings[-1]
        label = "cell save (grid request)"
        self.stdout.write(f"{label:32} {statistics.median(timings):10.1f} {p90:8.1f} {queries:8d}")
