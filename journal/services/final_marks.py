"""Final marks (period, year, exam, final) and the locking of study periods.

The teacher of the course sets a final mark; the mark suggested from the
weighted average is stored beside it, and a mark that differs from the
suggestion needs a short reason (the parent sees it). A locked period is
read-only; the deputy unlocks it with a reason (:class:`PeriodUnlock`) and
locks it again. Edits carry a version: a save based on a stale version is
refused with the value now stored and its author, never overwritten.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal import rules
from journal.models import (
    Course,
    FinalMark,
    PeriodUnlock,
    Student,
    StudyPeriod,
)
from journal.models.marks import NUMERIC_MARKS, FinalMarkKind, MarkValue
from journal.selectors.grading import marks_allowed, policy_for
from journal.selectors.periods import attends_course_in, course_year_periods, suggested_for, year_suggestion_for
from journal.services.text import clean_reason
from messaging.services.notifications import notify_final_mark

PERIOD_KINDS = frozenset({FinalMarkKind.QUARTER, FinalMarkKind.TRIMESTER, FinalMarkKind.HALF_YEAR})


def _author_name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _check_value(value: str, course: Course) -> str:
    value = (value or "").strip()
    if value not in MarkValue.values:
        raise ValidationError({"value": _("«%(value)s» is not a mark of the scale.") % {"value": value}})
    class_group = course.class_group
    policy = policy_for(class_group.year.school, timezone.localdate())
    if value in NUMERIC_MARKS:
        if not marks_allowed(policy, class_group.grade):
            raise ValidationError({"value": _("Grade %(grade)s gets no marks.") % {"grade": class_group.grade}})
        if int(value) < policy.lowest_mark:
            raise ValidationError(
                {
                    "value": _("The school's scale starts at %(lowest)s: «%(value)s» is not allowed.")
                    % {"lowest": policy.lowest_mark, "value": value}
                }
            )
    return value


def _check_period(course: Course, kind: str, period: StudyPeriod | None) -> None:
    if kind not in FinalMarkKind.values:
        raise ValidationError({"kind": _("Unknown kind of final mark: «%(kind)s».") % {"kind": kind}})
    if kind in PERIOD_KINDS and period is None:
        raise ValidationError({"period": _("Choose the period of the mark.")})
    if period is not None:
        if period.year_id != course.class_group.year_id:
            raise ValidationError({"period": _("The period %(period)s is of another year.") % {"period": period}})
        if period.kind != kind:
            raise ValidationError(
                {"period": _("The period %(period)s does not match the kind of the mark.") % {"period": period}}
            )


def _check_enrolled(course: Course, student: Student, period: StudyPeriod | None) -> None:
    if not attends_course_in(course, student, period):
        raise ValidationError(
            {"student": _("%(student)s does not study in %(course)s.") % {"student": student, "course": course}}
        )


def _suggested(course: Course, student: Student, kind: str, period: StudyPeriod | None) -> str:
    """From the weighted average for a period; for the year, from the mean of the period marks; the
    final mark from the year and exam marks; an exam mark has none (it is what the exam gave)."""
    if period is not None and kind in PERIOD_KINDS:
        return suggested_for(course, student, period)
    if kind in (FinalMarkKind.YEAR, FinalMarkKind.FINAL):
        return year_suggestion_for(course, student, kind)
    return ""


def _refuse_year_locked(course: Course, kind: str) -> None:
    """Year marks are read-only once the year's last period is locked (they are set with its marks);
    exam and final marks come after it (the exam results arrive in June) and close with the year."""
    year = course.class_group.year
    if year.is_archived:
        raise ValidationError(
            _("The year %(year)s is archived: its final marks are read-only.") % {"year": year}, code="locked"
        )
    if kind != FinalMarkKind.YEAR:
        return
    last = StudyPeriod.objects.select_for_update().filter(pk__in=[p.pk for p in course_year_periods(course)[-1:]])
    locked = next((p for p in last if p.is_locked), None)
    if locked is not None:
        raise ValidationError(
            _("The last period %(period)s is locked: the year marks are read-only. The deputy director can unlock it.")
            % {"period": locked},
            code="locked",
        )


def _conflict(stored: FinalMark) -> ValidationError:
    return ValidationError(
        _("The final mark was changed meanwhile: it is now «%(value)s», set by %(author)s. Check it and save again.")
        % {"value": stored.value, "author": _author_name(stored.author)},
        code="stale",
    )


@transaction.atomic
def final_mark_set(
    *,
    actor: User,
    course: Course,
    student: Student,
    kind: str,
    period: StudyPeriod | None = None,
    value: str,
    reason: str = "",
    expected_version: int | None = None,
) -> FinalMark:
    """Set (create or change) a student's final mark in a course.

    ``expected_version`` is the version the teacher saw (``None``: they saw no mark).
    """
    school = course.class_group.year.school
    if not rules.teaches_course(actor, school, course.pk):
        raise PermissionDenied(_("Only the teacher of the course sets its final marks."))
    _check_period(course, kind, period)
    if period is not None:
        period = StudyPeriod.objects.select_for_update().get(pk=period.pk)
        if period.is_locked:
            raise ValidationError(
                _("The period %(period)s is locked: final marks are read-only.") % {"period": period}, code="locked"
            )
    else:
        _refuse_year_locked(course, kind)
    value = _check_value(value, course)
    _check_enrolled(course, student, period)
    suggested = _suggested(course, student, kind, period)
    differs = bool(suggested) and value != suggested
    reason = clean_reason(
        reason,
        missing=_("The mark «%(value)s» differs from the suggested «%(suggested)s»: give a short reason.")
        % {"value": value, "suggested": suggested}
        if differs
        else None,
    )

    stored = (
        FinalMark.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(course=course, student=student, kind=kind, period=period)
        .order_by()
        .first()
    )
    if stored is None:
        if expected_version is not None:
            raise ValidationError(_("The final mark was removed meanwhile. Check it and save again."), code="stale")
        mark = FinalMark(
            course=course,
            student=student,
            kind=kind,
            period=period,
            value=value,
            suggested=suggested,
            reason=reason,
            author=actor,
        )
        mark._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                mark.save()
        except IntegrityError:
            # Someone else created it between our read and our insert.
            stored = FinalMark.objects.select_related("author").get(
                course=course, student=student, kind=kind, period=period
            )
            raise _conflict(stored) from None
        notify_final_mark(final_mark=mark)
        return mark

    if expected_version is None or stored.version != expected_version:
        raise _conflict(stored)
    if (stored.value, stored.suggested, stored.reason) == (value, suggested, reason):
        return stored
    stored.value = value
    stored.suggested = suggested
    stored.reason = reason
    stored.author = actor
    stored.version += 1
    stored._history_user = actor  # type: ignore[attr-defined]
    stored.save(update_fields=["value", "suggested", "reason", "author", "version", "updated_at"])
    notify_final_mark(final_mark=stored)
    return stored


# --- Locking periods -------------------------------------------------------------


def _require_locker(actor: User, period: StudyPeriod) -> None:
    if not rules.edits_periods(actor):
        raise PermissionDenied(_("Only the deputy director or the administrator locks and unlocks periods."))
    if not rules.is_member(actor, period.year.school):
        raise PermissionDenied(_("The period belongs to another school."))


def _locked_row(period: StudyPeriod) -> StudyPeriod:
    return StudyPeriod.objects.select_for_update().select_related("year").get(pk=period.pk)


@transaction.atomic
def period_lock(*, actor: User, period: StudyPeriod) -> StudyPeriod:
    """Make the period read-only (the deputy may lock it at any time, usually after its deadline)."""
    _require_locker(actor, period)
    period = _locked_row(period)
    if period.is_locked:
        raise ValidationError(_("The period %(period)s is already locked.") % {"period": period})
    period.is_locked = True
    period.save(update_fields=["is_locked"])
    return period


@transaction.atomic
def period_unlock(*, actor: User, period: StudyPeriod, reason: str) -> PeriodUnlock:
    """Reopen a locked period; the reason is recorded for the audit."""
    _require_locker(actor, period)
    reason = clean_reason(reason, missing=_("Give the reason for unlocking the period."))
    period = _locked_row(period)
    if not period.is_locked:
        raise ValidationError(_("The period %(period)s is not locked.") % {"period": period})
    period.is_locked = False
    period.save(update_fields=["is_locked"])
    return PeriodUnlock.objects.create(period=period, reason=reason, unlocked_by=actor)


@transaction.atomic
def period_relock(*, actor: User, period: StudyPeriod) -> StudyPeriod:
    """Lock a reopened period again; the open unlock records when."""
    _require_locker(actor, period)
    period = _locked_row(period)
    if period.is_locked:
        raise ValidationError(_("The period %(period)s is already locked.") % {"period": period})
    period.is_locked = True
    period.save(update_fields=["is_locked"])
    PeriodUnlock.objects.filter(period=period, relocked_at__isnull=True).update(relocked_at=timezone.now())
    return period
