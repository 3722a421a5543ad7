"""Savepoints inside a transaction roll back with it, and dispatch waits for the outermost commit."""
from __future__ import annotations

from sqlalchemy import func, select

from incubator.accounts.models import User
from incubator.notifications.services import queue_notification
from tests.support import broker


def test_a_savepoint_at_the_start_rolls_back_with_the_transaction(app, db):
    with db.session.begin_nested():
        db.session.add(User(email="ghost@example.org", name="Ghost", password_hash="x"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_task_queued_before_a_savepoint_is_not_sent_when_the_outer_transaction_rolls_back(app, db, founder):
    broker.purge("mail")
    queue_notification(user=founder, kind="test_message", dedupe_key="sp", context={"number": 1})
    with db.session.begin_nested():
        db.session.add(User(email="other@example.org", name="Other", password_hash="x"))
    db.session.rollback()
    assert broker.queue_length("mail") == 0
