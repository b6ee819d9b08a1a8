"""Query expressions that give PostgreSQL's planner a shape it cannot read a whole table for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Expression, F, Func, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Col

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


class JoinedPk(Expression):
    """``JoinedPk("student")`` in a query of enrolments: the primary key of the joined student's row
    (``journal_student.id``), where ``F("student_id")``, and even ``F("student__id")``, which Django reads
    off the enrolment's own column, would leave the planner no condition on the student table itself; the
    join is the one ``select_related("student")`` takes too."""

    def __init__(self, relation: str) -> None:
        super().__init__()
        self.relation = relation

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: set[str] | None = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> Any:  # a Col of the joined table
        info = query.setup_joins(self.relation.split(LOOKUP_SEP), query.get_meta(), query.get_initial_alias())
        related = info.joins[-1]
        return Col(related, query.alias_map[related].join_field.target_field)
