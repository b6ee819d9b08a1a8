from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from messaging.models import EmailMode
from messaging.selectors.recipients import RecipientGroup
from messaging.services.threads import SUBJECT_MAX_LENGTH, TEXT_MAX_LENGTH


class ComposeForm(forms.Form):
    """The recipient chooser offers only the allowed people, grouped (the service checks again)."""

    recipient = forms.TypedChoiceField(label=pgettext_lazy("message", "To"), coerce=int)
    about_student = forms.TypedChoiceField(label=_("About the child"), coerce=int, required=False, empty_value=None)
    subject = forms.CharField(label=pgettext_lazy("message", "Subject"), max_length=SUBJECT_MAX_LENGTH)
    text = forms.CharField(label=_("Message"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, groups: list[RecipientGroup], students: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipient = cast(forms.TypedChoiceField, self.fields["recipient"])
        recipient.choices = [("", _("— choose —"))] + [
            (group.label, [(c.user.pk, c.label) for c in group.choices]) for group in groups
        ]
        recipient.widget.attrs.update({"class": "form-select", "data-recipient-select": ""})
        about = cast(forms.TypedChoiceField, self.fields["about_student"])
        about.choices = [("", _("— none —"))] + [(s.pk, s.full_name) for s in students]
        about.widget.attrs.update({"class": "form-select"})
        self.fields["subject"].widget.attrs.update({"class": "form-control"})
        self.fields["text"].widget.attrs.update({"class": "form-control"})


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class AnnouncementForm(forms.Form):
    subject = forms.CharField(
        label=pgettext_lazy("message", "Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    text = forms.CharField(
        label=_("Announcement"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )


class PreferencesForm(forms.Form):
    email_mode = forms.ChoiceField(label=_("E-mail notifications"), choices=EmailMode.choices, widget=forms.RadioSelect)
