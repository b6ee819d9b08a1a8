from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from journal.forms.plans import PlanImportForm


class RosterImportForm(PlanImportForm):
    """The plan import's upload (XLSX or CSV, refused by size before a byte is parsed) with the roster's hint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Up to 2 MB. A row a student (with one parent; a second parent: a second row of the same student); "
            "the first row is the header, as in the template."
        )
