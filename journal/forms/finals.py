"""Small forms of the final-marks, periods, grading-policy and history pages: they parse, the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.widgets import DateInput
from journal.models import GradingPolicy
from journal.models.marks import NUMERIC_MARKS, MarkValue
from journal.models.planning import LessonKind
from journal.services.policy import POLICY_FIELDS

SMALL_SELECT = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm", "autocomplete": "off"}


class FinalMarkForm(forms.Form):
    """One row of the final-marks page: a student's mark and, when it differs from the suggestion, the reason."""

    student = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    value = forms.ChoiceField(
        label=_("Final mark"),
        choices=[("", "—"), *MarkValue.choices],
        error_messages={"required": _("Choose the final mark.")},
        widget=forms.Select(attrs={**SMALL_SELECT, "aria-label": _("Final mark")}),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=255, required=False, widget=forms.TextInput(attrs=SMALL_INPUT)
    )
    # A numeric mark for a student with fewer marks than the minimum (§6.2) is asked for once more.
    confirm = forms.BooleanField(label=_("Yes, this mark"), required=False)

    def __init__(
        self, *args: Any, marks_count: int | None = None, minimum: int = 0, stored: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.marks_count = marks_count
        self.minimum = minimum
        self.stored = stored  # the mark stored now: keeping it asks nothing again

    @property
    def below_minimum(self) -> bool:
        return self.marks_count is not None and self.marks_count < self.minimum

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("value")
        if self.below_minimum and value in NUMERIC_MARKS and value != self.stored and not data.get("confirm"):
            self.add_error(
                "confirm",
                _(
                    "The student has %(count)s marks of the %(minimum)s needed: confirm the mark «%(value)s» "
                    "or set «н/а»."
                )
                % {"count": self.marks_count, "minimum": self.minimum, "value": data["value"]},
            )
        return data

    def value_select(self) -> str:
        """The mark's <select>, built here: Django's widget templates (one per option) cost more than
        the rest of a page of marks. The widget's class, aria-label and autofocus are kept."""
        bound = self["value"]
        current = str(bound.value() or "")
        attrs = bound.field.widget.attrs
        selected = mark_safe(" selected")  # noqa: S308 - a constant
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, selected if str(value) == current else "", label) for value, label in bound.field.choices),
        )
        return format_html(
            '<select name="{}" id="{}" class="{}" aria-label="{}"{}>{}</select>',
            bound.html_name,
            bound.auto_id,
            attrs.get("class", ""),
            attrs.get("aria-label", ""),
            mark_safe(" autofocus") if attrs.get("autofocus") else "",  # noqa: S308 - a constant
            options,
        )


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        error_messages={"required": _("Give the reason for unlocking the period.")},
        widget=forms.TextInput(attrs=SMALL_INPUT),
    )


class PolicyVersionForm(forms.Form):
    """A new version of the grading policy from a date; the fields start from the version in force."""

    valid_from = forms.DateField(label=_("In force from"), widget=DateInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in forms.fields_for_model(GradingPolicy, fields=POLICY_FIELDS).items():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
            self.fields[name] = field

    @staticmethod
    def initial_from(policy: GradingPolicy, valid_from: datetime.date) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(policy, name) for name in POLICY_FIELDS}
        initial["valid_from"] = valid_from
        return initial


class WorkTypeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        widget=forms.TextInput(attrs={**SMALL_INPUT, "placeholder": _("Name"), "aria-label": _("Name")}),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(
            attrs={
                **SMALL_INPUT,
                "step": "0.1",
                "min": "0.1",
                "max": "10",
                "placeholder": _("Weight"),
                "aria-label": _("Weight"),
            }
        ),
    )
    lesson_kind = forms.ChoiceField(
        label=_("Default for lessons of kind"),
        choices=[("", "—"), *LessonKind.choices],
        required=False,
        widget=forms.Select(attrs={**SMALL_SELECT, "aria-label": _("Default for lessons of kind")}),
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ChangesForm(forms.Form):
    """«Changes by user X since T» on the administrator's history page."""

    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    since = forms.DateTimeField(
        label=_("Since"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"class": "form-control", "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class RevertForm(ChangesForm):
    """One change to revert: its model and history row; ``confirm`` is the second step."""

    model_label = forms.CharField(widget=forms.HiddenInput)
    history_id = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RevertAllForm(ChangesForm):
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
