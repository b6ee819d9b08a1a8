"""A gunicorn of this project on a free port of 127.0.0.1, with the bare ceilings routed, and a signed-in
session: what the HTTP and browser benchmarks run against."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from journal.models import Course, Lesson, LessonStatus, StudyPeriod
from journal.selectors.periods import period_of

CSRF = "benchmarkbenchmarkbenchmarkbench"  # the cookie and the header carry the same secret


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def bench_server(workers: int = 2) -> Iterator[str]:
    """The base URL of a gunicorn serving this project (``BENCH_VIEWS=1``), stopped on leaving."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BENCH_VIEWS": "1"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=settings.BASE_DIR, env=env)  # noqa: S603
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2).read()  # noqa: S310 - the loopback
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise CommandError("gunicorn did not answer")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def signed_in(username: str) -> Iterator[str]:
    """A session key of ``username`` signed in (deleted on leaving)."""
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    try:
        yield session.session_key or ""
    finally:
        session.delete()


@dataclass(frozen=True)
class BenchCourse:
    """What the grid benchmarks open: the demo teacher's first course of a class from grade 2 (marked), its
    last held lesson up to today and the period of that lesson."""

    teacher: User
    course: Course
    lesson: Lesson
    period: StudyPeriod

    @property
    def grid_path(self) -> str:
        return f"{reverse('journal:course_journal', args=[self.course.pk])}?period={self.period.pk}"

    @property
    def bare_grid_path(self) -> str:
        path = reverse("bench_bare_grid", urlconf="demo.bench_urls", args=[self.course.pk])
        return f"{path}?start={self.period.start}&end={self.period.end}"


def bench_course() -> BenchCourse:
    """The benchmarks' course (``CommandError`` when the database holds no demo school)."""
    teacher = User.objects.filter(username="teacher").first()
    course = (
        Course.objects.filter(
            assignments__teacher=teacher, class_group__year__is_current=True, class_group__grade__gte=2
        ).first()
        if teacher
        else None
    )
    lesson = (
        Lesson.objects.filter(course=course, status=LessonStatus.HELD, date__lte=timezone.localdate())
        .order_by("-date", "-slot")
        .first()
        if course
        else None
    )
    period = period_of(course.class_group.year, course.class_group.grade, lesson.date) if course and lesson else None
    if teacher is None or course is None or lesson is None or period is None:
        raise CommandError("no held lesson of the demo teacher's course: run seed_demo first")
    return BenchCourse(teacher=teacher, course=course, lesson=lesson, period=period)
