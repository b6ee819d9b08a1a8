"""For the class teacher and the administration: which parents acknowledged a week of the diary."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.decorators import staff_required
from diary.access import get_acknowledgement_class_for_user
from diary.selectors.acknowledgements import class_acknowledgements
from diary.views.pages import week_from_query


@staff_required
@require_GET
def acknowledgements(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_acknowledgement_class_for_user(request.user, request.school, class_id)
    monday = week_from_query(request, request.GET.get("week"))
    rows = class_acknowledgements(class_group, monday)
    return render(
        request,
        "diary/acknowledgements.html",
        {
            "class_group": class_group,
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "prev_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "rows": rows,
            "done": sum(1 for r in rows if r.acknowledged),
        },
    )
