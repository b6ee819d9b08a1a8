"""People of a school: students, their enrolments, parents, staff membership."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_CHOICES
from journal.models.structure import ClassGroup, School


class SchoolMembership(models.Model):
    """A user belongs to a school: staff, parents and students alike. The roles the person holds in this
    school are its :class:`MembershipRole` rows: an administrator of one school who teaches in another is a
    teacher there, nothing more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("school"))

    class Meta:
        verbose_name = _("school membership")
        verbose_name_plural = _("school memberships")
        constraints = [models.UniqueConstraint(fields=["user", "school"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school}"


class MembershipRole(models.Model):
    """A role held in the membership's school (§3.2: the administrator gives it there)."""

    membership = models.ForeignKey(
        SchoolMembership, on_delete=models.CASCADE, related_name="roles", verbose_name=_("school membership")
    )
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)

    class Meta:
        verbose_name = _("role in the school")
        verbose_name_plural = _("roles in the school")
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="membership_role_unique")]

    def __str__(self) -> str:
        return f"{self.membership}: {self.role}"


class Student(models.Model):
    """A student as a person; a login (``user``) is optional."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students", verbose_name=_("school"))
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student_profile",
        verbose_name=_("login"),
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ("last_name", "first_name", "middle_name")
        indexes = [models.Index(fields=["school", "last_name", "first_name"])]
        permissions = [("view_student_diary", _("Can read the student's diary"))]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


class EnrolmentReason(models.TextChoices):
    START_OF_YEAR = "start", _("start of the year")
    ARRIVAL = "arrival", _("arrival from another school")
    TRANSFER = "transfer", _("transfer between classes")
    DEPARTURE = "departure", _("departure to another school")
    PROMOTION = "promotion", _("promotion to the next grade")
    GRADUATION = "graduation", _("graduation")
    OTHER = "other", _("other")


class MovementKind(models.TextChoices):
    ARRIVAL = "arrival", _("arrival from another school")
    TRANSFER = "transfer", _("transfer to another class")
    DEPARTURE = "departure", _("departure to another school")


class MovementStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused")


class Movement(models.Model):
    """A student's arrival, transfer or departure (§4.3): requested by the class teacher, confirmed by the
    administrator with the director's order; the enrolments change on confirmation."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="movements", verbose_name=_("student"))
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on = models.DateField(_("from the day"))
    from_class = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from class")
    )
    to_class = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to class")
    )
    other_school = models.CharField(_("school from or to"), max_length=255, blank=True)
    order_number = models.CharField(_("order number"), max_length=32, blank=True)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MovementStatus.choices, default=MovementStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal = models.CharField(_("reason of refusal"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("movement of a student")
        verbose_name_plural = _("movement of students")
        ordering = ("-requested_at",)
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_kind_display()} {self.on:%d.%m.%Y}"

    @property
    def order(self) -> str:
        """«Приказ № 41 от 27.11.2026» as the enrolment's note keeps it."""
        if not self.order_number:
            return ""
        day = f" {_('of')} {self.order_date:%d.%m.%Y}" if self.order_date else ""
        return f"{_('Order')} № {self.order_number}{day}"


class Enrolment(models.Model):
    """A student in a class from one date to another: the «движение учащихся»."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student"))
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class")
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"), null=True, blank=True)
    reason_in = models.CharField(
        _("reason of arrival"), max_length=16, choices=EnrolmentReason.choices, default=EnrolmentReason.START_OF_YEAR
    )
    reason_out = models.CharField(_("reason of leaving"), max_length=16, choices=EnrolmentReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True, help_text=_("Order number, school moved to…"))

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ("student_id", "date_from")
        indexes = [models.Index(fields=["class_group", "date_from", "date_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")),
                name="enrolment_end_not_before_start",
            ),
            # Overlaps of closed enrolments are checked in Python (clean); the
            # database guarantees at most one open enrolment per student.
            models.UniqueConstraint(fields=["student"], condition=Q(date_to__isnull=True), name="enrolment_one_open"),
        ]

    def __str__(self) -> str:
        end = self.date_to.strftime("%d.%m.%Y") if self.date_to else "…"
        return f"{self.student} — {self.class_group} ({self.date_from:%d.%m.%Y} – {end})"

    def clean(self) -> None:
        if not (self.student_id and self.date_from):
            return
        overlapping = Enrolment.objects.filter(student_id=self.student_id).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(date_to__isnull=True) | Q(date_to__gte=self.date_from))
        if self.date_to:
            overlapping = overlapping.filter(date_from__lte=self.date_to)
        other = overlapping.select_related("class_group").first()
        if other is not None:
            raise ValidationError(
                _("%(student)s is already enrolled in %(cls)s on these dates (%(period)s).")
                % {
                    "student": self.student,
                    "cls": other.class_group,
                    "period": f"{other.date_from:%d.%m.%Y} – "
                    + (other.date_to.strftime("%d.%m.%Y") if other.date_to else "…"),
                }
            )


class ParentRelation(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    GUARDIAN = "guardian", _("legal guardian")


class ParentLink(models.Model):
    """A parent (legal representative) of a student, with the consents the regulation asks for."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links", verbose_name=_("parent")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="parent_links", verbose_name=_("student")
    )
    relation = models.CharField(_("relation"), max_length=16, choices=ParentRelation.choices, blank=True)
    # §1.9: the diary is provided with consent to personal-data processing.
    consent_given_at = models.DateTimeField(_("consent to personal data processing given"), null=True, blank=True)
    # §1.10, §8.3: the weekly paper printout of the diary.
    wants_paper_printout = models.BooleanField(_("wants the weekly paper printout"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        ordering = ("student_id", "parent_id")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "student"], condition=Q(ended_at__isnull=True), name="parent_link_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.student}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class ConsentForm(models.TextChoices):
    PAPER = "paper", _("signed on paper")
    ELECTRONIC = "electronic", _("electronically")


class ConsentRecord(models.Model):
    """The register of consents to personal-data processing (§1.9), a row per change of a parent link's
    consent: given (on a day, in a form) or withdrawn, and who recorded it. The link's ``consent_given_at``
    is the current state; these rows are its history."""

    link = models.ForeignKey(
        ParentLink, on_delete=models.CASCADE, related_name="consents", verbose_name=_("parent link")
    )
    given = models.BooleanField(_("given"))
    on = models.DateField(_("on"))
    form = models.CharField(_("form"), max_length=16, choices=ConsentForm.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ("link_id", "-recorded_at", "-pk")

    def __str__(self) -> str:
        return f"{self.link} {'+' if self.given else '-'} {self.on:%d.%m.%Y}"


class ContactChange(models.Model):
    """A change of a parent's contact data by the class teacher or the administrator (§3.7, §4.3): who, when,
    what was there and what is now."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_changes", verbose_name=_("person")
    )
    field = models.CharField(_("field"), max_length=16)
    old = models.CharField(_("old value"), max_length=255, blank=True)
    new = models.CharField(_("new value"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact change")
        verbose_name_plural = _("contact changes")
        ordering = ("-changed_at", "-pk")

    def __str__(self) -> str:
        return f"{self.person} {self.field}: {self.old} → {self.new}"


class ContactCheck(models.Model):
    """The class teacher's monthly «проверено» of the class's contact data (§5.6)."""

    class_group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="contact_checks")
    month = models.DateField(_("month"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact data check")
        verbose_name_plural = _("contact data checks")
        constraints = [models.UniqueConstraint(fields=["class_group", "month"], name="contact_check_once_a_month")]

    def __str__(self) -> str:
        return f"{self.class_group} {self.month:%m.%Y}"


class ContactRequest(models.Model):
    """A parent asks for their contact data to be corrected (§5.3.1); the class teacher does it and closes it."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests", verbose_name=_("parent")
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("student"))
    text = models.CharField(_("what to correct"), max_length=500)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("done at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact correction request")
        verbose_name_plural = _("contact correction requests")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.parent}: {self.text[:40]}"
