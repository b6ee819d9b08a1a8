"""Events of the school and of classes (§2.10, §3.10): everyone reads theirs; the deputy (director,
administrator) manages any, a class teacher those of their class."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from diary.access import get_event_for_user
from diary.forms import EventForm
from diary.models import Event
from diary.selectors.events import can_manage_events, event_manager_scope, events_visible_to
from diary.services.events import event_create, event_delete, event_update


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Coming events (from today on); ``?past=1``: those that are over, the latest first."""
    today = timezone.localdate()
    past = request.GET.get("past") == "1"
    events = events_visible_to(request.user, request.school)
    if past:
        events = events.filter(date__lt=today).exclude(end_date__gte=today).order_by("-date", "-time", "-pk")
    else:
        events = events.filter(Q(date__gte=today) | Q(end_date__gte=today)).order_by("date", "time", "pk")
    events_list = list(events[:200])
    manages_all, led = event_manager_scope(request.user, request.school)
    manageable = {e.pk for e in events_list if manages_all or e.class_group_id in led}
    return render(
        request,
        "diary/event_list.html",
        {
            "events": events_list,
            "past": past,
            "manageable": manageable,
            "can_create": manages_all or bool(led),
        },
    )


def _refused(request: HttpRequest, form: EventForm, error: ValidationError, event: Event | None) -> HttpResponse:
    for message in error.messages:
        form.add_error(None, message)
    return render(request, "diary/event_form.html", {"form": form, "event": event}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def event_create_view(request: HttpRequest) -> HttpResponse:
    if not can_manage_events(request.user, request.school):
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user, school=request.school)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "diary/event_form.html", {"form": form, "event": None}, status=400)
        try:
            event = event_create(actor=request.user, school=request.school, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, form, error, None)
        messages.success(request, _("The event «%(title)s» has been added.") % {"title": event.title})
        return redirect("diary:event_list")
    return render(request, "diary/event_form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, request.school, event_id, write=True)
    form = EventForm(
        request.POST or None, user=request.user, school=request.school, initial=EventForm.initial_for(event)
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "diary/event_form.html", {"form": form, "event": event}, status=400)
        try:
            event_update(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, form, error, event)
        messages.success(request, _("The event «%(title)s» has been saved.") % {"title": event.title})
        return redirect("diary:event_list")
    return render(request, "diary/event_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def event_delete_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes."""
    event = get_event_for_user(request.user, request.school, event_id, write=True)
    if request.method == "POST":
        title = event.title
        event_delete(actor=request.user, event=event)
        messages.success(request, _("The event «%(title)s» has been deleted.") % {"title": title})
        return redirect("diary:event_list")
    return render(request, "diary/event_confirm_delete.html", {"event": event})
