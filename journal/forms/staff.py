"""A staff member of the school on the administrator's screen: the person and the roles held here (§3.2)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from accounts.roles import ROLE_LABELS, Role

# The staff roles in the order a school names them (lazy labels: the page's language).
STAFF_ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in (Role.TEACHER, Role.DEPUTY, Role.DIRECTOR, Role.ADMINISTRATOR)]


def _text(label: str, *, required: bool = True, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=150, required=required, widget=forms.TextInput(attrs={"class": "form-control", **attrs})
    )


class StaffRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles in this school"),
        choices=STAFF_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )

    def chosen_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class StaffForm(StaffRolesForm):
    last_name = _text(gettext_lazy("Last name"), autocomplete="family-name")
    first_name = _text(gettext_lazy("First name"), autocomplete="given-name")
    middle_name = _text(gettext_lazy("Middle name"), required=False, autocomplete="additional-name")
    email = forms.EmailField(
        label=gettext_lazy("E-mail"), required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )
    phone = _text(gettext_lazy("Phone"), required=False, inputmode="tel", autocomplete="tel")

    field_order = ("last_name", "first_name", "middle_name", "email", "phone", "roles")
