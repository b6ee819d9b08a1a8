"""The school's structure: years, periods, classes, subjects, curriculum, courses."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=64)
    address = models.CharField(_("address"), max_length=255, blank=True)
    director_name = models.CharField(_("director"), max_length=255, blank=True)
    week_days = models.PositiveSmallIntegerField(
        _("days in the school week"), choices=[(5, _("5 days")), (6, _("6 days"))], default=5
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(condition=Q(week_days__in=[5, 6]), name="school_week_days_5_or_6"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=32, help_text=_("For example 2026/2027"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    is_current = models.BooleanField(_("current"), default=False)
    is_archived = models.BooleanField(_("archived (read-only)"), default=False)

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ("school_id", "-start")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="year_end_after_start"),
            models.UniqueConstraint(fields=["school", "name"], name="year_unique_name"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_current=True), name="year_one_current_per_school"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("quarter")
    TRIMESTER = "trimester", _("trimester")
    HALF_YEAR = "half_year", _("half-year")
    YEAR = "year", _("year")


class StudyPeriod(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="periods", verbose_name=_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    final_marks_deadline = models.DateField(_("final marks deadline"), null=True, blank=True)
    is_locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        verbose_name = _("study period")
        verbose_name_plural = _("study periods")
        ordering = ("year_id", "kind", "number")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_not_before_start"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="period_number_1_to_4"),
            models.UniqueConstraint(fields=["year", "kind", "number"], name="period_unique_number"),
        ]

    def __str__(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(_("year"))
        return f"{self.number} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.year_id and self.start and self.end:
            year = self.year
            if self.start < year.start or self.end > year.end:
                raise ValidationError(
                    _("The period %(start)s – %(end)s lies outside the academic year %(year)s (%(ys)s – %(ye)s).")
                    % {
                        "start": self.start.strftime("%d.%m.%Y"),
                        "end": self.end.strftime("%d.%m.%Y"),
                        "year": year.name,
                        "ys": year.start.strftime("%d.%m.%Y"),
                        "ye": year.end.strftime("%d.%m.%Y"),
                    }
                )
            overlapping = StudyPeriod.objects.filter(
                year_id=self.year_id, kind=self.kind, start__lte=self.end, end__gte=self.start
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("The period overlaps another period of the same kind: %(other)s.")
                    % {"other": overlapping.first()}
                )


class GradePeriodScheme(models.Model):
    """Which kind of period a grade level is assessed by (quarters for 1–9, half-years for 10–11)."""

    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="period_schemes", verbose_name=_("year")
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    kind = models.CharField(_("period kind"), max_length=16, choices=PeriodKind.choices)

    class Meta:
        verbose_name = _("period scheme of a grade")
        verbose_name_plural = _("period schemes of grades")
        ordering = ("year_id", "grade")
        constraints = [
            models.UniqueConstraint(fields=["year", "grade"], name="scheme_unique_grade"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="scheme_grade_1_to_11"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.get_kind_display()}"


class Holiday(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=128)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ("year_id", "start")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="holiday_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("school"))
    name = models.CharField(_("room"), max_length=32)
    capacity = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ("school_id", "name")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


class ClassGroup(models.Model):
    """A class such as «5А» in one academic year."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="classes", verbose_name=_("year"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    letter = models.CharField(_("letter"), max_length=4)
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
        verbose_name=_("class teacher"),
    )
    home_room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("home room")
    )
    bell_schedule = models.ForeignKey(
        "journal.BellSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
        verbose_name=_("bells (shift)"),
        help_text=_("Empty: the school's first-shift bells."),
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ("year_id", "grade", "letter")
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_unique_name_per_year"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade_1_to_11"),
        ]
        permissions = [("lead_classgroup", _("Can act as the class teacher"))]

    def __str__(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def name(self) -> str:
        return str(self)


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    is_foreign_language = models.BooleanField(
        _("foreign language"), default=False, help_text=_("Records of its lessons may be kept in that language.")
    )

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ("school_id", "name")
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")]

    def __str__(self) -> str:
        return self.name


class Assessment(models.TextChoices):
    MARKS = "marks", _("marks 1–5")
    PASS_FAIL = "pass_fail", _("pass / fail")
    NONE = "none", _("not assessed")


class CurriculumItem(models.Model):
    """One line of the curriculum (учебный план): a subject's weekly hours in a grade."""

    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="curriculum", verbose_name=_("year"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject"))
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)
    assessment = models.CharField(_("assessment"), max_length=16, choices=Assessment.choices, default=Assessment.MARKS)

    class Meta:
        verbose_name = _("curriculum item")
        verbose_name_plural = _("curriculum")
        ordering = ("year_id", "grade", "subject__name")
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "subject"], name="curriculum_unique_subject"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="curriculum_grade_1_to_11"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=40), name="curriculum_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.subject} ({self.hours_per_week})"


class Subgroup(models.Model):
    """A split of a class for one subject (§4.1), e.g. the two English groups of 5А."""

    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="subgroups", verbose_name=_("class")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject"))
    name = models.CharField(_("name"), max_length=64)
    members = models.ManyToManyField(
        "journal.Student",
        through="journal.SubgroupMembership",
        related_name="subgroups",
        blank=True,
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("subgroup")
        verbose_name_plural = _("subgroups")
        ordering = ("class_group_id", "subject__name", "name")
        constraints = [
            models.UniqueConstraint(fields=["class_group", "subject", "name"], name="subgroup_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.class_group} {self.subject}: {self.name}"


class SubgroupMembership(models.Model):
    """A student in a subgroup from ``date_from`` to ``date_to`` (inclusive; empty: from the class's first
    day, to its last). Dated like the enrolment, so a move to the other group or a transfer keeps history."""

    subgroup = models.ForeignKey(Subgroup, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey("journal.Student", on_delete=models.CASCADE, related_name="subgroup_memberships")
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        db_table = "journal_subgroup_members"
        verbose_name = _("subgroup membership")
        verbose_name_plural = _("subgroup memberships")
        indexes = [models.Index(fields=["student", "subgroup"], name="subgroup_member_student")]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_from__isnull=True) | Q(date_to__gte=F("date_from")),
                name="subgroup_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.subgroup}"


class Course(models.Model):
    """One page of the journal: a class (or a subgroup of it) studying a subject."""

    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="courses", verbose_name=_("class")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="courses", verbose_name=_("subject"))
    subgroup = models.ForeignKey(
        Subgroup, on_delete=models.CASCADE, null=True, blank=True, related_name="courses", verbose_name=_("subgroup")
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ("class_group_id", "subject__name", "subgroup__name")
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject"],
                condition=Q(subgroup__isnull=True),
                name="course_unique_whole_class",
            ),
            models.UniqueConstraint(fields=["class_group", "subject", "subgroup"], name="course_unique_subgroup"),
        ]

    def __str__(self) -> str:
        label = f"{self.class_group} · {self.subject}"
        return f"{label} ({self.subgroup.name})" if self.subgroup is not None else label

    def clean(self) -> None:
        subgroup = self.subgroup
        if subgroup is not None and (
            subgroup.class_group_id != self.class_group_id or subgroup.subject_id != self.subject_id
        ):
            raise ValidationError(_("The subgroup belongs to another class or subject."))


class TeachingAssignment(models.Model):
    """A teacher teaches a course from one date to another (open end: still teaching)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("course"))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("teacher")
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("From this day on the teacher no longer has the course.")
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ("course_id", "date_from")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")),
                name="assignment_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.teacher}"

    @property
    def is_open(self) -> bool:
        return self.date_to is None
