"""The school's own Django admin: the administrator enters the structure (§4.1).

Each administrator sees and edits only their school: querysets, foreign-key
choices and new rows are all bound to ``request.school``. Changes that carry
access (assignments, class teachers, parent links, student logins) go through
the services, which keep the object permissions in step.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_site import school_admin
from journal import rules
from journal.models import (
    AcademicYear,
    BellSchedule,
    BellSlot,
    ClassGroup,
    Course,
    CurriculumItem,
    Enrolment,
    GradePeriodScheme,
    Holiday,
    ParentLink,
    Room,
    School,
    Student,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)
from journal.permissions import sync_user_object

# How each model reaches its school; used to scope lists and choices.
SCHOOL_PATHS: dict[type[Model], str] = {
    School: "pk",
    AcademicYear: "school",
    StudyPeriod: "year__school",
    GradePeriodScheme: "year__school",
    Holiday: "year__school",
    Room: "school",
    ClassGroup: "year__school",
    Subject: "school",
    CurriculumItem: "year__school",
    Subgroup: "class_group__year__school",
    SubgroupMembership: "subgroup__class_group__year__school",
    Course: "class_group__year__school",
    TeachingAssignment: "course__class_group__year__school",
    Student: "school",
    Enrolment: "student__school",
    ParentLink: "student__school",
    BellSchedule: "school",
    BellSlot: "schedule__school",
}


class SchoolScopedMixin:
    """Permissions and foreign-key choices limited to the administrator's school.

    Shared by the model admins and their inlines: an inline checks its own
    permissions (Django's model permissions, which administrators do not hold)
    and builds its own choices, so without this it would vanish from the form
    or offer every school's users and classes.
    """

    def _is_admin(self, request: HttpRequest) -> bool:
        user = request.user
        # The admin's login page builds its menu for an anonymous visitor too.
        return rules.administers(user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            kwargs["queryset"] = _scoped_choices(db_field.related_model, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            kwargs["queryset"] = _scoped_choices(db_field.related_model, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class SchoolScopedInline(SchoolScopedMixin, admin.TabularInline):
    pass


class SchoolScopedAdmin(SchoolScopedMixin, admin.ModelAdmin):
    """Lists, choices and permissions limited to the administrator's school."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{SCHOOL_PATHS[self.model]: _school_id(request)})

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        excluded = list(super().get_exclude(request, obj) or [])
        if SCHOOL_PATHS.get(self.model) == "school" and not request.user.is_superuser:
            excluded.append("school")
        return excluded

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        if SCHOOL_PATHS.get(self.model) == "school" and not change and not request.user.is_superuser:
            obj.school = request.school  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)


def _scoped_choices(model: type[Model], request: HttpRequest) -> QuerySet[Any]:
    from accounts.models import User
    from journal.selectors.schools import users_of_school

    if model is User:
        return users_of_school(request.school)
    path = SCHOOL_PATHS.get(model)
    if path is None:
        return model._default_manager.all()
    return model._default_manager.filter(**{path: _school_id(request)})


class SchoolAdmin(SchoolScopedAdmin):
    list_display = ("name", "short_name", "director_name", "week_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


class StudyPeriodInline(SchoolScopedInline):
    model = StudyPeriod
    extra = 0


class HolidayInline(SchoolScopedInline):
    model = Holiday
    extra = 0


class GradePeriodSchemeInline(SchoolScopedInline):
    model = GradePeriodScheme
    extra = 0


class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ("name", "start", "end", "is_current", "is_archived")
    inlines = (StudyPeriodInline, HolidayInline, GradePeriodSchemeInline)


class ClassGroupAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "year", "class_teacher", "home_room")
    # RelatedOnly: the plain filter offers the years of every school.
    list_filter = (("year", admin.RelatedOnlyFieldListFilter), "grade")
    autocomplete_fields = ("class_teacher",)

    def save_model(self, request: HttpRequest, obj: ClassGroup, form: ModelForm, change: bool) -> None:
        from journal.services.structure import class_teacher_set

        teacher = obj.class_teacher
        previous = ClassGroup.objects.get(pk=obj.pk).class_teacher if change else None
        obj.class_teacher = previous
        super().save_model(request, obj, form, change)
        class_teacher_set(actor=request.user, class_group=obj, teacher=teacher)


class TeachingAssignmentInline(SchoolScopedInline):
    model = TeachingAssignment
    extra = 0
    fields = ("teacher", "date_from", "date_to")
    # A school has hundreds of users: search instead of one long drop-down.
    autocomplete_fields = ("teacher",)


class CourseAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "class_group", "subject", "subgroup")
    list_filter = ("class_group__grade", ("subject", admin.RelatedOnlyFieldListFilter))
    inlines = (TeachingAssignmentInline,)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        # Teachers removed or replaced in the inline lose their object permissions too.
        # Read them from the database: the bound forms' instances already carry the new teacher.
        def teachers() -> set[Any]:
            assignments = TeachingAssignment.objects.filter(course=form.instance).select_related("teacher")
            return {a.teacher for a in assignments}

        before = teachers()
        super().save_formset(request, form, formset, change)
        for teacher in before | teachers():
            sync_user_object(teacher, form.instance)


class SubgroupMembershipInline(SchoolScopedInline):
    model = SubgroupMembership
    extra = 0
    fields = ("student", "date_from", "date_to")
    autocomplete_fields = ("student",)


class SubgroupAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "class_group", "subject")
    inlines = (SubgroupMembershipInline,)


class EnrolmentInline(SchoolScopedInline):
    model = Enrolment
    extra = 0
    fields = ("class_group", "date_from", "date_to", "reason_in", "reason_out", "note")


class ParentLinkInline(SchoolScopedInline):
    model = ParentLink
    extra = 0
    fields = ("parent", "relation", "consent_given_at", "wants_paper_printout", "ended_at")
    autocomplete_fields = ("parent",)


class StudentAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "birth_date", "login")
    search_fields = ("last_name", "first_name", "middle_name")
    autocomplete_fields = ("user",)

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj: Student) -> str:
        return obj.full_name

    @admin.display(description=_("login"), ordering="user__username")
    def login(self, obj: Student) -> str:
        return obj.user.username if obj.user else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("user")

    inlines = (EnrolmentInline, ParentLinkInline)

    def save_model(self, request: HttpRequest, obj: Student, form: ModelForm, change: bool) -> None:
        previous_user = Student.objects.get(pk=obj.pk).user if change else None
        super().save_model(request, obj, form, change)
        for user in {previous_user, obj.user} - {None}:
            sync_user_object(user, obj)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        # Read the parents from the database: the bound forms' instances already carry a replaced parent.
        def parents() -> set[Any]:
            links = ParentLink.objects.filter(student=form.instance).select_related("parent")
            return {link.parent for link in links}

        before = parents() if formset.model is ParentLink else set()
        super().save_formset(request, form, formset, change)
        if formset.model is ParentLink:
            for parent in before | parents():
                sync_user_object(parent, form.instance)


for model, model_admin in (
    (School, SchoolAdmin),
    (AcademicYear, AcademicYearAdmin),
    (Room, SchoolScopedAdmin),
    (Subject, SchoolScopedAdmin),
    (CurriculumItem, SchoolScopedAdmin),
    (ClassGroup, ClassGroupAdmin),
    (Subgroup, SubgroupAdmin),
    (Course, CourseAdmin),
    (Student, StudentAdmin),
):
    school_admin.register(model, model_admin)


# --- Bells (§4.1: the administrator enters the regime). The timetable itself is
# edited by the deputy on the timetable pages, through the services that refuse clashes.


class BellSlotInline(SchoolScopedInline):
    model = BellSlot
    extra = 0
    fields = ("number", "start", "end")


class BellScheduleAdmin(SchoolScopedAdmin):
    list_display = ("name", "shift")
    inlines = (BellSlotInline,)


school_admin.register(BellSchedule, BellScheduleAdmin)


def _school_id(request: HttpRequest) -> int | None:
    """The request's school by id: the paths of SCHOOL_PATHS end in a foreign key or in ``pk`` itself."""
    return getattr(request.school, "pk", None)
