"""Counting the SQL statements a request runs, and the rows of a table."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from incubator.extensions import db


class Counter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries():
    counter = Counter()
    engine = db.engine

    def _before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def count_rows(model) -> int:
    """How many rows the model's table holds, in the test's session."""
    return db.session.scalar(select(func.count()).select_from(model))
