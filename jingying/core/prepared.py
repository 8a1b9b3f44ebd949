"""Fixed-shape queries that run on every request, compiled to SQL once per database connection.

Building and compiling a queryset costs Python time (~0.2–0.3 ms) that the database never sees;
for the few queries every signed-in request runs (the account's login state, its grants) that is
a large share of a cheap page. `Prepared` compiles the queryset once per connection with
sentinel parameter values, checks that those are exactly the query's parameters, then runs the
stored SQL with the real values through the connection's cursor (so it is logged and counted
like any query) and applies the same value converters the ORM would.

Only for parameters the database takes as they are (integer ids, plain strings): a value the
ORM would adapt first (dates, JSON) must not be a parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class Prepared:
    def __init__(self, name: str, build: Callable[..., QuerySet[Any]], *sentinels: Any) -> None:
        """`build(*sentinels)` makes the queryset; each sentinel must appear exactly once among the
        compiled parameters, in order (pick values no real query uses, e.g. negative ids)."""
        self.key = f"jy_prepared_{name}"
        self.build = build
        self.sentinels = sentinels

    def _compiled(self, connection: Any) -> tuple[str, Any, dict[int, Any]]:
        store = connection.__dict__.setdefault("_jy_prepared", {})
        found = store.get(self.key)
        if found is None:
            qs = self.build(*self.sentinels)
            compiler = qs.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if tuple(params) != tuple(self.sentinels):
                raise ValueError(f"{self.key}: parameters {params!r} are not the sentinels {self.sentinels!r}")
            converters = compiler.get_converters([expression for expression, *_rest in compiler.select])
            found = store[self.key] = (sql, compiler, converters)
        return found

    def model(self, model: type[Any], *values: Any) -> Any:
        """The first row as an instance of `model` (the queryset must select its columns in full), or None."""
        rows = self.rows(*values)
        if not rows:
            return None
        return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in model._meta.concrete_fields], rows[0])

    def rows(self, *values: Any) -> list[Any]:
        connection = connections[DEFAULT_DB_ALIAS]
        sql, compiler, converters = self._compiled(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, list(values))
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return [list(row) for row in rows]
