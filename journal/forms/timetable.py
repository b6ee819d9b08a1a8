"""Forms of the curriculum and timetable screens: they parse input; the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from journal.models import AcademicYear, Course, Room, Subject
from journal.models.structure import Assessment

DATE_INPUT = DateInput(attrs={"class": "form-control form-control-sm"})


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        course: Course = obj
        if course.subgroup is not None:
            return f"{course.subject} ({course.subgroup.name})"
        return str(course.subject)


class CurriculumItemForm(forms.Form):
    grade = forms.IntegerField(
        label=_("Grade"), min_value=1, max_value=11, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    subject = forms.ModelChoiceField(
        label=_("Subject"), queryset=Subject.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5", "min": "0.5", "max": "40"}),
    )
    assessment = forms.ChoiceField(
        label=_("Assessment"),
        choices=Assessment.choices,
        initial=Assessment.MARKS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, subjects: QuerySet[Subject], with_grade: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects  # type: ignore[attr-defined]
        if not with_grade:
            del self.fields["grade"]

    @property
    def hours(self) -> Decimal:
        return self.cleaned_data["hours_per_week"]


class EntryAddForm(forms.Form):
    course = CourseChoiceField(
        label=_("Course"), queryset=Course.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("no room"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)

    def __init__(
        self, *args: Any, courses: QuerySet[Course], rooms: QuerySet[Room], year: AcademicYear, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]

    def clean_valid_from(self) -> datetime.date:
        return _within_year(self.cleaned_data["valid_from"], self.year)


class EntryEndForm(forms.Form):
    first_free_day = forms.DateField(
        label=_("No lessons from"),
        help_text=_("The last lesson is the day before; earlier weeks keep the entry."),
        widget=DATE_INPUT,
    )

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_first_free_day(self) -> datetime.date:
        return _within_year(self.cleaned_data["first_free_day"], self.year)


class EntryRoomForm(forms.Form):
    room = forms.ModelChoiceField(
        label=_("New room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("no room"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    from_date = forms.DateField(label=_("From"), widget=DATE_INPUT)

    def __init__(self, *args: Any, rooms: QuerySet[Room], year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]

    def clean_from_date(self) -> datetime.date:
        return _within_year(self.cleaned_data["from_date"], self.year)


def _within_year(day: datetime.date, year: AcademicYear) -> datetime.date:
    if not year.start <= day <= year.end:
        raise ValidationError(
            _("The date %(day)s lies outside the academic year %(year)s (%(start)s – %(end)s).")
            % {
                "day": day.strftime("%d.%m.%Y"),
                "year": year.name,
                "start": year.start.strftime("%d.%m.%Y"),
                "end": year.end.strftime("%d.%m.%Y"),
            }
        )
    return day
