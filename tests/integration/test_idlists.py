"""incubator.core.idlists.in_ids: one array parameter on PostgreSQL, an expanding IN elsewhere; the
same rows on both, for no ids, a few, and hundreds."""
from __future__ import annotations

from sqlalchemy import select

from incubator.core.bulk import insert_rows
from incubator.core.idlists import in_ids
from incubator.core.timeutil import utcnow
from incubator.programs.models import Organisation


def _chosen(db, ids):
    return list(db.session.scalars(select(Organisation.id).where(in_ids(Organisation.id, ids))
                                   .order_by(Organisation.id)))


def test_in_ids_selects_exactly_the_given_ids(app, db):
    insert_rows(db.session, Organisation.__table__, [
        {"id": i, "name": f"Org {i}", "slug": f"org-{i}", "created_at": utcnow()} for i in range(7001, 7401)])
    assert _chosen(db, []) == []
    assert _chosen(db, [7003, 7001, 9999]) == [7001, 7003]
    assert _chosen(db, range(7001, 7400, 2)) == list(range(7001, 7400, 2))


def test_the_statement_text_does_not_grow_with_the_list_on_postgresql(app, db):
    stmt = select(Organisation.id)
    dialect = db.session.get_bind().dialect
    short = str(stmt.where(in_ids(Organisation.id, [1])).compile(dialect=dialect))
    long = str(stmt.where(in_ids(Organisation.id, range(1, 301))).compile(dialect=dialect))
    if dialect.name == "postgresql":
        assert short == long and "ANY" in long
    else:
        assert "ANY" not in long and " IN " in long
