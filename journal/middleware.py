from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from journal.models import School

SESSION_KEY = "school_id"


class CurrentSchoolMiddleware:
    """``request.school``: the school the signed-in user works in (None if none).

    A user of several schools (a municipality server) picks one (``journal:school_switch``); the choice
    is kept in the session. The user's roles are then those held in that school.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = None  # type: ignore[attr-defined]
        request.schools = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query: a person belongs to a school or a few (the navigation offers the others).
            schools = list(School.objects.filter(memberships__user=user).order_by("name"))
            chosen = request.session.get(SESSION_KEY)
            request.schools = schools  # type: ignore[attr-defined]
            school = next((s for s in schools if s.pk == chosen), schools[0] if schools else None)
            request.school = school  # type: ignore[attr-defined]
            # The roles that apply are those held in this school (User.roles).
            user.acting_school_id = school.pk if school else None
        return self.get_response(request)
