"""Many rows into one table at once: COPY on PostgreSQL (psycopg 3), an executemany INSERT elsewhere.

On PostgreSQL, an executemany INSERT goes row by row through psycopg's pipeline (about 115 µs a row),
and a multi-row VALUES statement spends longer in psycopg's parsing of its thousands of placeholders
than in the server: COPY writes 58,000 assignments in well under a second. Columns left out of the
rows get their Python-side default (as a Core INSERT would, context-sensitive ones seeing the row),
else the server's. Used by automatic assignment and by the bench's dataset generator."""
from __future__ import annotations

from sqlalchemy import JSON, insert


class _RowContext:
    """What a context-sensitive column default reads (get_current_parameters), for one row."""

    def __init__(self, row: dict):
        self._row = row

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict:
        return self._row


def copy_rows(conn, table, rows: list[dict]) -> None:
    if not rows:
        return
    from psycopg.types.json import Json

    given = list(rows[0])
    filled = [c for c in table.columns if c.name not in given and c.default is not None
              and (c.default.is_scalar or c.default.is_callable)]
    columns = [table.c[name] for name in given] + filled
    json_at = {i for i, c in enumerate(columns) if isinstance(c.type, JSON)}
    binders = [c.type.bind_processor(conn.dialect) if not isinstance(c.type, JSON) else None for c in columns]

    def defaults(row: dict) -> list:
        context = _RowContext(row)
        return [c.default.arg if c.default.is_scalar else c.default.arg(context) for c in filled]

    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c.name}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row[name] for name in given] + defaults(row)
            for i, value in enumerate(values):
                if i in json_at:
                    values[i] = Json(value) if value is not None else None
                elif binders[i] is not None and value is not None:
                    values[i] = binders[i](value)
            copy.write_row(values)


def insert_rows(session, table, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table` in the session's transaction. A duplicate
    key raises sqlalchemy.exc.IntegrityError on every database."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    import psycopg
    from sqlalchemy.exc import IntegrityError

    try:
        copy_rows(conn, table, rows)
    except psycopg.IntegrityError as exc:
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc
