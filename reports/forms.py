"""The parameters of a report: the year, one class or the whole school, and the span its kind asks for."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput, MonthInput
from journal.models import AcademicYear, ClassGroup, PeriodKind, School, StudyPeriod
from journal.selectors.periods import default_period, period_kind_for_grade
from reports.builders import ReportParams
from reports.kinds import ReportKind, Span

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}


class ReportForm(forms.Form):
    """Bound to the page's query string. ``classes`` are those the user may report on (the class teacher's
    own, or every class for the director and the deputy, who may also choose the whole school)."""

    year = forms.ModelChoiceField(
        label=_("Year"), queryset=AcademicYear.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    class_group = forms.ModelChoiceField(
        label=_("Class"), queryset=ClassGroup.objects.none(), required=False, widget=forms.Select(attrs=_SELECT)
    )
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=StudyPeriod.objects.none(), required=False, widget=forms.Select(attrs=_SELECT)
    )
    first_month = forms.DateField(
        label=_("From month"), required=False, input_formats=["%Y-%m"], widget=MonthInput(attrs=_INPUT)
    )
    last_month = forms.DateField(
        label=_("To month"), required=False, input_formats=["%Y-%m"], widget=MonthInput(attrs=_INPUT)
    )
    day = forms.DateField(label=_("On the day"), required=False, widget=DateInput(attrs=_INPUT))

    def __init__(
        self,
        data: Any,
        *,
        kind: ReportKind,
        school: School,
        classes: QuerySet[ClassGroup],
        whole_school: bool,
    ) -> None:
        super().__init__(data)
        self.kind, self.school, self.whole_school = kind, school, whole_school
        years = AcademicYear.objects.filter(school=school).order_by("-start")
        self.fields["year"].queryset = years  # type: ignore[attr-defined]
        self.fields["year"].label_from_instance = lambda y: y.name  # type: ignore[attr-defined]
        year = self._year(years)
        self.fields["year"].initial = year.pk if year else None
        class_field = self.fields["class_group"]
        class_field.queryset = classes.filter(year=year) if year else classes.none()  # type: ignore[attr-defined]
        class_field.label_from_instance = str  # type: ignore[attr-defined]
        class_field.required = not whole_school
        class_field.empty_label = _("the whole school") if whole_school else None  # type: ignore[attr-defined]
        periods = (
            StudyPeriod.objects.filter(year=year).order_by("kind", "number") if year else StudyPeriod.objects.none()
        )
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]
        self.fields["period"].label_from_instance = lambda p: f"{p} ({p.start:%d.%m} – {p.end:%d.%m})"  # type: ignore[attr-defined]
        if not whole_school:
            first = class_field.queryset.first()  # type: ignore[attr-defined]
            class_field.initial = first.pk if first else None
        today = timezone.localdate()
        if year is not None:
            chosen = self._class(class_field.queryset)  # type: ignore[attr-defined]
            period_kind: str = period_kind_for_grade(year, chosen.grade) if chosen else PeriodKind.QUARTER
            own = [p for p in periods if p.kind == period_kind] or list(periods)
            current = default_period(own, today)
            finished = [p for p in own if p.end < today]
            wants_finished = bool(self.kind.finished_period and finished)
            if wants_finished:
                current = finished[-1]
            self.fields["period"].initial = current.pk if current else None
            month = min(max(today, year.start), year.end).replace(day=1)
            started = current.start if current and not wants_finished else month
            self.fields["first_month"].initial = min(started, month).replace(day=1)
            self.fields["last_month"].initial = month
            self.fields["day"].initial = min(max(today, year.start), year.end)
        for name in self.unused():
            del self.fields[name]

    @classmethod
    def with_defaults(cls, data: Any, **kwargs: Any) -> ReportForm:
        """The form bound to ``data`` with what it leaves out taken from the defaults (the current year
        and period, this month, today): a report opens filled in, one click fewer."""
        blank = cls({"year": data.get("year")} if data and data.get("year") else None, **kwargs)
        merged: dict[str, Any] = {}
        for name, field in blank.fields.items():
            value = field.initial
            if isinstance(value, datetime.date):
                value = value.strftime("%Y-%m") if name.endswith("_month") else value.isoformat()
            if value is not None:
                merged[name] = value
        if data:
            merged.update({name: data.get(name) for name in blank.fields if name in data})
        return cls(merged, **kwargs)

    def _class(self, classes: QuerySet[ClassGroup]) -> ClassGroup | None:
        wanted = self.data.get("class_group") if self.data else None
        wanted = wanted or self.fields["class_group"].initial
        return classes.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else None

    def _year(self, years: QuerySet[AcademicYear]) -> AcademicYear | None:
        chosen = self.data.get("year") if self.data else None
        found = years.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else None
        return found or years.filter(is_current=True).first() or years.first()

    def unused(self) -> list[str]:
        span = self.kind.span
        drop = []
        if span not in (Span.PERIOD, Span.PERIOD_AND_DAY):
            drop.append("period")
        if span != Span.MONTHS:
            drop += ["first_month", "last_month"]
        if span != Span.PERIOD_AND_DAY:
            drop.append("day")
        return drop

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year: AcademicYear | None = data.get("year")
        if year is None:
            return data
        span = self.kind.span
        class_group: ClassGroup | None = data.get("class_group")
        if span in (Span.PERIOD, Span.PERIOD_AND_DAY):
            period: StudyPeriod | None = data.get("period")
            if period is None:
                self.add_error("period", _("Choose the period."))
            elif class_group is not None and period_kind_for_grade(year, class_group.grade) != period.kind:
                self.add_error(
                    "period",
                    _("Class %(cls)s is not assessed by this kind of period: choose a %(kind)s.")
                    % {"cls": class_group, "kind": _kind_label(year, class_group.grade)},
                )
        if span == Span.MONTHS:
            first, last = data.get("first_month"), data.get("last_month")
            if first is None or last is None:
                self.add_error("first_month" if first is None else "last_month", _("Choose the months."))
            elif first > last:
                self.add_error("last_month", _("The last month comes before the first one."))
            elif last < year.start.replace(day=1) or first > year.end:
                self.add_error(
                    "first_month", _("These months are outside the academic year %(year)s.") % {"year": year.name}
                )
        if span == Span.PERIOD_AND_DAY:
            day = data.get("day")
            if day is None:
                self.add_error("day", _("Choose the day."))
            elif not year.start <= day <= year.end:
                self.add_error("day", _("The day is outside the academic year %(year)s.") % {"year": year.name})
        return data

    def params(self) -> ReportParams:
        data = self.cleaned_data
        return ReportParams(
            school=self.school,
            year=data["year"],
            class_group=data.get("class_group"),
            period=data.get("period"),
            first_month=data.get("first_month"),
            last_month=data.get("last_month"),
            day=data.get("day"),
        )


def _kind_label(year: AcademicYear, grade: int) -> str:
    return str(PeriodKind(period_kind_for_grade(year, grade)).label)


def params_to_json(params: ReportParams) -> dict[str, Any]:
    """The parameters as a generated document keeps them (ids and ISO dates)."""
    values: dict[str, Any] = {"year": params.year.pk, "class": params.class_group.pk if params.class_group else None}
    if params.period is not None:
        values["period"] = params.period.pk
    for name in ("first_month", "last_month", "day"):
        value: datetime.date | None = getattr(params, name)
        if value is not None:
            values[name] = value.isoformat()
    return values


def params_from_json(school: School, values: dict[str, Any]) -> ReportParams:
    """The parameters of a generated document back (the rows are read again: a class may be gone)."""
    year = AcademicYear.objects.get(school=school, pk=values["year"])

    def day(name: str) -> datetime.date | None:
        return datetime.date.fromisoformat(values[name]) if values.get(name) else None

    return ReportParams(
        school=school,
        year=year,
        class_group=ClassGroup.objects.select_related("year__school").get(year=year, pk=values["class"])
        if values.get("class")
        else None,
        period=StudyPeriod.objects.get(year=year, pk=values["period"]) if values.get("period") else None,
        first_month=day("first_month"),
        last_month=day("last_month"),
        day=day("day"),
    )
