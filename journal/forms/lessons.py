"""Small forms of the lesson-changes and substitution pages: they parse, the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.params import SCHOOL_DAYS
from core.widgets import DateInput, MonthInput
from journal.models import Course, Room

REASON_ERRORS = {"required": _("Give the reason for the change.")}


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=255,
        error_messages=REASON_ERRORS,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "autocomplete": "off"}),
    )


def _slot_field(slots: list[int]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Lesson number"),
        choices=[(n, str(n)) for n in slots],
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(attrs={"class": "form-control form-control-sm"}))


def _room_field(rooms: QuerySet[Room], *, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Room"),
        queryset=rooms,
        required=required,
        empty_label=_("no room"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class ReasonForm(forms.Form):
    """Cancel or restore a lesson."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field()


class MoveForm(forms.Form):
    def __init__(self, *args: Any, slots: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"] = _date_field(_("New date"))
        self.fields["slot"] = _slot_field(slots)
        self.fields["reason"] = _reason_field()


class RoomForm(forms.Form):
    def __init__(self, *args: Any, rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"] = _room_field(rooms, required=False)
        self.fields["reason"] = _reason_field()


class ExtraLessonForm(forms.Form):
    def __init__(
        self, *args: Any, courses: QuerySet[Course], slots: list[int], rooms: QuerySet[Room], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"] = forms.ModelChoiceField(
            label=_("Subject"), queryset=courses, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
        )
        self.fields["date"] = _date_field(_("Date"))
        self.fields["slot"] = _slot_field(slots)
        self.fields["room"] = _room_field(rooms, required=False)
        self.fields["reason"] = _reason_field()


class TeacherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class SubstituteLessonForm(forms.Form):
    """A substitute for one lesson (the lesson comes from the URL's query)."""

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute"] = TeacherChoiceField(
            label=_("Substitute"), queryset=teachers, widget=forms.Select(attrs={"class": "form-select"})
        )
        self.fields["reason"] = forms.CharField(
            label=_("Reason"),
            max_length=255,
            error_messages={"required": _("Give the reason for the substitution (for example, illness).")},
            widget=forms.TextInput(attrs={"class": "form-control"}),
        )


class SubstituteRangeForm(SubstituteLessonForm):
    """A substitute for all of an absent teacher's lessons over a date range."""

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, teachers=teachers, **kwargs)
        substitute = self.fields.pop("substitute")
        reason = self.fields.pop("reason")
        self.fields["absent_teacher"] = TeacherChoiceField(
            label=_("Absent teacher"), queryset=teachers, widget=forms.Select(attrs={"class": "form-select"})
        )
        self.fields["date_from"] = forms.DateField(label=_("From"), widget=DateInput(attrs={"class": "form-control"}))
        self.fields["date_to"] = forms.DateField(label=_("To"), widget=DateInput(attrs={"class": "form-control"}))
        self.fields["substitute"] = substitute
        self.fields["reason"] = reason


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(attrs={"class": "form-control"}),
    )

    def month_or(self, default: datetime.date) -> datetime.date:
        if self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"]
        return default


class RangeForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, validators=SCHOOL_DAYS, widget=DateInput(attrs={"class": "form-control"})
    )
    end = forms.DateField(
        label=_("To"), required=False, validators=SCHOOL_DAYS, widget=DateInput(attrs={"class": "form-control"})
    )


class ResultsForm(forms.Form):
    results_on = forms.DateField(
        label=_("Results given on"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )
