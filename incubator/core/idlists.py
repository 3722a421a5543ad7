"""`column IN (...)` for a list of ids that can be long (a reviewer's few hundred assignments).

On PostgreSQL the list goes as one array parameter (`column = ANY(:ids)`), so the statement's text is
the same whatever its length: SQLAlchemy compiles it once, psycopg parses it once (an expanding IN of
300 ids made psycopg split a new 5 kB query on every request, 3-4 ms each) and PostgreSQL may
prepare it. Elsewhere (SQLite) it is the usual expanding IN."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from incubator.extensions import db


def in_ids(column, ids: Iterable[int]):
    values = list(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)
