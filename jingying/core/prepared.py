"""Fixed-shape queries that run on every request, compiled to SQL once per database connection.

Building and compiling a queryset costs Python time (~0.2–0.3 ms) that the database never sees;
for the few queries every signed-in request runs (the account's login state, its grants) that is
a large share of a cheap page. `Prepared` compiles the queryset once per connection with
sentinel parameter values, checks that those are exactly the query's parameters, then runs the
stored SQL with the real values through the connection's cursor (so it is logged and counted
like any query) and applies the same value converters the ORM would.

Only for parameters the database takes as they are (integer ids, plain strings): a value the
ORM would adapt first (dates, JSON) must not be a parameter. The one exception is "now": with
`now=True` the queryset may compare with `timezone.now()` taken while it is built (e.g. grants
not yet expired); that parameter is found among the compiled ones (exactly one value that is not
a sentinel and reads back as a moment during the build) and given the current time on every
run. If the compiled query does not have that shape, `rows()` returns None and the caller runs
its queryset as usual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class Prepared:
    def __init__(self, name: str, build: Callable[..., QuerySet[Any]], *sentinels: Any, now: bool = False) -> None:
        """`build(*sentinels)` makes the queryset; each sentinel must appear exactly once among the
        compiled parameters, in order (pick values no real query uses, e.g. negative ids)."""
        self.key = f"jy_prepared_{name}"
        self.build = build
        self.sentinels = sentinels
        self.now = now

    def _compiled(self, connection: Any) -> tuple[str, Any, dict[int, Any], int | None] | None:
        store = connection.__dict__.setdefault("_jy_prepared", {})
        if self.key in store:
            return store[self.key]  # type: ignore[no-any-return]
        before = timezone.now()
        qs = self.build(*self.sentinels)
        after = timezone.now()
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        now_at: int | None = None
        if self.now:
            others = [i for i, p in enumerate(params) if not any(p == s and type(p) is type(s) for s in self.sentinels)]
            if len(others) == 1 and _is_moment(params[others[0]], before, after):
                now_at = others[0]
                del params[now_at]
        found: tuple[str, Any, dict[int, Any], int | None] | None = None
        if tuple(params) == tuple(self.sentinels) and (now_at is not None or not self.now):
            converters = compiler.get_converters([expression for expression, *_rest in compiler.select])
            found = (sql, compiler, converters, now_at)
        elif not self.now:
            raise ValueError(f"{self.key}: parameters {params!r} are not the sentinels {self.sentinels!r}")
        store[self.key] = found
        return found

    def model(self, model: type[Any], *values: Any) -> Any:
        """The first row as an instance of `model` (the queryset must select its columns in full), or None."""
        rows = self.rows(*values)
        if not rows:  # no row (a query that needs no "now" always prepares)
            return None
        return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in model._meta.concrete_fields], rows[0])

    def rows(self, *values: Any) -> list[Any] | None:
        """The rows for these parameter values; None if the query could not be prepared (run the
        queryset instead)."""
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled(connection)
        if compiled is None:
            return None
        sql, compiler, converters, now_at = compiled
        params = list(values)
        if now_at is not None:
            params.insert(now_at, connection.ops.adapt_datetimefield_value(timezone.now()))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return [list(row) for row in rows]


def _is_moment(value: Any, before: dt.datetime, after: dt.datetime) -> bool:
    """Whether a compiled parameter is a time taken between `before` and `after` (the backend may
    have turned it into text)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        return False
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return before <= moment <= after
