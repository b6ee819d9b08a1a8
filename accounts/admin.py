from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_issue_password
from journal.admin import SchoolScopedMixin, school_admin
from journal.selectors.schools import users_of_school


def group_label(group: Group) -> str:
    """A role's group by the role's name in the interface's language (the groups are named by code)."""
    try:
        return Role(group.name).label
    except ValueError:
        return group.name


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:  # type: ignore[override]
        return group_label(obj)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(role.value, role.label) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        value = self.value()
        return queryset.filter(groups__name=value) if value in set(Role) else queryset


class UserAdmin(SchoolScopedMixin, BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "middle_name", "is_active", "must_change_password")
    search_fields = ("username", "last_name", "first_name", "email")
    list_filter = ("is_active", RoleFilter)
    ordering = ("last_name", "first_name")
    actions = ("issue_password",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("last_name", "first_name", "middle_name", "email", "phone")}),
        (_("Access"), {"fields": ("is_active", "groups", "must_change_password", "last_login")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "last_name", "first_name", "middle_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login",)
    filter_horizontal = ("groups",)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Users are disabled, not deleted: assignments, links and history point at them.
        return request.user.is_superuser

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return users_of_school(request.school)

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            from journal.services.structure import membership_ensure

            membership_ensure(user=obj, school=request.school)

    @admin.action(description=_("Issue a new single-use password"))
    def issue_password(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            password = user_issue_password(actor=request.user, user=user)
            self.message_user(request, f"{user.username}: {password}", messages.SUCCESS)


school_admin.register(User, UserAdmin)
