"""The database unreachable (the issue «Faults and bad input», finding 9): a Russian «temporarily
unavailable» page with 503 and Retry-After, and a 503 the grid's save retries by itself, never a bare 500.

The outage is real: the connection is pointed at a port nothing listens on for the requests, then back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from accounts.roles import Role
from tests.factories import SchoolFactory, UserFactory


@pytest.fixture
def teacher_when_the_database_is_down(transactional_db: None) -> Iterator[Client]:
    """A teacher signed in a moment ago; then the database stops answering."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="teacher", school=SchoolFactory(), roles=(Role.TEACHER,)))
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        yield client
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def test_a_page_says_the_service_is_temporarily_unavailable(teacher_when_the_database_is_down: Client) -> None:
    response = teacher_when_the_database_is_down.get("/", HTTP_ACCEPT_LANGUAGE="ru")

    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Сервис временно недоступен" in page and "ничего из сохранённого не потеряно" in page.lower()


def test_the_grids_save_gets_a_503_it_retries(teacher_when_the_database_is_down: Client) -> None:
    response = teacher_when_the_database_is_down.post(
        "/courses/1/journal/cell/", {"text": "5"}, HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 503
    assert response.json() == {"error": "Сервис временно недоступен."}
