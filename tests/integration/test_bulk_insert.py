"""incubator.core.bulk.insert_rows: COPY on PostgreSQL, executemany elsewhere; the same rows and the
same error (IntegrityError, inside a savepoint that leaves the transaction usable) on both."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.core.bulk import insert_rows
from incubator.core.timeutil import utcnow
from incubator.programs.models import Organisation


def _rows(*ids):
    return [{"id": i, "name": f"Org {i}", "slug": f"org-{i}", "created_at": utcnow()} for i in ids]


def test_rows_are_written_in_the_sessions_transaction(app, db):
    insert_rows(db.session, Organisation.__table__, _rows(9001, 9002))
    names = db.session.scalars(select(Organisation.name).where(Organisation.id >= 9001).order_by(Organisation.id))
    assert list(names) == ["Org 9001", "Org 9002"]


def test_a_duplicate_key_is_an_integrity_error_and_writes_nothing(app, db):
    insert_rows(db.session, Organisation.__table__, _rows(9101))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            insert_rows(db.session, Organisation.__table__, _rows(9102, 9101))
    ids = db.session.scalars(select(Organisation.id).where(Organisation.id >= 9100).order_by(Organisation.id))
    assert list(ids) == [9101]
