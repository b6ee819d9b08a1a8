"""Thin Celery tasks of the monitoring."""

from __future__ import annotations

from celery import shared_task

from journal.models import AcademicYear
from monitoring.services import final_marks_reminders


@shared_task(name="monitoring.remind_final_marks", max_retries=0, acks_late=True)
def remind_final_marks() -> int:
    """Daily (beat): each school's teachers reminded of the period marks due within three days."""
    return sum(
        final_marks_reminders(school=year.school, year=year)
        for year in AcademicYear.objects.filter(is_current=True).select_related("school")
    )
