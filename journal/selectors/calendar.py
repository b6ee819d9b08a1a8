"""The school calendar: which dates are teaching days."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from journal.models import AcademicYear, Holiday, StudyPeriod


def _days(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def last_teaching_day(year: AcademicYear) -> datetime.date:
    """The end of the year's last study period (lessons stop there even if the year runs to 31 May)."""
    last = StudyPeriod.objects.filter(year=year).order_by("-end").values_list("end", flat=True).first()
    return min(last, year.end) if last else year.end


def teaching_days(
    year: AcademicYear, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[datetime.date]:
    """Dates of ``year`` (optionally narrowed to start–end) minus weekends and holidays.

    The week has 5 or 6 school days (``School.week_days``); Sunday is never one.
    """
    start = max(start or year.start, year.start)
    end = min(end or last_teaching_day(year), year.end)
    week_days = year.school.week_days
    holidays = list(Holiday.objects.filter(year=year, end__gte=start, start__lte=end).values_list("start", "end"))
    return [
        day
        for day in _days(start, end)
        if day.isoweekday() <= week_days and not any(h_start <= day <= h_end for h_start, h_end in holidays)
    ]


def period_teaching_days(period: StudyPeriod) -> list[datetime.date]:
    return teaching_days(period.year, period.start, period.end)


def study_weeks(year: AcademicYear, start: datetime.date | None = None, end: datetime.date | None = None) -> float:
    """Teaching days expressed in school weeks (e.g. 165 days of a 5-day week = 33.0)."""
    return round(len(teaching_days(year, start, end)) / year.school.week_days, 1)
