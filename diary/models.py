"""The diary's own rows: a parent's acknowledgement of a week, and school or class events (§3.10)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from journal.models import ClassGroup, School, Student


class WeekAcknowledgement(models.Model):
    """A parent has read a week of the child's diary («ознакомлен»); once per parent, child and week."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="week_acknowledgements",
        verbose_name=_("parent"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="week_acknowledgements", verbose_name=_("student")
    )
    week_start = models.DateField(_("week (Monday)"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("week acknowledgement")
        verbose_name_plural = _("week acknowledgements")
        ordering = ("student_id", "-week_start")
        indexes = [models.Index(fields=["student", "week_start"])]
        constraints = [
            models.UniqueConstraint(fields=["parent", "student", "week_start"], name="ack_once_per_parent_week"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student}: {self.week_start:%d.%m.%Y}"


class Event(models.Model):
    """A school event: school-wide (no class) or of one class (§2.10, §3.10)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="events", verbose_name=_("school"))
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("class"),
        help_text=_("Empty: an event of the whole school."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ("date", "time", "pk")
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")), name="event_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.title}"

    @property
    def last_day(self) -> datetime.date:
        return self.end_date or self.date
