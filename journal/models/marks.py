"""Marks, attendance, homework, final marks and the school's grading policy.

Every change of a mark, attendance, homework or final mark (and of a lesson's
topic) keeps its history through django-simple-history: who, when, from which
IP, the old and the new row (``history`` on each model, written in the same
transaction as the change).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from journal.models.history import HistoryIP
from journal.models.people import Student
from journal.models.planning import Lesson, LessonKind
from journal.models.structure import Course, School, StudyPeriod


class GradingPolicy(models.Model):
    """The school's assessment rules (273-ФЗ art. 28), in force from a date.

    A new version applies from its ``valid_from`` on and never rewrites the
    periods before it: the policy of a date is the latest version not after it.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="policies", verbose_name=_("school"))
    valid_from = models.DateField(_("in force from"))
    lowest_mark = models.PositiveSmallIntegerField(
        _("lowest mark"), choices=[(1, "1"), (2, "2")], default=2, help_text=_("Scale 2–5, or 1–5.")
    )
    marks_from_grade = models.PositiveSmallIntegerField(
        _("marks are given from grade"), default=2, help_text=_("Grade 1 keeps attendance and topics only.")
    )
    threshold_5 = models.DecimalField(
        _("average for a 5 from"), max_digits=3, decimal_places=2, default=Decimal("4.60")
    )
    threshold_4 = models.DecimalField(
        _("average for a 4 from"), max_digits=3, decimal_places=2, default=Decimal("3.60")
    )
    threshold_3 = models.DecimalField(
        _("average for a 3 from"), max_digits=3, decimal_places=2, default=Decimal("2.60")
    )
    min_marks_1h = models.PositiveSmallIntegerField(_("minimum marks a period at 1 hour a week"), default=3)
    min_marks_2h = models.PositiveSmallIntegerField(_("minimum marks a period at 2 hours a week"), default=5)
    min_marks_3h = models.PositiveSmallIntegerField(_("minimum marks a period at 3+ hours a week"), default=7)
    late_days_primary = models.PositiveSmallIntegerField(_("days to enter marks, grades 1–4"), default=3)
    late_days_senior = models.PositiveSmallIntegerField(_("days to enter marks, grades 5–11"), default=7)
    late_days_test = models.PositiveSmallIntegerField(_("days to enter the results of a test"), default=1)
    letter_absent = models.CharField(_("letter: absent, reason unknown"), max_length=3, default="Н")
    letter_illness = models.CharField(_("letter: illness"), max_length=3, default="Б")
    letter_excused = models.CharField(_("letter: excused"), max_length=3, default="УП")
    letter_unexcused = models.CharField(_("letter: unexcused"), max_length=3, default="НП")
    letter_late = models.CharField(_("letter: late"), max_length=3, default="ОП")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("grading policy")
        verbose_name_plural = _("grading policies")
        ordering = ("school_id", "-valid_from")
        constraints = [
            models.UniqueConstraint(fields=["school", "valid_from"], name="policy_one_version_a_day"),
            models.CheckConstraint(condition=Q(lowest_mark__in=[1, 2]), name="policy_lowest_mark_1_or_2"),
            models.CheckConstraint(
                condition=Q(marks_from_grade__gte=1, marks_from_grade__lte=11), name="policy_marks_from_grade"
            ),
            models.CheckConstraint(
                condition=Q(threshold_5__gt=models.F("threshold_4"), threshold_4__gt=models.F("threshold_3")),
                name="policy_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.valid_from:%d.%m.%Y}"


class WorkType(models.Model):
    """A kind of work a mark is given for, with its weight in the average."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="work_types", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=64)
    weight = models.DecimalField(_("weight"), max_digits=3, decimal_places=1, default=Decimal("1"))
    lesson_kind = models.CharField(
        _("default for lessons of kind"), max_length=16, choices=LessonKind.choices, blank=True
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("work type")
        verbose_name_plural = _("work types")
        ordering = ("school_id", "name")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="work_type_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=10), name="work_type_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight.normalize()})"


class MarkValue(models.TextChoices):
    FIVE = "5", "5"
    FOUR = "4", "4"
    THREE = "3", "3"
    TWO = "2", "2"
    ONE = "1", "1"
    PASS = "зч", _("pass (зачёт)")
    FAIL = "нз", _("fail (незачёт)")
    NOT_ATTESTED = "на", _("not attested (н/а)")
    EXEMPT = "осв", _("exempt (осв.)")


NUMERIC_MARKS = frozenset({"1", "2", "3", "4", "5"})
# How a mark is printed in a table cell (the diary, the printouts, the reports): short, as on paper.
SHORT_LABELS = {"зч": "зач.", "нз": "незач.", "на": "н/а", "осв": "осв."}


def short_label(value: str) -> str:
    return SHORT_LABELS.get(value, value)


class Mark(models.Model):
    """One mark in a journal cell; a cell holds up to two (``position`` 1 and 2)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="marks", verbose_name=_("lesson"))
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="marks", verbose_name=_("student"))
    position = models.PositiveSmallIntegerField(_("position in the cell"), default=1)
    value = models.CharField(_("mark"), max_length=4, choices=MarkValue.choices)
    work_type = models.ForeignKey(
        WorkType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("work type")
    )
    weight = models.DecimalField(_("weight"), max_digits=3, decimal_places=1, default=Decimal("1"))
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    is_late = models.BooleanField(_("entered late"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(bases=[HistoryIP])

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ("lesson_id", "student_id", "position")
        indexes = [models.Index(fields=["student", "lesson"])]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student", "position"], name="mark_one_per_cell_position"),
            models.CheckConstraint(condition=Q(position__in=[1, 2]), name="mark_position_1_or_2"),
            models.CheckConstraint(condition=Q(value__in=[v.value for v in MarkValue]), name="mark_value_on_scale"),
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=10), name="mark_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.value} ({self.lesson})"

    @property
    def is_numeric(self) -> bool:
        return self.value in NUMERIC_MARKS


class AttendanceStatus(models.TextChoices):
    ABSENT = "absent", _("absent")
    LATE = "late", _("late")


class AttendanceReason(models.TextChoices):
    UNKNOWN = "unknown", _("reason unknown")
    ILLNESS = "illness", _("illness")
    EXCUSED = "excused", _("excused")
    UNEXCUSED = "unexcused", _("unexcused")


class Attendance(models.Model):
    """A student missed a lesson or came late; present students have no row."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("lesson"))
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("student"))
    status = models.CharField(_("status"), max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField(
        _("reason"), max_length=16, choices=AttendanceReason.choices, default=AttendanceReason.UNKNOWN
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(bases=[HistoryIP])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ("lesson_id", "student_id")
        indexes = [models.Index(fields=["student", "lesson"])]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="attendance_one_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_status_display()} ({self.lesson})"


def homework_upload_to(instance: HomeworkFile, filename: str) -> str:
    """Random names outside the web root: the original name is kept in the row only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"homework/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Homework(models.Model):
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="homework", verbose_name=_("lesson"))
    text = models.TextField(_("homework"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(bases=[HistoryIP])

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")

    def __str__(self) -> str:
        return f"{self.lesson}: {self.text[:40]}"


class HomeworkFile(models.Model):
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="files", verbose_name=_("homework"))
    file = models.FileField(_("file"), upload_to=homework_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("homework file")
        verbose_name_plural = _("homework files")

    def __str__(self) -> str:
        return self.original_name


class FinalMarkKind(models.TextChoices):
    QUARTER = "quarter", _("quarter")
    TRIMESTER = "trimester", _("trimester")
    HALF_YEAR = "half_year", _("half-year")
    YEAR = "year", _("year")
    EXAM = "exam", _("exam")
    FINAL = "final", _("final")


class FinalMark(models.Model):
    """A period's (or the year's, exam's, final) mark of a student in a course."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="final_marks", verbose_name=_("course"))
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="final_marks", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FinalMarkKind.choices)
    period = models.ForeignKey(
        StudyPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("period")
    )
    value = models.CharField(_("mark"), max_length=4, choices=MarkValue.choices)
    suggested = models.CharField(_("suggested from the average"), max_length=4, blank=True)
    reason = models.CharField(
        _("reason"), max_length=255, blank=True, help_text=_("Required when the mark differs from the suggested one.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(bases=[HistoryIP])

    class Meta:
        verbose_name = _("final mark")
        verbose_name_plural = _("final marks")
        ordering = ("course_id", "student_id", "kind")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student", "kind", "period"], name="final_mark_unique_with_period"
            ),
            models.UniqueConstraint(
                fields=["course", "student", "kind"],
                condition=Q(period__isnull=True),
                name="final_mark_unique_without_period",
            ),
            models.CheckConstraint(
                condition=Q(value__in=[v.value for v in MarkValue]), name="final_mark_value_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.value} ({self.course}, {self.get_kind_display()})"


class PeriodUnlock(models.Model):
    """A deputy reopened a locked period, with the reason (recorded for the audit)."""

    period = models.ForeignKey(StudyPeriod, on_delete=models.CASCADE, related_name="unlocks", verbose_name=_("period"))
    reason = models.CharField(_("reason"), max_length=255)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("unlocked by")
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), auto_now_add=True)
    relocked_at = models.DateTimeField(_("locked again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("period unlock")
        verbose_name_plural = _("period unlocks")
        ordering = ("-unlocked_at",)

    def __str__(self) -> str:
        return f"{self.period}: {self.reason}"
