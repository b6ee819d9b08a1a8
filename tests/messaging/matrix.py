"""Permission-matrix rows of the messaging app's URLs (joined in tests/test_permission_matrix.py)."""

from __future__ import annotations

from tests.matrix import Row

# fmt: off
ROWS: list[Row] = [
]
# fmt: on
