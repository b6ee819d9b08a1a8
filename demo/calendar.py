"""Dates of the demo academic year: the year, its periods and holidays, as Russian schools set them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from journal.models.structure import PeriodKind

D = datetime.date


def start_year_for(today: datetime.date) -> int:
    """The academic year containing ``today``: from 1 September; in June–August still the one just ended.

    (Formally a Russian school year runs to 31 August. Building the coming year in the summer would date
    every teaching assignment in the future, and guardian rows are granted only when a service runs.)
    """
    return today.year if today.month >= 9 else today.year - 1


def last_friday_of_may(year: int) -> datetime.date:
    day = D(year, 5, 31)
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def deadline_after(end: datetime.date, days: int = 2) -> datetime.date:
    """The final-marks deadline: a couple of days after the period, moved off a weekend."""
    day = end + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class PeriodSpec:
    kind: str
    number: int
    start: datetime.date
    end: datetime.date

    @property
    def deadline(self) -> datetime.date:
        return deadline_after(self.end)


@dataclass(frozen=True)
class YearCalendar:
    start_year: int

    @property
    def name(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    @property
    def start(self) -> datetime.date:
        return D(self.start_year, 9, 1)

    @property
    def end(self) -> datetime.date:
        return D(self.start_year + 1, 5, 31)

    @property
    def last_teaching_day(self) -> datetime.date:
        return last_friday_of_may(self.start_year + 1)

    def periods(self) -> list[PeriodSpec]:
        y, n = self.start_year, self.start_year + 1
        last = self.last_teaching_day
        return [
            PeriodSpec(PeriodKind.QUARTER, 1, D(y, 9, 1), D(y, 10, 24)),
            PeriodSpec(PeriodKind.QUARTER, 2, D(y, 11, 5), D(y, 12, 28)),
            PeriodSpec(PeriodKind.QUARTER, 3, D(n, 1, 12), D(n, 3, 20)),
            PeriodSpec(PeriodKind.QUARTER, 4, D(n, 3, 30), last),
            PeriodSpec(PeriodKind.HALF_YEAR, 1, D(y, 9, 1), D(y, 12, 28)),
            PeriodSpec(PeriodKind.HALF_YEAR, 2, D(n, 1, 12), last),
            PeriodSpec(PeriodKind.YEAR, 1, D(y, 9, 1), last),
        ]

    def holidays(self) -> list[tuple[str, datetime.date, datetime.date]]:
        y, n = self.start_year, self.start_year + 1
        return [
            ("Осенние каникулы", D(y, 10, 25), D(y, 11, 3)),
            ("День народного единства", D(y, 11, 4), D(y, 11, 4)),
            ("Зимние каникулы", D(y, 12, 29), D(n, 1, 11)),
            ("День защитника Отечества", D(n, 2, 23), D(n, 2, 23)),
            ("Международный женский день", D(n, 3, 8), D(n, 3, 8)),
            ("Весенние каникулы", D(n, 3, 21), D(n, 3, 29)),
            ("Праздник Весны и Труда", D(n, 5, 1), D(n, 5, 1)),
            ("День Победы", D(n, 5, 9), D(n, 5, 9)),
        ]

    def is_school_day(self, day: datetime.date, week_days: int = 5) -> bool:
        if day.weekday() >= week_days:
            return False
        return not any(start <= day <= end for _name, start, end in self.holidays())

    def school_day_near(self, day: datetime.date, first: datetime.date, last: datetime.date) -> datetime.date:
        """The first school day from ``day`` on, or else the last one before it, within ``first`` – ``last``."""
        one = datetime.timedelta(days=1)
        forward = day
        while forward <= last and not self.is_school_day(forward):
            forward += one
        if forward <= last:
            return forward
        back = min(day, last)
        while back > first and not self.is_school_day(back):
            back -= one
        return back
