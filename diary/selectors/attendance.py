"""A student's attendance in a period: lessons missed by reason and late arrivals, per subject and in total."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from journal.models import (
    Attendance,
    AttendanceReason,
    AttendanceStatus,
    GradingPolicy,
    LessonStatus,
    Student,
    StudyPeriod,
)
from journal.selectors.grading import attendance_letter, policy_for

REASONS = (AttendanceReason.ILLNESS, AttendanceReason.EXCUSED, AttendanceReason.UNEXCUSED, AttendanceReason.UNKNOWN)


@dataclass
class AttendanceLine:
    subject: str
    by_reason: dict[str, int] = field(default_factory=lambda: {r.value: 0 for r in REASONS})
    late: int = 0

    @property
    def missed(self) -> int:
        return sum(self.by_reason.values())

    @property
    def counts(self) -> list[int]:
        """Missed lessons in the order of ``REASONS``."""
        return [self.by_reason[r.value] for r in REASONS]


@dataclass
class AttendanceSummary:
    period: StudyPeriod
    policy: GradingPolicy
    lines: list[AttendanceLine]
    total: AttendanceLine

    @property
    def headers(self) -> list[tuple[str, str]]:
        """(letter, label) of each reason column."""
        return [(attendance_letter(self.policy, AttendanceStatus.ABSENT, r.value), str(r.label)) for r in REASONS]

    @property
    def late_letter(self) -> str:
        return self.policy.letter_late


def attendance_summary(student: Student, period: StudyPeriod) -> AttendanceSummary:
    """Two queries: the grouped counts, and the policy for the letters."""
    rows = (
        Attendance.objects.filter(student=student, lesson__date__gte=period.start, lesson__date__lte=period.end)
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .values("lesson__course__subject__name", "status", "reason")
        .annotate(n=Count("pk"))
        .order_by("lesson__course__subject__name")
    )
    lines: dict[str, AttendanceLine] = {}
    total = AttendanceLine(subject="")
    for row in rows:
        name = row["lesson__course__subject__name"]
        line = lines.setdefault(name, AttendanceLine(subject=name))
        if row["status"] == AttendanceStatus.LATE:
            line.late += row["n"]
            total.late += row["n"]
        else:
            reason = row["reason"] if row["reason"] in line.by_reason else AttendanceReason.UNKNOWN.value
            line.by_reason[reason] += row["n"]
            total.by_reason[reason] += row["n"]
    return AttendanceSummary(
        period=period, policy=policy_for(student.school, period.start), lines=list(lines.values()), total=total
    )
