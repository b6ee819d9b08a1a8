"""No request answers 500, whatever its path values, query or body (the issue «Faults and bad input»).

A plain, seeded generator (the same requests every run, so a failure is repeated at once):

* every URL pattern of the project, the administration's included, with path values no link holds
  (zero, past the database's integers, text where a code is read, a NUL byte, 300 letters) asked by
  GET and POST under a round of personas;
* every POST row of the permission matrix (real objects, the personas it lets in) with bodies whose every
  field, by name as the code and the templates read them, holds an odd value: NUL bytes, dates at the
  ends of the calendar, numbers too long for the database, broken JSON, 5,000 letters, a file that is
  not what it claims;
* every free-text field a view reads without a form, in a body valid but for it, holding a NUL byte
  (PostgreSQL, which the suite runs on, stores none in text): refused in Russian, and plain text accepted.

A page answers 4xx, a redirect or a clean page; an exception (the test client raises it) is the bug.
"""

from __future__ import annotations

import datetime
import re
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from journal import models as m
from journal.services.marks import mark_set
from journal.services.movement import movement_request
from tests.conftest import PERSONAS, World
from tests.factories import YEAR_END
from tests.test_odd_input import ODD_QUERIES
from tests.test_permission_matrix import MATRIX, _row_id

ODD_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "ж" * 5000,
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "{}",
    "[1, 2",
    '{"1": "x", "att": -5}',
    "１２",
    "5.5",
    "🙂",
    "=1+1",
]
ODD_INTS = ["0", "2147483648", "9223372036854775808", "1" * 30]
ODD_TEXTS = ["x", "Ж", "a" * 300, "%00", "1e3", "..", "xlsx", "pdf"]
ROUND = ["teacher", "deputy", "parent", "administrator", "class_teacher", "student", "anonymous", "director"]
BODIES = 3

_FIELD = re.compile(r"""(?:POST|GET|FILES)(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["']""")
_FORM_FIELD = re.compile(r"^\s+(\w+) = forms\.\w+\(", re.M)
_TEMPLATE_NAME = re.compile(r"""\bname=["']([a-z_][\w-]*)["']""")
_FILE_FIELD = re.compile(
    r"""(?:FILES(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["'])|(?:^\s+(\w+) = forms\.(?:File|Image)Field)""", re.M
)


def _sources(suffix: str) -> Iterator[str]:
    base = Path(settings.BASE_DIR)
    for folder in (
        "accounts",
        "config",
        "core",
        "demo",
        "diary",
        "journal",
        "messaging",
        "monitoring",
        "reports",
        "templates",
    ):
        for path in (base / folder).rglob(f"*{suffix}"):
            yield path.read_text(encoding="utf-8")


@cache
def field_names() -> tuple[list[str], list[str]]:
    """Every request field the code or a template reads by name, and those that carry files."""
    names: set[str] = set()
    files: set[str] = set()
    for text in _sources(".py"):
        names.update(_FIELD.findall(text))
        names.update(_FORM_FIELD.findall(text))
        files.update(name for pair in _FILE_FIELD.findall(text) for name in pair if name)
    for text in _sources(".html"):
        names.update(_TEMPLATE_NAME.findall(text))
    names -= {"csrfmiddlewaretoken"}
    return sorted(names - files), sorted(files)


def _pick(name: str, round_: int, values: list[str]) -> str:
    return values[(zlib.crc32(name.encode()) + round_) % len(values)]


def odd_body(round_: int) -> dict[str, Any]:
    names, files = field_names()
    body: dict[str, Any] = {name: _pick(name, round_, ODD_VALUES) for name in names}
    for name in files:
        body[name] = SimpleUploadedFile(f"plan{round_}.xlsx", b"PK\x03\x04 not really a workbook" * round_)
    return body


def _patterns(resolver: URLResolver, namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, (*namespaces, entry.namespace) if entry.namespace else namespaces)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters if isinstance(entry.pattern, RoutePattern) else {}
            groups = entry.pattern.regex.groupindex
            yield ":".join((*namespaces, entry.name)), {name: converters.get(name) for name in groups}


def _odd_kwargs(params: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Odd values for every path parameter, side by side (not every combination)."""
    if not params:
        yield {}
        return
    for n in range(len(ODD_TEXTS)):
        yield {
            name: ODD_INTS[n % len(ODD_INTS)] if isinstance(converter, IntConverter) else ODD_TEXTS[n]
            for name, converter in params.items()
        }


def _urls(name: str, params: dict[str, Any]) -> list[str]:
    urls = []
    for kwargs in _odd_kwargs(params):
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:  # a value the pattern itself refuses: no request can carry it
            continue
    return sorted(set(urls))


PATTERNS = sorted(dict(_patterns(get_resolver())).items())


def _namespace(name: str) -> str:
    return name.split(":")[0] if ":" in name else "site"


NAMESPACES = sorted({_namespace(name) for name, _params in PATTERNS})
POST_ROWS = [row for row in MATRIX if row.method == "post"]


# One test a namespace, not a pattern: the school is made once for many requests; a failure names the URL.
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_no_pattern_answers_500_to_odd_path_values(
    world: World, client_for: Callable[[str], Client], namespace: str
) -> None:
    asked = 0
    for name, params in PATTERNS:
        if _namespace(name) != namespace:
            continue
        for n, url in enumerate(_urls(name, params)):
            client = client_for(ROUND[(n + asked) % len(ROUND)])
            query = ODD_QUERIES[n % len(ODD_QUERIES)]
            for response in (client.get(url, query), client.post(url, odd_body(n % BODIES))):
                assert response.status_code < 500, (url, response.status_code)
        asked += 1
    assert asked


@pytest.mark.parametrize("namespace", sorted({_namespace(row.name) for row in POST_ROWS}))
def test_no_form_answers_500_to_odd_bodies(world: World, client_for: Callable[[str], Client], namespace: str) -> None:
    rows = [row for row in POST_ROWS if _namespace(row.name) == namespace]
    for row in rows:
        with transaction.atomic():  # each row on the school as made: what a row's objects or posts change is undone
            url = reverse(row.name, kwargs=row.kwargs(world))
            allowed = [p for p in PERSONAS if row.expected[p] in (200, 302)][:2] or ["deputy"]
            for persona in allowed:
                for round_ in range(BODIES):
                    response = client_for(persona).post(url, odd_body(round_))
                    assert response.status_code < 500, (_row_id(row), persona, url, round_, response.status_code)
            transaction.set_rollback(True)


# --- Free text with an otherwise valid body --------------------------------------------------------------
# The bodies above rarely get past a view's first check (the student, the date), so free text the views read
# without a form never reaches the database. Here each such field gets a body that is valid but for it: the
# same body with plain text is accepted (the check that the field is reached), and with a NUL byte, which
# PostgreSQL cannot store in text, it is refused with the forms' own Russian message.

LESSON_DAY = datetime.date(2026, 11, 30)
MOVEMENT_DAY = datetime.date(2026, 11, 30)
NUL_MESSAGE = "Данные содержат запрещённый символ: ноль-байт"
NUL_TEXTS = ["\x00", "Школа\x00№ 7"]


def _lesson(world: World) -> m.Lesson:
    m.StudyPeriod.objects.create(
        year=world.year, kind=m.PeriodKind.QUARTER, number=2, start=datetime.date(2026, 11, 1), end=YEAR_END
    )
    return m.Lesson.objects.create(course=world.math_5a, date=LESSON_DAY, slot=1)


def _my_contacts(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("journal:my_contacts"), {"student": world.child.pk}


def _class_movement(world: World) -> tuple[str, dict[str, Any]]:
    url = reverse("journal:class_movement", args=[world.class_5a.pk])
    return url, {"student": world.child.pk, "kind": "departure", "on": MOVEMENT_DAY.isoformat()}


def _requested_movement(world: World) -> m.Movement:
    return movement_request(actor=world.users["class_teacher"], student=world.child, kind="departure", on=MOVEMENT_DAY)


def _movement_confirm(world: World) -> tuple[str, dict[str, Any]]:
    url = reverse("journal:movement_confirm", args=[_requested_movement(world).pk])
    return url, {"order_date": MOVEMENT_DAY.isoformat()}


def _movement_refuse(world: World) -> tuple[str, dict[str, Any]]:
    return reverse("journal:movement_refuse", args=[_requested_movement(world).pk]), {}


def _grid_mark(world: World) -> tuple[str, dict[str, Any]]:
    lesson = _lesson(world)
    mark = mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="4")
    url = reverse("journal:course_journal_mark", args=[world.math_5a.pk])
    body = {"lesson": lesson.pk, "student": world.child.pk, "position": 1, "version": mark.version, "work_type": ""}
    return url, body


def _grid_cell(world: World) -> tuple[str, dict[str, Any]]:
    url = reverse("journal:course_journal_cell", args=[world.math_5a.pk])
    return url, {"lesson": _lesson(world).pk, "student": world.child.pk, "versions": "{}"}


def _class_contacts(world: World) -> tuple[str, dict[str, Any]]:
    url = reverse("journal:class_contacts", args=[world.class_5a.pk])
    return url, {"action": "update", "person": world.users["parent"].pk, "phone": "", "email": ""}


# (case, persona, the valid body but for the field, the field, plain text the view accepts there, the refusal)
FREE_TEXT: list[tuple[str, str, Callable[[World], tuple[str, dict[str, Any]]], str, str, str]] = [
    ("my-contacts", "parent", _my_contacts, "text", "Новый телефон: +7 900 000-00-00", NUL_MESSAGE),
    ("class-movement", "class_teacher", _class_movement, "other_school", "Школа № 7", NUL_MESSAGE),
    ("movement-confirm", "administrator", _movement_confirm, "order_number", "41", NUL_MESSAGE),
    ("movement-refuse", "administrator", _movement_refuse, "reason", "Заявление отозвано", NUL_MESSAGE),
    ("grid-mark-comment", "teacher", _grid_mark, "comment", "у доски", NUL_MESSAGE),
    ("class-contacts-phone", "class_teacher", _class_contacts, "phone", "+7 900 000-00-00", NUL_MESSAGE),
    ("class-contacts-email", "class_teacher", _class_contacts, "email", "mama@example.org", NUL_MESSAGE),
    # A cell is a mark or an attendance letter: its parser names what it did not understand.
    ("grid-cell", "teacher", _grid_cell, "text", "5", "не отметка и не буква посещаемости"),
]


@pytest.mark.parametrize(
    ("persona", "make", "field", "plain", "refusal"),
    [pytest.param(*case[1:], id=case[0]) for case in FREE_TEXT],
)
def test_free_text_with_a_nul_byte_is_refused_in_russian_not_answered_500(
    world: World,
    client_for: Callable[[str], Client],
    persona: str,
    make: Callable[[World], tuple[str, dict[str, Any]]],
    field: str,
    plain: str,
    refusal: str,
) -> None:
    client = client_for(persona)
    for text in NUL_TEXTS:
        with transaction.atomic():
            url, body = make(world)
            response = client.post(url, {**body, field: text}, follow=True)
            assert response.status_code in (200, 400), (text, response.status_code)
            assert refusal in _text(response), text
            transaction.set_rollback(True)
    url, body = make(world)
    response = client.post(url, {**body, field: plain}, follow=True)
    assert response.status_code == 200, (plain, _text(response)[:500])
    assert refusal not in _text(response)


def _text(response: Any) -> str:
    """The page, or the JSON's error, as a person reads it."""
    if str(response.get("Content-Type", "")).startswith("application/json"):
        return str(response.json().get("error", ""))
    return str(response.content.decode())
