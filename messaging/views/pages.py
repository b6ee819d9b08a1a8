"""Messages, announcements, notifications and preferences: thin views over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_required
from core.messages import add_form_errors
from journal import rules
from journal.access import get_class_for_user
from journal.selectors.membership import class_roster
from messaging.forms import AnnouncementForm, ComposeForm, PreferencesForm, ReplyForm
from messaging.models import ThreadKind
from messaging.selectors.notifications import (
    get_notification_for_user,
    notification_link,
    notifications_of,
    preference_of,
)
from messaging.selectors.recipients import allowed_recipients, recipient_groups, students_to_write_about
from messaging.selectors.threads import (
    announce_classes,
    get_thread_for_user,
    messages_of,
    thread_people,
    threads_of,
    unread_counts,
)
from messaging.services.notifications import notification_mark_read, notifications_mark_all_read, preferences_set
from messaging.services.threads import (
    announcement_post,
    can_reply,
    message_reply,
    thread_create,
    thread_mark_read,
)

THREADS_PER_PAGE = 30
NOTIFICATIONS_PER_PAGE = 50


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Threads ------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school
    page = Paginator(threads_of(user, school), THREADS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "threads": page.object_list, "announce_classes": announce_classes(user, school)}
    return render(request, "messaging/inbox.html", context)


@login_required
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    item = get_thread_for_user(request.user, request.school, thread_id)
    replying = can_reply(request.user, item)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                message_reply(actor=request.user, thread=item, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                return redirect("messaging:thread", thread_id=item.pk)
    else:
        thread_mark_read(actor=request.user, thread=item)
    people = list(thread_people(item))
    context = {
        "thread": item,
        "messages_list": messages_of(item),
        "people": people if item.kind == ThreadKind.DIRECT else [],
        "recipients_count": len(people) - 1,
        "form": form if replying else None,
        "is_announcement": item.kind == ThreadKind.ANNOUNCEMENT,
    }
    return render(request, "messaging/thread.html", context)


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    user, school = request.user, request.school
    groups = recipient_groups(user, school)
    students = list(students_to_write_about(user, school).order_by("last_name", "first_name"))
    initial = {"recipient": _int(request.GET.get("to")), "about_student": _int(request.GET.get("about"))}
    form = ComposeForm(request.POST or None, initial=initial, groups=groups, students=students)
    if request.method == "POST" and form.is_valid() and school is not None:
        recipient = allowed_recipients(user, school).filter(pk=form.cleaned_data["recipient"]).first()
        about = next((s for s in students if s.pk == form.cleaned_data["about_student"]), None)
        if recipient is None:
            form.add_error("recipient", _("Choose a recipient from the list."))
        else:
            try:
                created = thread_create(
                    actor=user,
                    school=school,
                    recipient=recipient,
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                    about_student=about,
                )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The message is sent."))
                return redirect("messaging:thread", thread_id=created.pk)
    count = sum(len(g.choices) for g in groups)
    return render(request, "messaging/compose.html", {"form": form, "recipients_count": count})


@staff_required
def announce(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    if not rules.announces_to(request.user, class_group):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            posted = announcement_post(
                actor=request.user,
                class_group=class_group,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The announcement is posted to %(count)s parents of %(cls)s.")
                % {"count": posted.participants.count() - 1, "cls": class_group},
            )
            return redirect("messaging:thread", thread_id=posted.pk)
    students = class_roster(class_group).count()
    return render(request, "messaging/announce.html", {"form": form, "class_group": class_group, "students": students})


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The nav's two counters (unread threads, unread notifications): one query, loaded by htmx after the page."""
    return render(request, "messaging/_badge.html", {"counts": unread_counts(request.user)})


# --- Notifications ------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(n, notification_link(n)) for n in page.object_list]
    return render(request, "messaging/notifications.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    if "all" in request.POST:
        notifications_mark_all_read(actor=request.user)
    elif (pk := _int(request.POST.get("notification_id"))) is not None:
        notification_mark_read(actor=request.user, notification=get_notification_for_user(request.user, pk))
    return redirect("messaging:notifications")


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Following a notification marks it read and leads to the diary page it is about."""
    notification = get_notification_for_user(request.user, notification_id)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect(notification_link(notification) or reverse("messaging:notifications"))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = preference_of(request.user)
    form = PreferencesForm(request.POST or None, initial={"email_mode": current.email_mode})
    if request.method == "POST" and form.is_valid():
        preferences_set(actor=request.user, email_mode=form.cleaned_data["email_mode"])
        messages.success(request, _("Saved."))
        return redirect("messaging:preferences")
    return render(request, "messaging/preferences.html", {"form": form, "email": request.user.email})
