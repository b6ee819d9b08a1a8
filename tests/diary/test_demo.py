"""The demo school's diary data: events through the year and acknowledgements of past weeks; idempotent."""

from __future__ import annotations

import datetime

from demo.diary import build_demo_diary
from diary.models import Event, WeekAcknowledgement
from tests.conftest import World


def test_demo_diary_adds_events_and_acknowledgements_once(world: World) -> None:
    today = datetime.date(2026, 12, 1)
    args = {"school": world.school, "year": world.year, "today": today, "deputy": world.users["deputy"]}

    events, acks = build_demo_diary(**args, step=lambda _name: None)
    again = build_demo_diary(**args, step=lambda _name: None)

    assert again == (0, 0)
    assert events == Event.objects.filter(school=world.school).count() >= 12
    assert Event.objects.filter(class_group=world.class_5a).count() == 3
    assert Event.objects.filter(title__contains="родительское собрание").exists()
    # The demo parent read every past week of the year but the last one (Monday 23 November).
    weeks = set(
        WeekAcknowledgement.objects.filter(parent=world.users["parent"], student=world.child).values_list(
            "week_start", flat=True
        )
    )
    assert min(weeks) == datetime.date(2026, 8, 31) and max(weeks) == datetime.date(2026, 11, 16)
    assert datetime.date(2026, 11, 23) not in weeks
    assert acks == WeekAcknowledgement.objects.count()
