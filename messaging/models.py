"""Message threads, class announcements, parents' notifications and e-mail preferences (§2.10, §4.4, §8.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    DIRECT = "direct", _("conversation")
    ANNOUNCEMENT = "announcement", _("class announcement")


class Thread(models.Model):
    """A conversation between people of one school, or a class teacher's announcement.

    An announcement's participants are the class's parents at posting time and
    its author; only the author writes in it (a parent answers the class teacher
    in a conversation of their own, so parents never write to each other).
    """

    school = models.ForeignKey(
        "journal.School", on_delete=models.CASCADE, related_name="threads", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ThreadKind.choices, default=ThreadKind.DIRECT)
    subject = models.CharField(_("topic"), max_length=200)
    about_student = models.ForeignKey(
        "journal.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("about the student"),
    )
    class_group = models.ForeignKey(
        "journal.ClassGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("class"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), db_index=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ("-last_message_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="direct") | Q(class_group__isnull=False), name="announcement_has_class"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Participant(models.Model):
    """A person in a thread, with the time they last read it (for the unread counters)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants", verbose_name=_("thread"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="thread_participations",
        verbose_name=_("user"),
    )
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="participant_unique")]
        indexes = [models.Index(fields=["user", "last_read_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.thread}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("created_at", "pk")
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class NotificationKind(models.TextChoices):
    LOW_MARK = "low_mark", _("low mark")
    UNEXCUSED_ABSENCE = "unexcused_absence", _("unexcused absence")
    FINAL_MARK = "final_mark", _("final mark")
    CONTROL_CHECK = "control_check", _("control check")
    NEW_DEVICE = "new_device", _("sign-in from a new device")
    FINAL_MARKS_DUE = "final_marks_due", _("final marks due")
    LOGIN_CHANGED = "login_changed", _("a login of the school changed elsewhere")


class NotificationAudience(models.TextChoices):
    PARENT = "parent", _("parent")
    CLASS_TEACHER = "class_teacher", _("class teacher")
    TEACHER = "teacher", _("teacher")


class Notification(models.Model):
    """What a parent is told about their child: a low mark, an unexcused absence, a final mark; and what the
    class teacher is told about a student of the class: a low mark, an unexcused absence (§4.4); and what a
    teacher is told of their own work: a control check of their journal, final marks due (no student).

    The link target is kept as its parts (the student, the course, the day) and
    built when shown, so it follows the diary's URLs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    student = models.ForeignKey(
        "journal.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    audience = models.CharField(
        _("told as"), max_length=16, choices=NotificationAudience.choices, default=NotificationAudience.PARENT
    )
    text = models.CharField(_("text"), max_length=500)
    course = models.ForeignKey(
        "journal.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
    )
    day = models.DateField(_("day"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.text


class EmailMode(models.TextChoices):
    EACH = "each", _("a letter for each notification")
    DIGEST = "digest", _("one letter a day")
    OFF = "off", _("no e-mails")


class NotificationPreference(models.Model):
    """A user's choice of e-mails; no row means the default (a letter for each notification)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_mode = models.CharField(_("e-mail"), max_length=8, choices=EmailMode.choices, default=EmailMode.EACH)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"
