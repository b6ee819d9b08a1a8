"""Queries of the hottest requests compiled once per process, then run with other values.

Django compiles a queryset to SQL anew on every run; for a query with several EXISTS subqueries (the
writer's rights, the student's attendance of the course, the locked period, the default work type) that
costs more than the query itself on a kept connection, whose plan PostgreSQL keeps (``prepare_threshold``).
:class:`CompiledQuery` builds the queryset once with placeholder values (the definition stays the one the
rules and selectors give), keeps its SQL and runs it again with the real values in their places.

Only on PostgreSQL, whose driver returns dates, decimals and booleans as Python values; elsewhere (the
zero-setup SQLite run) the queryset is built and run as usual.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet

# Placeholder values no real row holds; each names one parameter of the query.
_INT_BASE = -900_000_000
_DAY_BASE = datetime.date(1901, 1, 1)


class CompiledQuery:
    """``build(**values)`` gives a ``values_list`` queryset; :meth:`rows` runs it for other values.

    A parameter is an ``int``, a ``datetime.date`` or a ``list`` of ints (an ``__in``): the SQL of a list
    holds one placeholder an element, so it is kept per length of the lists.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **kinds: type) -> None:
        self.build = build
        self.kinds = kinds  # parameter name → int, datetime.date or list
        self._compiled: dict[tuple[int, ...], tuple[str, list[Any], list[tuple[str, int] | None]]] = {}

    def _placeholders(self, lengths: dict[str, int]) -> tuple[dict[str, Any], dict[Any, tuple[str, int]]]:
        values: dict[str, Any] = {}
        where: dict[Any, tuple[str, int]] = {}
        n = 0
        for name, kind in self.kinds.items():
            if kind is list:
                values[name] = []
                for index in range(lengths[name]):
                    n += 1
                    values[name].append(_INT_BASE - n)
                    where[_INT_BASE - n] = (name, index)
                continue
            n += 1
            values[name] = _DAY_BASE + datetime.timedelta(days=n) if kind is datetime.date else _INT_BASE - n
            where[values[name]] = (name, -1)
        return values, where

    def _compile(self, values: dict[str, Any]) -> tuple[str, list[Any], list[tuple[str, int] | None]]:
        lengths = {name: len(values[name]) for name, kind in self.kinds.items() if kind is list}
        key = tuple(lengths.values())
        if key not in self._compiled:
            placeholders, where = self._placeholders(lengths)
            sql, params = self.build(**placeholders).query.sql_with_params()
            slots = [where.get(param) if isinstance(param, (int, datetime.date)) else None for param in params]
            expected = {name for name, kind in self.kinds.items() if kind is not list or lengths[name]}
            missing = expected - {slot[0] for slot in slots if slot is not None}
            if missing:
                raise ValueError(f"parameters not in the compiled query: {sorted(missing)}")
            self._compiled[key] = (sql, list(params), slots)
        return self._compiled[key]

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The query's rows for these values (every parameter named at construction)."""
        if connection.vendor != "postgresql":
            return list(self.build(**values))
        values = {name: list(value) if self.kinds[name] is list else value for name, value in values.items()}
        try:
            sql, params, slots = self._compile(values)
        except EmptyResultSet:  # an empty list in an ``__in``: no row can match
            return []
        arguments = [
            param if slot is None else (values[slot[0]] if slot[1] < 0 else values[slot[0]][slot[1]])
            for param, slot in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)
            return cursor.fetchall()


class RowModel:
    """Model instances, with the related ones ``select_related`` would give, from one ``values_list`` row.

    ``RowModel(Course, "class_group__year__school", "subject", "subgroup")``: :attr:`columns` lists every
    concrete column of the course and of each related model along the paths (then any ``extra`` names,
    such as annotations); :meth:`build` makes the instances of a row and sets the extras as attributes.
    A nullable relation whose columns are all ``None`` is ``None``.
    """

    def __init__(self, model: type[Model], *paths: str, extra: tuple[str, ...] = ()) -> None:
        self.model = model
        self.extra = extra
        self.parts: list[tuple[str, type[Model], list[str]]] = []
        steps = {""}
        for path in paths:
            names = path.split("__")
            steps.update("__".join(names[:n]) for n in range(1, len(names) + 1))
        for step in sorted(steps, key=lambda s: (s.count("__") + bool(s), s)):
            part_model = model
            for name in step.split("__") if step else []:
                part_model = part_model._meta.get_field(name).related_model  # type: ignore[assignment]
            self.parts.append((step, part_model, [f.attname for f in part_model._meta.concrete_fields]))
        self.columns = [
            f"{step}__{attname}" if step else attname for step, _model, attnames in self.parts for attname in attnames
        ] + list(extra)

    def build(self, row: tuple[Any, ...], alias: str = "default") -> Any:
        made: dict[str, Any] = {}
        at = 0
        for step, part_model, attnames in self.parts:
            values = row[at : at + len(attnames)]
            at += len(attnames)
            instance = None if step and all(v is None for v in values) else part_model.from_db(alias, attnames, values)
            made[step] = instance
            if step:
                parent, _sep, name = step.rpartition("__")
                if made.get(parent) is not None:
                    setattr(made[parent], name, instance)
        root = made[""]
        for name, value in zip(self.extra, row[at:], strict=True):
            setattr(root, name, value)
        return root
