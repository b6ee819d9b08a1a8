"""``/health/`` for the compose health checks (the issue «Faults and bad input»): the database, the broker,
the worker's heartbeat and the disk, 503 when a configured part is down. Against the suite's real Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from core.health import WORKER_KEY, _redis, worker_heartbeat

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/15"


def test_without_a_broker_the_journal_is_healthy_with_tasks_inline(db: None) -> None:
    response = Client().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "off", "worker": "off", "disk": "ok"}


@pytest.fixture
def broker(settings: Any) -> Iterator[str]:
    settings.CELERY_BROKER_URL = REDIS
    _redis().delete(WORKER_KEY)
    yield REDIS
    _redis().delete(WORKER_KEY)


def test_a_worker_that_has_not_beaten_is_reported_down_until_it_does(db: None, broker: str) -> None:
    down = Client().get("/health/")
    assert down.status_code == 503 and down.json()["worker"] == "down" and down.json()["broker"] == "ok"

    worker_heartbeat()

    assert Client().get("/health/").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "disk": "ok",
    }


def test_a_broker_that_does_not_answer_is_down(db: None, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = Client().get("/health/")

    assert response.status_code == 503 and response.json()["broker"] == "down"
