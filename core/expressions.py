"""Query expressions that give PostgreSQL's planner a shape it cannot read a whole table for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Expression, F, Func, QuerySet, Subquery

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class InIds(Func):
    """``InIds("course_id", Course.objects.filter(…).values("pk"))``: the column is one of the ids the
    subquery gives, as ``column = ANY(ARRAY(subquery))`` on PostgreSQL (``column IN (subquery)``
    elsewhere).

    ``IN (subquery)`` is a join to the planner, which may read the whole table of the column (a hash join
    over a sequential scan) when a test-sized school makes that cheap; the array is computed first, once,
    and the column's index is then searched for its ids alone, however many schools the table holds.
    """

    output_field = BooleanField()
    arity = 2

    def __init__(self, column: str | Expression, ids: QuerySet[Any, Any] | Subquery, **extra: Any) -> None:
        expression = F(column) if isinstance(column, str) else column
        super().__init__(expression, ids if isinstance(ids, Subquery) else Subquery(ids), **extra)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, ids = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ids_sql, ids_params = compiler.compile(ids)  # "(SELECT …)"
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(ARRAY{ids_sql})", (*column_params, *ids_params)
        return f"{column_sql} IN {ids_sql}", (*column_params, *ids_params)
