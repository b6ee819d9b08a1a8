"""The printout tests' week of 5А (``week``, ``media``) for the worker fault test."""

from tests.reports.conftest import media, week  # noqa: F401 - fixtures shared with tests/reports
