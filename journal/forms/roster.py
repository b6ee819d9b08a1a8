from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from journal.imports import MAX_UPLOAD_BYTES


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
        help_text=_(
            "Up to 2 MB. A row a student (with one parent; a second parent: a second row of the same student); "
            "the first row is the header, as in the template."
        ),
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
