"""The event form: the class list is what the user may make events for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.widgets import DateInput
from diary.models import Event
from diary.selectors.events import event_classes_for
from journal import rules
from journal.models import School


class EventForm(forms.Form):
    class_group = forms.ModelChoiceField(
        label=_("For"),
        queryset=None,
        required=False,
        empty_label=_("the whole school"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    date = forms.DateField(label=_("Date"), widget=DateInput(attrs={"class": "form-control"}))
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"class": "form-control", "type": "time"}, format="%H:%M"),
    )
    end_date = forms.DateField(label=_("Last day"), required=False, widget=DateInput(attrs={"class": "form-control"}))
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 4})
    )

    def __init__(self, *args: Any, user: User, school: School | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["class_group"]
        field.queryset = event_classes_for(user, school)
        if not rules.manages_school_events(user):
            # A class teacher makes events of their own class only.
            field.required = True
            field.empty_label = None

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        return {
            "class_group": event.class_group_id,
            "title": event.title,
            "date": event.date,
            "time": event.time,
            "end_date": event.end_date,
            "place": event.place,
            "description": event.description,
        }
