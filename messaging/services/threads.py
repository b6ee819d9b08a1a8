"""Writing messages: start a conversation, reply, mark read, post a class announcement (§2.10)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import ClassGroup, ParentLink, School, Student
from journal.selectors.membership import class_roster
from messaging.models import Message, Participant, Thread, ThreadKind
from messaging.selectors.recipients import can_write_to, students_to_write_about

SUBJECT_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Write the subject of the message.")})
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(
            {"subject": _("The subject is too long: at most %(max)s characters.") % {"max": SUBJECT_MAX_LENGTH}}
        )
    return subject


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the text of the message.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("The message is too long: at most %(max)s characters.") % {"max": TEXT_MAX_LENGTH}}
        )
    return text


def _add_message(thread: Thread, author: User, text: str) -> Message:
    message = Message.objects.create(thread=thread, author=author, text=text)
    thread.last_message_at = message.created_at
    thread.save(update_fields=["last_message_at"])
    # The author has read their own message.
    Participant.objects.filter(thread=thread, user=author).update(last_read_at=message.created_at)
    return message


@transaction.atomic
def thread_create(
    *,
    actor: User,
    school: School,
    recipient: User,
    subject: str,
    text: str,
    about_student: Student | None = None,
) -> Thread:
    """Start a conversation between ``actor`` and one person their roles connect them with."""
    if not can_write_to(actor, school, recipient):
        raise ValidationError(
            {"recipient": _("You cannot write to %(name)s: your roles do not connect you.") % {"name": recipient}}
        )
    if about_student is not None and not students_to_write_about(actor, school).filter(pk=about_student.pk).exists():
        raise ValidationError({"about_student": _("You cannot write about this student.")})
    subject = _clean_subject(subject)
    text = _clean_text(text)
    now = timezone.now()
    thread = Thread.objects.create(
        school=school,
        kind=ThreadKind.DIRECT,
        subject=subject,
        about_student=about_student,
        created_by=actor,
        last_message_at=now,
    )
    Participant.objects.bulk_create(
        [Participant(thread=thread, user=actor), Participant(thread=thread, user=recipient)]
    )
    _add_message(thread, actor, text)
    return thread


def can_reply(user: User, thread: Thread) -> bool:
    """Announcements are written by their author only; a conversation by its participants
    while their roles still connect them with the others."""
    if thread.kind == ThreadKind.ANNOUNCEMENT:
        return thread.created_by_id == user.pk
    others = [p.user for p in thread.participants.exclude(user=user).select_related("user")]
    return bool(others) and all(can_write_to(user, thread.school, other) for other in others)


@transaction.atomic
def message_reply(*, actor: User, thread: Thread, text: str) -> Message:
    if not thread.participants.filter(user=actor).exists():
        raise PermissionDenied(_("You do not take part in this conversation."))
    if not can_reply(actor, thread):
        if thread.kind == ThreadKind.ANNOUNCEMENT:
            raise ValidationError(
                {"text": _("Replies to an announcement go to the class teacher in a conversation of your own.")}
            )
        raise ValidationError({"text": _("You can no longer write in this conversation.")})
    text = _clean_text(text)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    return _add_message(thread, actor, text)


@transaction.atomic
def thread_mark_read(*, actor: User, thread: Thread) -> None:
    Participant.objects.filter(thread=thread, user=actor).update(last_read_at=timezone.now())


@transaction.atomic
def announcement_post(*, actor: User, class_group: ClassGroup, subject: str, text: str) -> Thread:
    """Post to the parents of the class as it is today (active links); they read, the author writes."""
    if not rules.announces_to(actor, class_group):
        raise PermissionDenied(_("Only the class teacher and the administration post announcements to the class."))
    subject = _clean_subject(subject)
    text = _clean_text(text)
    students = class_roster(class_group).values("student_id")
    parent_ids = set(
        ParentLink.objects.filter(ended_at__isnull=True, student_id__in=students).values_list("parent_id", flat=True)
    )
    parent_ids.discard(actor.pk)
    if not parent_ids:
        raise ValidationError(_("Class %(cls)s has no parents with a login yet.") % {"cls": class_group})
    thread = Thread.objects.create(
        school=class_group.year.school,
        kind=ThreadKind.ANNOUNCEMENT,
        subject=subject,
        class_group=class_group,
        created_by=actor,
        last_message_at=timezone.now(),
    )
    Participant.objects.bulk_create(
        [Participant(thread=thread, user=actor)] + [Participant(thread=thread, user_id=pk) for pk in sorted(parent_ids)]
    )
    _add_message(thread, actor, text)
    return thread
