"""Requests a second under gunicorn: the course grid and the cell save against their bare ceilings.

Run on a generated school (``seed_demo --size large``, PostgreSQL), with Debian's ``wrk``::

    manage.py bench_http --seconds 5 --rounds 3

Starts gunicorn (2 workers) on a free port of 127.0.0.1 with the bare ceilings routed (``BENCH_VIEWS``),
signs the demo teacher in, then runs ``wrk`` against each page and its ceiling in turn, round by round
(the grid with 2 connections, the save with 1 and with 2), and prints requests a second of each and
their ratio (the median of the rounds), and the load average. The saves: each connection writes its own
cells (different students of one lesson), alternating 4 and 5 on the version the last answer gave; the
cells are put back at the end. Only the loopback address is used, and every run is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from demo.bench_server import CSRF, bench_course, bench_server, signed_in
from journal.models import Mark
from journal.selectors.periods import course_students_in

SAVE_SCRIPT = r"""
local counter, cells, versions, current = 0, {}, {}, nil
local ids = 0
function setup(thread) thread:set("id", ids); ids = ids + 1 end
local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  local id = tonumber(wrk.thread:get("id"))
  for cell in string.gmatch(args[id + 1], "[^,]+") do table.insert(cells, cell) end
end
function request()
  counter = counter + 1
  current = cells[(counter % #cells) + 1]
  local lesson, student = current:match("(%d+):(%d+)")
  local text = (counter % 2 == 0) and "4" or "5"
  local body = "lesson=" .. lesson .. "&student=" .. student .. "&text=" .. text
    .. "&versions=" .. encode(versions[current] or "{}") .. "&" .. os.getenv("BENCH_SPAN")
  return wrk.format("POST", os.getenv("BENCH_PATH"), nil, body)
end
function response(status, headers, body)
  local v = body:match('"versions": (%b{})')
  if v and current then versions[current] = v end
end
"""


def _rate(output: str, allowed_failures: int) -> float:
    """Requests a second; a save's first post of each cell learns its versions (a 409), nothing else fails."""
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not found:
        raise CommandError(f"wrk gave no rate:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors and int(errors.group(1)) > allowed_failures:
        raise CommandError(f"wrk saw failed answers:\n{output}")
    return float(found.group(1))


class Command(BaseCommand):
    help = "Requests a second of the grid and the cell save under gunicorn, against their bare ceilings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=int, default=5, help="each wrk run (at most 30)")
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args: Any, seconds: int, rounds: int, **options: Any) -> None:
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk)")
        seconds = max(1, min(seconds, 30))
        found = bench_course()
        course, lesson, period = found.course, found.lesson, found.period
        students = course_students_in(course, lesson.date, lesson.date)
        before = {m.student_id: m.value for m in Mark.objects.filter(lesson=lesson, position=1)}
        try:
            with bench_server() as base, signed_in("teacher") as session_key:
                headers = ["-H", f"Cookie: sessionid={session_key}; csrftoken={CSRF}", "-H", f"X-CSRFToken: {CSRF}"]
                self.stdout.write(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
                grid, bare = f"{base}{found.grid_path}", f"{base}{found.bare_grid_path}"
                self._compare("course grid, 2 connections", seconds, rounds, headers, (grid, None), (bare, None))
                span = f"start={period.start}&end={period.end}&policy_day={period.start}"
                save = reverse("journal:course_journal_cell", args=[course.pk])
                bare_save = reverse("bench_bare_save", urlconf="demo.bench_urls")
                for connections in (1, 2):
                    halves = [students[n::connections][:6] for n in range(connections)]
                    cells = [",".join(f"{lesson.pk}:{s.pk}" for s in half) for half in halves]
                    self._compare(
                        f"cell save, {connections} connection{'s' if connections > 1 else ''}",
                        seconds,
                        rounds,
                        headers,
                        (f"{base}{save}", {"BENCH_PATH": save, "BENCH_SPAN": span, "cells": cells}),
                        (f"{base}{bare_save}", {"BENCH_PATH": bare_save, "BENCH_SPAN": span, "cells": cells}),
                        connections,
                    )
                self.stdout.write(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            for student in students:
                value = before.get(student.pk)
                marks = Mark.objects.filter(lesson=lesson, student=student, position=1)
                if value is None:
                    marks.delete()
                else:
                    marks.update(value=value)

    def _wrk(
        self, url: str, seconds: int, headers: list[str], post: dict[str, Any] | None, connections: int = 2
    ) -> float:
        command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", *headers]
        env = dict(os.environ)
        if post is not None:
            script = Path(tempfile.mkstemp(suffix=".lua")[1])
            script.write_text(SAVE_SCRIPT, encoding="utf-8")
            env.update({"BENCH_PATH": post["BENCH_PATH"], "BENCH_SPAN": post["BENCH_SPAN"]})
            command += [
                "-H",
                "Content-Type: application/x-www-form-urlencoded",
                "-s",
                str(script),
                url,
                "--",
                *post["cells"],
            ]
        else:
            command.append(url)
        output = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 30, check=True)  # noqa: S603
        cells = sum(len(c.split(",")) for c in post["cells"]) if post is not None else 0
        return _rate(output.stdout, cells)

    def _compare(
        self,
        label: str,
        seconds: int,
        rounds: int,
        headers: list[str],
        page: tuple[str, dict[str, Any] | None],
        bare: tuple[str, dict[str, Any] | None],
        connections: int = 2,
    ) -> None:
        self._wrk(page[0], 1, headers, page[1], connections)  # warm both
        self._wrk(bare[0], 1, headers, bare[1], connections)
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(self._wrk(page[0], seconds, headers, page[1], connections))
            theirs.append(self._wrk(bare[0], seconds, headers, bare[1], connections))
        ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        self.stdout.write(
            f"{label:28} {statistics.median(ours):8.1f} req/s   bare {statistics.median(theirs):8.1f} req/s"
            f"   ratio {ratio:5.2f}"
        )
