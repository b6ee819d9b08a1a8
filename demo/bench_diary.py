"""The diary pages ``manage.py bench_pages`` times: the demo parent's 5А child's week and busiest subject."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from diary.selectors.children import diary_students_for
from diary.selectors.common import choose_period, student_courses, student_enrolments
from journal.models import Mark, SchoolMembership


def diary_pages() -> list[tuple[str, str, str]]:
    """(login, label, path) of the diary week and subject pages; none without the demo parent."""
    parent = User.objects.filter(username="parent").first()
    membership = SchoolMembership.objects.filter(user=parent).select_related("school").first() if parent else None
    if parent is None or membership is None:
        return []
    students = list(diary_students_for(parent, membership.school))
    child = next((s for s in students if s.enrolments.filter(class_group__grade=5).exists()), None)
    if child is None:
        return []
    today = timezone.localdate()
    pages = [("parent", "diary week", f"/diary/students/{child.pk}/?week={today.isoformat()}")]
    enrolments = student_enrolments(child)
    choice = choose_period(enrolments, today, None)
    if choice is None or choice.period is None:
        return pages
    period = choice.period
    busiest = (
        Mark.objects.filter(
            student=child,
            lesson__course__in=student_courses(child, enrolments),
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .values("lesson__course_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest:
        course_id = busiest["lesson__course_id"]
        pages.append(
            ("parent", "diary subject", f"/diary/students/{child.pk}/subjects/{course_id}/?period={period.pk}")
        )
    pages.append(("parent", "diary subjects of a period", f"/diary/students/{child.pk}/subjects/?period={period.pk}"))
    return pages
