"""Movement of the students (движение обучающихся) and the classes' headcount (наполняемость классов),
both read from the dated enrolments (arrivals, departures and transfers keep their history)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from journal.models import ClassGroup, Enrolment
from journal.models.people import EnrolmentReason
from journal.selectors.membership import enrolled_on
from reports.builders import Progress, ReportParams, period_label
from reports.document import Cell, Report, Section, Table, date, head, number, text

# An enrolment that starts with these brought the student into the school; one that ends with these took
# the student out of it. A transfer moves the student between two classes of the school.
ARRIVALS = (EnrolmentReason.ARRIVAL, EnrolmentReason.OTHER)
DEPARTURES = (EnrolmentReason.DEPARTURE, EnrolmentReason.OTHER)
ONE_DAY = datetime.timedelta(days=1)


def departure_day(enrolment: Enrolment) -> datetime.date | None:
    """The day the student left, as the school's order gives it: the day after the last one in the class."""
    return enrolment.date_to + ONE_DAY if enrolment.date_to is not None else None


def _person(enrolment: Enrolment) -> list[Cell]:
    student = enrolment.student
    return [text(student.full_name, "name"), date(student.birth_date)]


def movement_sections(
    params: ReportParams, classes: list[ClassGroup], start: datetime.date, end: datetime.date
) -> list[Section]:
    """The arrivals, departures and transfers between classes of ``start``–``end`` in the classes (three
    queries); a transfer is shown apart, with the class the student came from or went to."""
    in_classes = Q(class_group__in=classes)
    base = Enrolment.objects.filter(in_classes).select_related("student", "class_group")
    arrivals = list(base.filter(date_from__gte=start, date_from__lte=end, reason_in__in=ARRIVALS).order_by("date_from"))
    # A departure's enrolment ends on the last day in the class; the order's day, the one printed and the
    # one the span holds, is the day after (a departure from 15.12 ends the enrolment on 14.12).
    departures = list(
        base.filter(date_to__gte=start - ONE_DAY, date_to__lte=end - ONE_DAY, reason_out__in=DEPARTURES).order_by(
            "date_to"
        )
    )
    transfers_in = list(
        Enrolment.objects.filter(
            Q(class_group__in=classes) | Q(student__enrolments__class_group__in=classes),
            date_from__gte=start,
            date_from__lte=end,
            reason_in=EnrolmentReason.TRANSFER,
            class_group__year=params.year,
        )
        .select_related("student", "class_group")
        .distinct()
        .order_by("date_from")
    )
    previous = _previous_classes(transfers_in)
    class_ids = {c.pk for c in classes}
    transfers = [
        (t, previous.get(t.pk))
        for t in transfers_in
        if t.class_group_id in class_ids or (previous.get(t.pk) and previous[t.pk].class_group_id in class_ids)
    ]
    arrived = Table(
        head=[
            [
                head("№"),
                head(_("Student")),
                head(_("date of birth")),
                head(_("class")),
                head(_("arrived")),
                head(_("from, order")),
            ]
        ],
        body=[
            [number(i), *_person(e), text(str(e.class_group)), date(e.date_from), text(e.note)]
            for i, e in enumerate(arrivals, start=1)
        ],
        caption=_("Arrived"),
        empty=_("Nobody arrived."),
    )
    left = Table(
        head=[
            [
                head("№"),
                head(_("Student")),
                head(_("date of birth")),
                head(_("class")),
                head(_("left")),
                head(_("to, order")),
            ]
        ],
        body=[
            [number(i), *_person(e), text(str(e.class_group)), date(departure_day(e)), text(e.note)]
            for i, e in enumerate(departures, start=1)
        ],
        caption=_("Left"),
        empty=_("Nobody left."),
    )
    moved = Table(
        head=[
            [
                head("№"),
                head(_("Student")),
                head(_("date of birth")),
                head(_("from class")),
                head(_("to class")),
                head(_("date")),
                head(_("order")),
            ]
        ],
        body=[
            [
                number(i),
                *_person(e),
                text(str(before.class_group) if before else ""),
                text(str(e.class_group)),
                date(e.date_from),
                text(e.note),
            ]
            for i, (e, before) in enumerate(transfers, start=1)
        ],
        caption=_("Transfers between classes"),
        empty=_("No transfers between classes."),
    )
    scope = str(classes[0]) if len(classes) == 1 else _("School")
    return [
        Section(
            heading=_("%(scope)s: movement of the students") % {"scope": scope},
            tables=[arrived, left, moved],
            sheet=f"{scope} {_('movement')}",
        )
    ]


def _previous_classes(transfers: list[Enrolment]) -> dict[int, Enrolment]:
    """Transfer enrolment id → the enrolment it followed (the student's latest one before it; one query)."""
    if not transfers:
        return {}
    earlier: dict[int, list[Enrolment]] = defaultdict(list)
    for row in (
        Enrolment.objects.filter(student_id__in={t.student_id for t in transfers})
        .select_related("class_group")
        .order_by("date_from")
    ):
        earlier[row.student_id].append(row)
    found = {}
    for transfer in transfers:
        before = [e for e in earlier[transfer.student_id] if e.date_from < transfer.date_from]
        if before:
            found[transfer.pk] = before[-1]
    return found


def movement(params: ReportParams, progress: Progress | None = None) -> Report:
    """Движение обучающихся: arrivals and departures of the period (name, date of birth, class, date,
    order number, from or to), transfers between classes apart."""
    assert params.period is not None  # noqa: S101 - the form requires it
    period = params.period
    sections = movement_sections(params, params.classes(), period.start, period.end)
    return Report(
        title=_("Movement of the students"),
        lines=params.lines(period_label(period)),
        sections=sections,
        filename=f"movement-{params.slug()}-{period.kind}-{period.number}",
        landscape=True,
    )


def headcount(params: ReportParams, progress: Progress | None = None) -> Report:
    """Наполняемость классов: each class's students on a day and at the period's start and end, the change
    over the period, and the totals by level (1–4, 5–9, 10–11) and for the school (one query)."""
    assert params.period is not None and params.day is not None  # noqa: S101 - the form requires them
    period, day = params.period, params.day
    classes = params.classes()

    def on(when: datetime.date) -> Count:
        return Count("enrolments", filter=enrolled_on(when, "enrolments__"))

    counted = {
        row["pk"]: row
        for row in ClassGroup.objects.filter(pk__in=[c.pk for c in classes])
        .annotate(on_day=on(day), at_start=on(period.start), at_end=on(period.end))
        .values("pk", "on_day", "at_start", "at_end")
    }
    levels = ((_("grades 1–4"), 1, 4), (_("grades 5–9"), 5, 9), (_("grades 10–11"), 10, 11))
    body = []
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for class_group in classes:
        row = counted[class_group.pk]
        values = [row["on_day"], row["at_start"], row["at_end"]]
        body.append([text(str(class_group), "name"), *[number(v) for v in values], number(values[2] - values[1])])
        for label, low, high in levels:
            if low <= class_group.grade <= high:
                sums[label] = [a + b for a, b in zip(sums[label], values, strict=True)]
        sums["school"] = [a + b for a, b in zip(sums["school"], values, strict=True)]
    foot = [
        [
            text(label, "total"),
            *[number(v, css="total") for v in sums[label]],
            number(sums[label][2] - sums[label][1], css="total"),
        ]
        for label, _low, _high in levels
        if label in sums
    ]
    if len(classes) > 1:
        total = sums["school"]
        foot.append(
            [
                text(_("School"), "total"),
                *[number(v, css="total") for v in total],
                number(total[2] - total[1], css="total"),
            ]
        )
    table = Table(
        head=[
            [
                head(_("Class")),
                head(_("on %(day)s") % {"day": day.strftime("%d.%m.%Y")}),
                head(_("at the start, %(day)s") % {"day": period.start.strftime("%d.%m.%Y")}),
                head(_("at the end, %(day)s") % {"day": period.end.strftime("%d.%m.%Y")}),
                head(_("change")),
            ]
        ],
        body=body,
        foot=foot,
        empty=_("No classes this year."),
    )
    return Report(
        title=_("Headcount of the classes"),
        lines=params.lines(period_label(period)),
        sections=[Section(heading=_("Headcount"), tables=[table], sheet=_("Headcount"))],
        filename=f"headcount-{params.slug()}-{day:%Y-%m-%d}",
    )
