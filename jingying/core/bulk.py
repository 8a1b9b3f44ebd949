"""Fast bulk INSERT of already-validated rows, shared by the roster import and the demo loader.

Django's bulk_create goes through the SQL compiler for every batch and, on SQLite, is cut to
a few dozen rows per statement by the parameter limit; on PostgreSQL psycopg's executemany
costs a round trip per row. Here: COPY on PostgreSQL, one prepared statement with executemany
on SQLite. Callers validate first (this writes what it is given) and run inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

CHUNK = 5000


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (values in `columns` order, adapted for the backend) into `table`."""
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
