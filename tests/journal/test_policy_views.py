"""Study periods (lock/unlock) and the grading-policy settings pages (issue 4)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from tests.factories import YEAR_START


@pytest.fixture
def q1(world) -> m.StudyPeriod:
    return m.StudyPeriod.objects.create(
        year=world.year,
        kind="quarter",
        number=1,
        start=YEAR_START,
        end=datetime.date(2026, 10, 25),
        final_marks_deadline=datetime.date(2026, 10, 28),
    )


def test_the_deputy_locks_a_period_and_the_list_shows_it(world, q1, client_for):
    client = client_for("deputy")

    response = client.post(reverse("journal:period_lock", args=[q1.pk]))

    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.is_locked
    assert "28.10.2026" in client.get(reverse("journal:period_list")).content.decode()


def test_unlocking_needs_a_reason_and_is_logged(world, q1, client_for):
    q1.is_locked = True
    q1.save()
    client = client_for("deputy")

    refused = client.post(reverse("journal:period_unlock", args=[q1.pk]), {"reason": "  "}, follow=True)
    q1.refresh_from_db()
    assert q1.is_locked
    assert not m.PeriodUnlock.objects.exists()
    assert refused.status_code == 200

    client.post(reverse("journal:period_unlock", args=[q1.pk]), {"reason": "Исправление ошибки"})
    q1.refresh_from_db()
    assert not q1.is_locked
    page = client.get(reverse("journal:period_list")).content.decode()
    assert "Исправление ошибки" in page


def test_locking_again_after_an_unlock_records_the_time(world, q1, client_for):
    q1.is_locked = True
    q1.save()
    client = client_for("administrator")
    client.post(reverse("journal:period_unlock", args=[q1.pk]), {"reason": "Пересдача"})

    client.post(reverse("journal:period_lock", args=[q1.pk]))

    q1.refresh_from_db()
    assert q1.is_locked
    assert m.PeriodUnlock.objects.get().relocked_at is not None


@pytest.mark.parametrize("persona", ["teacher", "director", "parent"])
def test_others_cannot_lock_and_nothing_changes(world, q1, client_for, persona):
    response = client_for(persona).post(reverse("journal:period_lock", args=[q1.pk]))

    assert response.status_code == 403
    q1.refresh_from_db()
    assert not q1.is_locked


def _version_post(day: datetime.date) -> dict[str, object]:
    return {
        "valid_from": day.isoformat(),
        "lowest_mark": 2,
        "marks_from_grade": 2,
        "threshold_5": "4.50",
        "threshold_4": "3.50",
        "threshold_3": "2.50",
        "min_marks_1h": 3,
        "min_marks_2h": 5,
        "min_marks_3h": 7,
        "late_days_primary": 3,
        "late_days_senior": 7,
        "late_days_test": 1,
        "letter_absent": "Н",
        "letter_illness": "Б",
        "letter_excused": "УП",
        "letter_unexcused": "НП",
        "letter_late": "ОП",
    }


def test_a_policy_version_from_a_past_date_is_refused_with_the_message(world, client_for):
    past = timezone.localdate() - datetime.timedelta(days=1)

    response = client_for("deputy").post(reverse("journal:policy_version_create"), _version_post(past))

    assert response.status_code == 400
    assert past.strftime("%d.%m.%Y") in response.content.decode()
    assert not m.GradingPolicy.objects.exists()


@pytest.mark.dated
def test_a_policy_version_from_tomorrow_is_saved_and_listed_as_later(world, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client = client_for("deputy")

    response = client.post(reverse("journal:policy_version_create"), _version_post(tomorrow))

    assert response.status_code == 302
    version = m.GradingPolicy.objects.get()
    assert (version.valid_from, str(version.threshold_5)) == (tomorrow, "4.50")
    assert tomorrow.strftime("%d.%m.%Y") in client.get(reverse("journal:policy")).content.decode()


def test_work_types_are_created_and_updated_by_the_deputy(world, client_for):
    client = client_for("deputy")

    client.post(reverse("journal:work_type_create"), {"new-name": "Диктант", "new-weight": "2", "new-lesson_kind": ""})
    work_type = m.WorkType.objects.get(school=world.school, name="Диктант")
    prefix = f"wt{work_type.pk}"
    client.post(
        reverse("journal:work_type_update", args=[work_type.pk]),
        {
            f"{prefix}-name": "Диктант",
            f"{prefix}-weight": "1.5",
            f"{prefix}-lesson_kind": "",
            f"{prefix}-is_active": "on",
        },
    )

    work_type.refresh_from_db()
    assert str(work_type.weight) == "1.5"


def test_a_bad_weight_shows_the_error_and_changes_nothing(world, client_for):
    response = client_for("deputy").post(
        reverse("journal:work_type_create"), {"new-name": "Диктант", "new-weight": "0", "new-lesson_kind": ""}
    )

    assert response.status_code == 400
    assert not m.WorkType.objects.exists()


def test_the_director_reads_the_policy_without_forms_and_a_teacher_is_refused(world, client_for):
    page = client_for("director").get(reverse("journal:policy"))

    assert page.status_code == 200
    assert 'data-testid="version-form"' not in page.content.decode()
    assert client_for("teacher").get(reverse("journal:policy")).status_code == 403
    assert (
        client_for("director")
        .post(
            reverse("journal:policy_version_create"), _version_post(timezone.localdate() + datetime.timedelta(days=1))
        )
        .status_code
        == 403
    )
    assert not m.GradingPolicy.objects.exists()


def test_the_navigation_offers_periods_and_policy_to_the_deputy_and_history_to_the_administrator(world, client_for):
    deputy = client_for("deputy").get(reverse("home")).content.decode()
    admin = client_for("administrator").get(reverse("home")).content.decode()
    teacher = client_for("teacher").get(reverse("home")).content.decode()

    assert reverse("journal:period_list") in deputy and reverse("journal:policy") in deputy
    assert reverse("journal:history") not in deputy
    assert reverse("journal:history") in admin
    assert reverse("journal:policy") not in teacher
