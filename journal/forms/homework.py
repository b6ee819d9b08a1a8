"""The homework form of the lesson page and the confirmation of its deletion."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from core.widgets import DateInput


class HomeworkForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Homework"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ClearForm(forms.Form):
    """The version of the homework the teacher saw on the confirmation page."""

    version = forms.IntegerField(widget=forms.HiddenInput)
