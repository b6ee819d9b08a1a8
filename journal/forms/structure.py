"""The filter of the course list: a class, a teacher (a school's 800 courses do not fit a phone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from journal.models import ClassGroup


class CourseFilterForm(forms.Form):
    class_group = forms.ModelChoiceField(
        label=_("Class"),
        queryset=ClassGroup.objects.none(),
        required=False,
        empty_label=_("all classes"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("all teachers"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args: Any, classes: QuerySet[ClassGroup], teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_group"].queryset = classes  # type: ignore[attr-defined]
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]
        self.fields["class_group"].label_from_instance = str  # type: ignore[attr-defined]
        self.fields["teacher"].label_from_instance = lambda user: user.short_name  # type: ignore[attr-defined]
