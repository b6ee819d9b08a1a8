from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import ROLE_CHOICES, Role
from accounts.services.mfa import enrolment_code_give
from accounts.services.users import user_set_roles
from journal import rules
from journal.admin import SchoolScopedMixin, school_admin
from journal.selectors.schools import users_of_school, users_with_role
from journal.services.logins import password_issue, password_set_by

ROLES_FIELD = "school_roles"
# The login and the person behind it: read-only to an administrator who may not manage the login (the person
# is also in another school, or it is their own: ``journal.rules.may_manage_login``); the roles held in this
# school stay this school's to set.
LOGIN_FIELDS = (
    "username",
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "phone",
    "is_active",
    "must_change_password",
)


class UserRolesChangeForm(UserChangeForm):
    school_roles = forms.MultipleChoiceField(
        label=_("Roles in this school"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A role applies only in the school it is given in."),
    )


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(role.value, role.label) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        value = self.value()
        if value not in set(Role):
            return queryset
        return queryset.filter(pk__in=users_with_role(getattr(request, "school", None), Role(value)).values("pk"))


class UserAdmin(SchoolScopedMixin, BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "middle_name", "is_active", "must_change_password")
    search_fields = ("username", "last_name", "first_name", "email")
    list_filter = ("is_active", RoleFilter)
    ordering = ("last_name", "first_name")
    actions = ("issue_password", "give_enrolment_code")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("last_name", "first_name", "middle_name", "email", "phone")}),
        (_("Access"), {"fields": ("is_active", ROLES_FIELD, "must_change_password", "last_login")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "last_name", "first_name", "middle_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login",)
    form = UserRolesChangeForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not rules.may_manage_login(request.user, obj):  # type: ignore[arg-type]
            return (*fields, *LOGIN_FIELDS)
        return fields

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """The password typed by the administrator: only for a login they may manage, and then an issued one
        (changed at the next sign-in, recorded with who typed it)."""
        user = self.get_object(request, unquote(id))
        if user is not None and not rules.may_manage_login(request.user, user):  # type: ignore[arg-type]
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and user is not None:
            password_set_by(actor=request.user, user=user)  # type: ignore[arg-type]
        return response

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The roles the user holds in the administrator's school (``request.school``), not anywhere else."""
        form = super().get_form(request, obj, change=change, **kwargs)
        school = getattr(request, "school", None)
        if ROLES_FIELD in form.base_fields:
            held = obj.roles_in(school.pk) if obj is not None and school is not None else frozenset()
            form.base_fields[ROLES_FIELD].initial = sorted(r.value for r in held)
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or getattr(request, "school", None) is not None:
            return fieldsets
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != ROLES_FIELD)}) for name, opts in fieldsets
        ]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Users are disabled, not deleted: assignments, links and history point at them.
        return request.user.is_superuser

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return users_of_school(request.school)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # the password typed on the add form is the administrator's: an issued one
            password_set_by(actor=request.user, user=obj)  # type: ignore[arg-type]
        school = getattr(request, "school", None)
        if not change and not request.user.is_superuser:
            from journal.services.structure import membership_ensure

            membership_ensure(user=obj, school=school)
        if change and school is not None and ROLES_FIELD in form.cleaned_data:
            roles = {Role(value) for value in form.cleaned_data[ROLES_FIELD]}
            user_set_roles(user=obj, school=school, roles=roles, replacing=Role)

    @admin.action(description=_("Issue a new single-use password"))
    def issue_password(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                password = password_issue(actor=request.user, user=user)  # type: ignore[arg-type]
            except PermissionDenied as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(request, f"{user.username}: {password}", messages.SUCCESS)

    @admin.action(description=_("Give a one-time code for setting up the second step"))
    def give_enrolment_code(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                code = enrolment_code_give(actor=request.user, user=user)  # type: ignore[arg-type]
            except PermissionDenied as refusal:
                self.message_user(request, f"{user.username}: {refusal}", messages.ERROR)
            else:
                self.message_user(request, f"{user.username}: {code}", messages.SUCCESS)


school_admin.register(User, UserAdmin)
