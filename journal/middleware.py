from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from journal.models import School


class CurrentSchoolMiddleware:
    """``request.school``: the school the signed-in user works in (None if none).

    A user of several schools (a municipality server) picks one; the choice
    is kept in the session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            schools = School.objects.filter(memberships__user=user).order_by("name")
            chosen = request.session.get("school_id")
            school = schools.filter(pk=chosen).first() if chosen else None
            request.school = school or schools.first()  # type: ignore[attr-defined]
        return self.get_response(request)
