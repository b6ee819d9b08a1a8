"""Reading threads and counters, always narrowed to the asking user's own participations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from journal import rules
from journal.models import ClassGroup, School
from journal.selectors.scope import classes_led_by
from messaging.models import Message, Notification, Participant, Thread, ThreadKind

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _unread_participation() -> Q:
    return Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("thread__last_message_at"))


def threads_of(user: User, school: School | None) -> QuerySet[Thread]:
    """The user's threads in the school, each with ``unread`` (messages of others since the last reading),
    ``last_text`` and the other participants of conversations (``others``), unread first."""
    if school is None:
        return Thread.objects.none()
    mine = Participant.objects.filter(thread=OuterRef("pk"), user=user)
    last_read = Subquery(mine.values("last_read_at")[:1])
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), created_at__gt=Coalesce(OuterRef("my_last_read"), Value(EPOCH)))
        .exclude(author=user)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_text = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk").values("text")[:1]
    others = Participant.objects.filter(thread__kind=ThreadKind.DIRECT).exclude(user=user).select_related("user")
    return (
        Thread.objects.filter(Exists(mine), school=school)
        .annotate(my_last_read=last_read)
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_text=Subquery(last_text),
        )
        .select_related("about_student", "class_group", "created_by")
        .prefetch_related(Prefetch("participants", queryset=others, to_attr="others"))
        .order_by(F("unread").desc(nulls_last=True), "-last_message_at", "-pk")
    )


def get_thread_for_user(user: User, school: School | None, thread_id: int) -> Thread:
    """A thread the user takes part in (404 for anyone else, even of the same school)."""
    if school is None:
        raise Http404("No school")
    thread = (
        Thread.objects.filter(pk=thread_id, school=school, participants__user=user)
        .select_related("about_student", "class_group", "created_by")
        .first()
    )
    if thread is None:
        raise Http404("No such thread among yours")
    return thread


def messages_of(thread: Thread) -> QuerySet[Message]:
    return thread.messages.select_related("author").order_by("created_at", "pk")


def thread_people(thread: Thread) -> QuerySet[Participant]:
    return thread.participants.select_related("user").order_by("user__last_name", "user__first_name")


@dataclass(frozen=True)
class UnreadCounts:
    threads: int
    notifications: int


def unread_counts(user: User) -> UnreadCounts:
    """The nav badges: threads with unread messages and unread notifications, in one query."""
    threads = (
        Participant.objects.filter(_unread_participation(), user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    notifications = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            t=Coalesce(Subquery(threads, output_field=IntegerField()), 0),
            n=Coalesce(Subquery(notifications, output_field=IntegerField()), 0),
        )
        .values_list("t", "n")
        .first()
    )
    return UnreadCounts(*(row or (0, 0)))


def announce_classes(user: User, school: School | None) -> QuerySet[ClassGroup]:
    """The current year's classes the user may post announcements to."""
    if school is None:
        return ClassGroup.objects.none()
    current = ClassGroup.objects.filter(year__school=school, year__is_current=True).order_by("grade", "letter")
    if rules.reads_whole_school(user):
        return current
    if rules.is_teacher(user):
        return current.filter(pk__in=classes_led_by(user, school).values("pk"))
    return ClassGroup.objects.none()
