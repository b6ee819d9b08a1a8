"""The monitoring's dashboards as reports (``reports.document``): the same sections make the page and its
workbook, a sheet a table. Which sections a user gets is the rules' (``journal.rules``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from journal import rules
from journal.models import AcademicYear, ClassGroup
from monitoring import selectors as figures
from reports.document import Cell, Report, Section, Table, date, head, number, text


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: the year, the week (Monday) and ``today``, the whole school or one class."""

    year: AcademicYear
    monday: datetime.date
    today: datetime.date
    class_group: ClassGroup | None = None

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)

    @property
    def class_ids(self) -> list[int] | None:
        return [self.class_group.pk] if self.class_group is not None else None

    @property
    def week_end(self) -> datetime.date:
        """The week's last day counted: Sunday, or today in the current week."""
        return min(self.sunday, max(self.today, self.monday))


def _link(value: str, href: str, css: str = "name") -> Cell:
    return Cell(value, value, css, href=href)


def teacher_activity(scope: Scope) -> Section:
    weeks = figures.teacher_weeks(scope.year, scope.monday, scope.week_end, scope.today)
    weeks.sort(key=lambda w: -w.findings)  # the most to look at first, then by name (a stable sort)
    body = []
    for w in weeks:
        url = reverse("monitoring:teacher_week", args=[w.teacher_id]) + f"?week={scope.monday.isoformat()}"
        body.append(
            [
                _link(w.name, url),
                number(w.due),
                number(w.held),
                number(w.not_held, css="bad" if w.not_held else "", blank_zero=True),
                number(w.no_topic, css="bad" if w.no_topic else "", blank_zero=True),
                number(w.no_homework, blank_zero=True),
                number(w.no_attendance, css="bad" if w.no_attendance else "", blank_zero=True),
                number(w.marks),
                number(w.late_marks, css="bad" if w.late_marks else "", blank_zero=True),
            ]
        )
    table = Table(
        head=[
            [
                head(_("Teacher")),
                head(pgettext("monitoring", "lessons")),
                head(pgettext("monitoring", "held")),
                head(_("not held")),
                head(_("no topic")),
                head(_("no homework")),
                head(_("attendance not taken")),
                head(_("marks entered")),
                head(pgettext("monitoring", "entered late")),
            ]
        ],
        body=body,
        empty=_("No lessons this week."),
    )
    span = f"{scope.monday:%d.%m} – {scope.week_end:%d.%m.%Y}"
    return Section(heading=_("Teachers' activity, %(span)s") % {"span": span}, tables=[table], sheet=_("Teachers"))


NAMES_SHOWN = 6


def _names_shown(names: list[str]) -> str:
    """The first names of a list and how many more (the workbook of a whole school stays readable)."""
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    rest = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + " " + _("and %(n)s more") % {"n": rest}


def filling(scope: Scope, limit: int | None = None) -> Section:
    rows = [r for r in figures.marks_filling(scope.year, scope.today, scope.class_ids) if r.below]
    rows.sort(key=lambda r: (-len(r.below) / max(r.students, 1), r.course.class_group.grade, r.course.pk))
    notes = []
    if limit is not None and len(rows) > limit:
        notes.append(
            _(
                "The %(shown)s courses with the largest share of students below the minimum of %(total)s; all of them "
                "are in the workbook."
            )
            % {"shown": limit, "total": len(rows)}
        )
        rows = rows[:limit]
    body = [
        [
            _link(str(r.course), reverse("journal:course_journal", args=[r.course.pk])),
            text(", ".join(r.teachers)),
            text(str(r.period)),
            number(r.days_left),
            number(r.minimum),
            number(len(r.below), css="bad"),
            number(r.students),
            text(_names_shown(r.below)),
        ]
        for r in rows
    ]
    table = Table(
        head=[
            [
                head(_("Course")),
                head(_("Teacher")),
                head(_("Period")),
                head(_("days left")),
                head(_("minimum")),
                head(_("below the minimum")),
                head(_("students")),
                head(_("Students")),
            ]
        ],
        body=body,
        empty=_("Every student has the minimum number of marks so far."),
    )
    return Section(heading=_("Current marks below the minimum"), tables=[table], notes=notes, sheet=_("Marks"))


def material(scope: Scope) -> Section:
    rows = figures.plan_coverage(scope.year, scope.today, scope.class_ids)
    listed = [r for r in rows if r.figures is None or abs(r.figures.behind) >= figures.PLAN_TOLERANCE]
    listed.sort(key=lambda r: (r.figures is not None, -(abs(r.figures.behind) if r.figures else 0), str(r.course)))
    body = []
    for r in listed:
        f = r.figures
        state = _("no plan") if f is None else (_("behind") if f.behind > 0 else _("ahead"))
        body.append(
            [
                _link(str(r.course), reverse("journal:plan_progress", args=[r.course.pk])),
                text(", ".join(r.teachers)),
                number(f.plan_hours if f else None),
                number(f.planned_by_day if f else None),
                number(f.taught if f else None),
                number(abs(f.behind) if f else None, css="bad" if f and f.behind > 0 else ""),
                text(state, "bad" if f is None or f.behind > 0 else ""),
            ]
        )
    table = Table(
        head=[
            [
                head(_("Course")),
                head(_("Teacher")),
                head(_("plan, hours")),
                head(_("due by today")),
                head(_("taught")),
                head(_("difference")),
                head(_("state")),
            ]
        ],
        body=body,
        empty=_("Every course is within %(n)s lessons of its plan.") % {"n": figures.PLAN_TOLERANCE - 1},
    )
    total = len(rows)
    note = _("%(listed)s of %(total)s courses listed.") % {"listed": len(listed), "total": total}
    return Section(heading=_("Material covered (thematic plans)"), tables=[table], notes=[note], sheet=_("Plans"))


def finals(scope: Scope) -> Section:
    rows = figures.missing_finals(scope.year, scope.today, scope.class_ids)
    body = []
    for r in rows:
        days = r.days_to_deadline(scope.today)
        when = _("overdue by %(n)s days") % {"n": -days} if days < 0 else _("%(n)s days left") % {"n": days}
        body.append(
            [
                _link(str(r.course), reverse("journal:course_finals", args=[r.course.pk])),
                text(", ".join(r.teacher_names)),
                text(str(r.period)),
                date(r.period.final_marks_deadline),
                text(when, "bad" if days < 0 else ""),
                number(len(r.missing), css="bad"),
                text(_names_shown(r.missing)),
            ]
        )
    periods = figures.watched_periods(scope.year, scope.today)
    empty = (
        _("All the period marks due are given.")
        if periods
        else _("No period's final marks are due in the next two weeks.")
    )
    table = Table(
        head=[
            [
                head(_("Course")),
                head(_("Teacher")),
                head(_("Period")),
                head(_("deadline")),
                head(_("state")),
                head(_("missing")),
                head(_("Students")),
            ]
        ],
        body=body,
        empty=empty,
    )
    return Section(heading=_("Final marks missing"), tables=[table], sheet=_("Final marks"))


def families(scope: Scope) -> Section:
    rows = figures.families(scope.year, scope.monday, scope.week_end, scope.class_ids)
    body = [
        [
            text(str(r.class_group), "name"),
            number(r.students),
            number(r.parents),
            number(r.parents_never, css="bad" if r.parents_never else "", blank_zero=True),
            number(r.week),
            number(r.diary_week),
            number(r.acknowledged),
            text(_names_shown(r.never)),
        ]
        for r in rows
    ]
    table = Table(
        head=[
            [
                head(_("Class")),
                head(_("students")),
                head(_("parents")),
                head(_("never logged in")),
                head(_("in the system this week")),
                head(_("opened the diary this week")),
                head(_("last week acknowledged")),
                head(_("Parents who never logged in")),
            ]
        ],
        body=body,
        empty=_("No classes."),
    )
    note = _(
        "Unique people; a parent of several children counts once in each of their classes. «In the system» and "
        "«opened the diary» count the parents and the students alike; «never logged in», the parents who never "
        "signed in."
    )
    return Section(heading=_("Parents and students"), tables=[table], notes=[note], sheet=_("Families"))


def use_of_system(scope: Scope) -> Section:
    school = scope.year.school
    dates, rows = figures.use_by_role(school, scope.week_end)
    month = date_format(scope.week_end, "F Y")
    body = [[text(r.role, "name"), *[number(r.days.get(d, 0)) for d in dates], number(r.month)] for r in rows]
    table = Table(
        head=[[head(_("Role")), *[head(f"{d:%d.%m}") for d in dates], head(month)]],
        body=body,
    )
    note = _("Unique users a day and in the month so far (one row a user a day is recorded).")
    return Section(heading=_("Use of the system"), tables=[table], notes=[note], sheet=_("Use"))


def checks(scope: Scope) -> Section:
    rows = figures.control_checks(scope.year)
    body = []
    for c in rows:
        overdue = c.fixed_on is None and c.fix_by is not None and c.fix_by < scope.today
        state = (
            _("put right on %(date)s") % {"date": f"{c.fixed_on:%d.%m.%Y}"}
            if c.fixed_on
            else (_("overdue") if overdue else _("open"))
        )
        body.append(
            [
                date(c.checked_on),
                text(c.teacher.short_name, "name"),
                text(str(c.course) if c.course else _("the whole journal")),
                text(c.findings),
                date(c.fix_by),
                text(state, "bad" if overdue else ""),
                text(c.author.short_name),
            ]
        )
    table = Table(
        head=[
            [
                head(_("Checked on")),
                head(_("Teacher")),
                head(_("What")),
                head(_("Findings")),
                head(_("to be put right by")),
                head(_("state")),
                head(_("Checked by")),
            ]
        ],
        body=body,
        empty=_("No control checks recorded this year."),
    )
    return Section(heading=_("Control checks"), tables=[table], sheet=_("Checks"))


# Rows of a long table the page shows (the workbook has them all).
PAGE_ROWS = 50


def dashboard(user: User, scope: Scope, *, page: bool = True) -> Report:
    """The user's dashboard: the whole school's for the director and the deputy (every measure), the
    administrator's (families and the use of the system), a class's for its class teacher. ``page``: the
    longest table cut to its worst rows (the workbook has them all)."""
    limit = PAGE_ROWS if page else None
    if scope.class_group is not None:
        sections = [filling(scope, limit), finals(scope), families(scope)]
        title = _("Monitoring of class %(name)s") % {"name": scope.class_group}
    else:
        sections = []
        if rules.reads_school_monitoring(user):
            sections += [teacher_activity(scope), filling(scope, limit), material(scope), finals(scope)]
        sections += [families(scope), use_of_system(scope)]
        if rules.reads_school_monitoring(user):
            sections.append(checks(scope))
        title = _("Monitoring of the journal")
    made = timezone.localtime().strftime("%d.%m.%Y %H:%M")
    lines = [str(scope.year.school), scope.year.name, _("Made %(at)s") % {"at": made}]
    slug = str(scope.class_group) if scope.class_group else "school"
    return Report(title=title, lines=lines, sections=sections, filename=f"monitoring-{slug}-{scope.monday:%Y-%m-%d}")
