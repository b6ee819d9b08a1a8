"""Planning: bells, the timetable, lessons, substitutions and thematic plans (КТП)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from journal.models.history import HistoryIP
from journal.models.structure import AcademicYear, Course, Room, School, Subject


class BellSchedule(models.Model):
    """The school's bells for one shift: lesson numbers with their times."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="bell_schedules", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=64)
    shift = models.PositiveSmallIntegerField(_("shift"), default=1)

    class Meta:
        verbose_name = _("bell schedule")
        verbose_name_plural = _("bell schedules")
        ordering = ("school_id", "shift", "name")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="bells_unique_name"),
            models.CheckConstraint(condition=Q(shift__gte=1, shift__lte=3), name="bells_shift_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.name


class BellSlot(models.Model):
    schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="slots", verbose_name=_("bells"))
    number = models.PositiveSmallIntegerField(_("lesson number"))
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("bell slot")
        verbose_name_plural = _("bell slots")
        ordering = ("schedule_id", "number")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="slot_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=0, number__lte=12), name="slot_number_0_to_12"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.start:%H:%M}–{self.end:%H:%M}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")


class TimetableEntry(models.Model):
    """A course meets on a weekday in a numbered slot, valid over a date range.

    Changing the timetable from a date closes the entry the day before and
    opens a new one, so past weeks keep the timetable they had.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="timetable", verbose_name=_("course"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    slot = models.PositiveSmallIntegerField(_("lesson number"))
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("room")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable")
        ordering = ("weekday", "slot")
        indexes = [models.Index(fields=["weekday", "slot"])]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=6), name="entry_weekday_1_to_6"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="entry_valid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.get_weekday_display()}, {self.slot}"

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class LessonKind(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary lesson")
    TEST = "test", _("test (контрольная)")
    LAB = "lab", _("laboratory work")
    PRACTICAL = "practical", _("practical work")
    DICTATION = "dictation", _("dictation")
    ESSAY = "essay", _("essay")
    REVIEW = "review", _("revision")


class LessonStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Lesson(models.Model):
    """One lesson of a course on a date: a column of the journal."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course"))
    date = models.DateField(_("date"))
    slot = models.PositiveSmallIntegerField(_("lesson number"))
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("room")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons_taught",
        verbose_name=_("teacher who taught"),
    )
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    plan_item = models.ForeignKey(
        "journal.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("thematic plan item"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LessonKind.choices, default=LessonKind.ORDINARY)
    status = models.CharField(_("status"), max_length=16, choices=LessonStatus.choices, default=LessonStatus.PLANNED)
    # A test's results were given to the class on this day: its marks are due a day later (§4.4).
    results_on = models.DateField(_("results given on"), null=True, blank=True)
    timetable_entry = models.ForeignKey(
        TimetableEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("from the timetable entry"),
    )
    is_extra = models.BooleanField(_("extra lesson"), default=False)
    # The teacher said everyone was present (a lesson with an absence or a late arrival recorded has its
    # attendance taken anyway): what the monitoring counts as attendance taken (§4.4).
    attendance_taken_at = models.DateTimeField(_("attendance taken"), null=True, blank=True)
    # Where the timetable had put a lesson that was moved: regeneration must
    # not make a new lesson there.
    origin_date = models.DateField(_("originally on"), null=True, blank=True)
    origin_slot = models.PositiveSmallIntegerField(_("originally lesson number"), null=True, blank=True)
    # Topic, status and teacher changes keep their history (who, when, IP).
    history = HistoricalRecords(bases=[HistoryIP], excluded_fields=["timetable_entry"])

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ("date", "slot")
        indexes = [
            models.Index(fields=["course", "date"]),
            models.Index(fields=["date", "slot"]),
            # The diary shows a moved lesson on the day it was taken from too: the few moved lessons by course.
            models.Index(
                fields=["course", "origin_date"], name="lesson_moved_from_idx", condition=Q(origin_date__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["course", "date", "slot"], name="lesson_unique_course_date_slot"),
            models.CheckConstraint(condition=Q(slot__gte=0, slot__lte=12), name="lesson_slot_0_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.course}, {self.date:%d.%m.%Y}, {self.slot}"

    @property
    def is_touched(self) -> bool:
        """Something was recorded on it: regeneration must leave it alone."""
        return bool(self.topic) or self.status != LessonStatus.PLANNED or self.plan_item_id is not None


class LessonChangeKind(models.TextChoices):
    CANCEL = "cancel", _("cancelled")
    RESTORE = "restore", _("restored")
    MOVE = "move", _("moved")
    ROOM = "room", _("room changed")
    EXTRA = "extra", _("extra lesson added")


class LessonChange(models.Model):
    """Who changed a lesson one-off, when and why."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="changes", verbose_name=_("lesson"))
    kind = models.CharField(_("change"), max_length=16, choices=LessonChangeKind.choices)
    reason = models.CharField(_("reason"), max_length=255)
    before = models.CharField(_("before"), max_length=255, blank=True)
    after = models.CharField(_("after"), max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson change")
        verbose_name_plural = _("lesson changes")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.lesson}: {self.get_kind_display()}"


class Substitution(models.Model):
    """An entry of the substitution log (журнал замещения, §4.4)."""

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="substitution", verbose_name=_("lesson")
    )
    absent_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="substituted_absences",
        verbose_name=_("absent teacher"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="substitutions", verbose_name=_("substitute")
    )
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        ordering = ("lesson__date", "lesson__slot")

    def __str__(self) -> str:
        return f"{self.lesson}: {self.substitute}"


class ThematicPlan(models.Model):
    """A calendar-thematic plan (КТП): for one course, or shared by a parallel (§2.2).

    ``course`` set: the plan of that course. ``course`` empty: shared by every
    course of ``subject`` in ``grade`` of ``year`` that has no plan of its own.
    """

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="plans", verbose_name=_("year"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="own_plan", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("thematic plan")
        verbose_name_plural = _("thematic plans")
        ordering = ("year_id", "grade", "subject__name")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "subject", "grade"], condition=Q(course__isnull=True), name="plan_one_shared_per_grade"
            ),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="plan_grade_1_to_11"),
        ]

    def __str__(self) -> str:
        if self.course_id:
            return str(self.course)
        return f"{self.grade} · {self.subject}"

    @property
    def is_shared(self) -> bool:
        return self.course_id is None


class PlanItem(models.Model):
    plan = models.ForeignKey(ThematicPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan"))
    order = models.PositiveIntegerField(_("No."))
    topic = models.CharField(_("topic"), max_length=500)
    hours = models.PositiveSmallIntegerField(_("hours"), default=1)
    kind = models.CharField(_("kind"), max_length=16, choices=LessonKind.choices, default=LessonKind.ORDINARY)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ("plan_id", "order")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_item_unique_order"),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=100), name="plan_item_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.topic}"
