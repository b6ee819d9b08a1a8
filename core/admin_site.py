"""The school's own Django admin site: open to the administrator role (§4.1), never to ``is_staff``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from journal import rules


class SchoolAdminAuthenticationForm(AdminAuthenticationForm):
    """The administrator role opens the admin; Django's ``is_staff`` flag is not used."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)
        if not rules.administers(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class SchoolAdminSite(admin.AdminSite):
    login_form = SchoolAdminAuthenticationForm
    site_header = _("Electronic journal: administration")
    site_title = _("Electronic journal")
    index_title = _("School structure")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or (rules.administers(user) and request.school is not None)


school_admin = SchoolAdminSite(name="admin")
