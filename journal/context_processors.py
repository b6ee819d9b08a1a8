from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role


def navigation(request: HttpRequest) -> dict[str, object]:
    """The sections of the top navigation the signed-in user's roles give."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items: list[tuple[str, str]] = [(_("Home"), reverse("home"))]
    if user.has_role(Role.ADMINISTRATOR, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER):
        items.append((_("Courses"), reverse("journal:course_list")))
        items.append((_("Classes"), reverse("journal:class_list")))
    if user.has_role(Role.ADMINISTRATOR) or user.is_superuser:
        items.append((_("Administration"), reverse("admin:index")))
    return {"nav_items": items, "user_roles": sorted(r.label for r in user.roles)}
