"""The suite's pinned clock: every test runs on a day it names, never on the day the suite happens to run.

``JOURNAL_TODAY=YYYY-MM-DD`` chooses the day (default :data:`DEFAULT_TODAY`); the clock stands at 10:00 in
the school's time zone that day when the test process starts and ticks on from there (time-machine). The
processes a test starts (the Celery worker) take the same clock: :func:`pin` exports the offset from the
real clock in ``JOURNAL_CLOCK_OFFSET`` and a process that finds it set travels by it.

The tests marked ``dated`` are the ones whose subject is "today" (a week's printouts, a late mark, the month
a page opens on, the deadlines); ``scripts/test.sh`` runs them again on :data:`CHECKED_DAYS`.
"""

from __future__ import annotations

import datetime
import os
import runpy
import sys
import time
import zoneinfo

import time_machine

# A Friday of the second quarter of the factories' year (the last day the suite passed unpinned).
DEFAULT_TODAY = datetime.date(2026, 12, 4)
# A Monday, the last day of a calendar year (in the winter holidays), a day of the summer holidays.
CHECKED_DAYS = (datetime.date(2026, 12, 7), datetime.date(2026, 12, 31), datetime.date(2027, 7, 14))
_traveller: time_machine.travel | None = None


def today() -> datetime.date:
    """The day the suite runs on (``JOURNAL_TODAY``, else :data:`DEFAULT_TODAY`)."""
    named = os.environ.get("JOURNAL_TODAY", "").strip()
    return datetime.date.fromisoformat(named) if named else DEFAULT_TODAY


def pin() -> None:
    """Move this process's clock to the suite's day (once), and let the processes it starts follow."""
    global _traveller
    if _traveller is not None:
        return
    offset = os.environ.get("JOURNAL_CLOCK_OFFSET")
    if offset is not None:
        destination = time.time() + float(offset)
    else:
        zone = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Europe/Moscow"))
        destination = datetime.datetime.combine(today(), datetime.time(10, 0), tzinfo=zone).timestamp()
        os.environ["JOURNAL_CLOCK_OFFSET"] = repr(destination - time.time())
    _traveller = time_machine.travel(destination, tick=True)
    _traveller.start()


if __name__ == "__main__":
    # ``python -m tests.clock celery -A config worker …``: a module run on the suite's clock.
    pin()
    module, *arguments = sys.argv[1:]
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
