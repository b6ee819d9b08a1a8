"""Odd query parameters on every page never answer 500 (the issue «Faults and bad input», finding 3).

Every GET row of the permission matrix is asked, by each persona the row lets in, with the parameters the
pages read set to values no form would send: dates at the ends of the calendar or not dates at all,
numbers too long for the database, months out of range, unknown formats. A page answers 4xx or a clean
page; an exception here is the bug (the test client raises it).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PERSONAS, World
from tests.matrix import Row
from tests.test_permission_matrix import MATRIX, _row_id

ODD_QUERIES = [
    {
        "week": "9999-12-31",
        "day": "9999-12-31",
        "first_month": "9999-12",
        "last_month": "9999-12",
        "start": "9999-12-31",
    },
    {"week": "0001-01-01", "day": "0001-01-01", "first_month": "0000-01", "last_month": "0001-13", "end": "0001-01-01"},
    {
        "week": "2026-02-30",
        "period": "99999999999999999999999",
        "class_group": "1e3",
        "year": "-1",
        "page": "-1",
        "format": "exe",
        "month": "2026-99",
        "q": "\x00",
        "teacher": "abc",
        "course": "99999999999999999999999",
    },
]

GET_ROWS = [row for row in MATRIX if row.method == "get"]


@pytest.mark.parametrize("row", GET_ROWS, ids=_row_id)
def test_no_page_answers_500_to_odd_parameters(world: World, client_for: Callable[[str], Client], row: Row) -> None:
    url = reverse(row.name, kwargs=row.kwargs(world))
    allowed = [p for p in PERSONAS if row.expected[p] == 200][:2] or ["deputy"]
    for persona in allowed:
        client = client_for(persona)
        for query in ODD_QUERIES:
            response = client.get(url, query)
            assert response.status_code < 500, (persona, url, query, response.status_code)
