from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.users import user_issue_password
from journal.admin import SchoolScopedMixin, school_admin
from journal.selectors.schools import users_of_school


class UserAdmin(SchoolScopedMixin, BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "middle_name", "is_active", "must_change_password")
    search_fields = ("username", "last_name", "first_name", "email")
    list_filter = ("is_active", "groups")
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
