"""Forms of the thematic-plan pages and the lesson page: they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journal.imports import MAX_UPLOAD_BYTES
from journal.models import LessonKind, PlanItem, ThematicPlan
from journal.services.plans import MAX_HOURS, MAX_TOPIC


class PlanItemForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"), max_length=MAX_TOPIC, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    hours = forms.IntegerField(
        label=_("Hours"),
        min_value=1,
        max_value=MAX_HOURS,
        initial=1,
        error_messages={"min_value": _("Hours must be a positive whole number.")},
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    kind = forms.ChoiceField(
        label=_("Lesson kind"),
        choices=LessonKind.choices,
        initial=LessonKind.ORDINARY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    position = forms.IntegerField(
        label=_("Insert as No."),
        min_value=1,
        required=False,
        help_text=_("Empty: at the end."),
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


class PlanCreateForm(forms.Form):
    SCOPES = (("course", _("for this course")), ("shared", _("shared by the grade")))
    scope = forms.ChoiceField(choices=SCOPES)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
        help_text=_("Up to 2 MB. Columns: No., Topic, Hours, Lesson kind; the first row is the header."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # The size is known before a byte is parsed: refuse early.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it or remove pictures and other sheets."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload


class PlanCopyForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=ThematicPlan.objects.none(),
        label=_("Copy the rows of"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, sources: QuerySet[ThematicPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = sources
        field.label_from_instance = plan_label  # type: ignore[method-assign]


def plan_label(plan: ThematicPlan) -> str:
    hours = getattr(plan, "total_hours", None)
    owner = str(plan.course) if plan.course_id else gettext("grade %(grade)s, shared") % {"grade": plan.grade}
    text = f"{plan.year} · {owner} · {plan.subject}"
    return f"{text} ({hours_label(hours)})" if hours is not None else text


def hours_label(hours: int) -> str:
    return gettext("%(hours)s h") % {"hours": hours}


class LessonTopicForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        max_length=MAX_TOPIC,
        required=False,
        help_text=_("Empty with a plan item chosen: the item's topic."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("Lesson kind"), choices=LessonKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    plan_item = forms.ModelChoiceField(
        queryset=PlanItem.objects.none(),
        label=_("Thematic plan item"),
        required=False,
        empty_label=_("— not from the plan —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, items: QuerySet[PlanItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan_item"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = items
        field.label_from_instance = lambda item: f"{item.order}. {item.topic} ({hours_label(item.hours)})"  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("topic") or "").strip() and not data.get("plan_item"):
            self.add_error("topic", _("Enter the topic, or choose an item of the plan."))
        return data
