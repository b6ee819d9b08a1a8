"""The shape of a permission-matrix row, shared by the per-app row lists.

``tests/test_permission_matrix.py`` holds the journal's rows and joins every
app's ``ROWS`` (``tests/<app>/matrix.py``) into one ``MATRIX``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tests.conftest import World

# The columns of every row below, in this order. The meta-test checks that they
# are exactly the personas of tests.conftest.
COLUMNS = (
    "anonymous",
    "teacher",  # teaches 5А mathematics
    "other_teacher",  # teaches 6Б Russian
    "foreign_teacher",  # teaches in school 2
    "class_teacher",  # leads 5А, teaches nothing
    "parent",  # parent of child (5А)
    "student",  # child's own login
    "administrator",
    "deputy",
    "director",
)

KwargsFactory = Callable[[World], dict[str, Any]]


class Row(NamedTuple):
    name: str
    kwargs: KwargsFactory
    expected: dict[str, int]
    method: str = "get"


def statuses(*codes: int) -> dict[str, int]:
    return dict(zip(COLUMNS, codes, strict=True))


def no_kwargs(world: World) -> dict[str, Any]:
    return {}


def pk_of(kwarg: str, attr: str) -> KwargsFactory:
    """``{kwarg: world.<attr>.pk}``, named after the object for readable test ids."""

    def kwargs(world: World) -> dict[str, Any]:
        return {kwarg: getattr(world, attr).pk}

    kwargs.__name__ = attr
    return kwargs


def missing(kwarg: str) -> KwargsFactory:
    def kwargs(world: World) -> dict[str, Any]:
        return {kwarg: 999_999_999}

    kwargs.__name__ = "missing"
    return kwargs
