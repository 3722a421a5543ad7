"""The notification outbox: written with the change, dispatched after commit, delivered once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.core.timeutil import utcnow
from incubator.notifications.delivery import deliver_notification, sweep_outbox
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.notifications.services import queue_notification
from tests.support import broker
from tests.support.factories_fixtures import bearer
from tests.support.smtp import body_text


def _queue(user, key="test:1", number=1, **kw):
    return queue_notification(user=user, kind="test_message", dedupe_key=key,
                              context={"number": number}, link="http://localhost/x", **kw)


def test_dispatch_happens_only_after_commit(app, db, founder):
    broker.purge("mail")
    _queue(founder)
    assert broker.queue_length("mail") == 0  # not before the commit
    db.session.commit()
    assert broker.queue_length("mail") == 1


def test_rollback_drops_the_row_and_the_dispatch(app, db, founder):
    broker.purge("mail")
    _queue(founder)
    db.session.rollback()
    db.session.commit()
    assert broker.queue_length("mail") == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_same_dedupe_key_is_queued_once(app, db, founder):
    first = _queue(founder, key="decision:1:1")
    db.session.commit()
    second = _queue(founder, key="decision:1:1", number=2)
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_delivering_twice_sends_one_email(smtp_app, db, founder, smtp_sink):
    note = _queue(founder)
    db.session.commit()
    assert deliver_notification(note.id).result == "sent"
    assert deliver_notification(note.id).result == "skipped"
    messages = smtp_sink.wait_for(1, timeout=2)
    assert len(messages) == 1
    msg = messages[0]
    assert msg["Message-ID"] == note.message_id
    assert "test message number 1" in body_text(msg)
    assert msg.get_body(preferencelist=("html",)) is not None  # multipart text + HTML
    db.session.refresh(note)
    assert note.status == DeliveryStatus.SENT and note.sent_at is not None and note.attempts == 1


def test_email_is_in_the_recipients_language(smtp_app, db, make_user, smtp_sink):
    user = make_user(locale="ru", name="Алишер")
    note = _queue(user)
    db.session.commit()
    deliver_notification(note.id)
    msg = smtp_sink.wait_for(1, timeout=2)[0]
    assert msg["Content-Language"] == "ru"
    assert "Алишер" in body_text(msg)


def test_transient_smtp_error_is_retried_with_backoff(smtp_app, db, make_user, smtp_sink):
    user = make_user(email="busy@example.org")
    smtp_sink.rcpt_codes["busy@example.org"] = "451 4.3.0 Try again later"
    note = _queue(user)
    db.session.commit()
    outcome = deliver_notification(note.id)
    assert outcome.result == "retry" and outcome.retry_in == 30
    db.session.refresh(note)
    assert note.status == DeliveryStatus.PENDING and note.attempts == 1
    assert "451" in note.last_error and note.next_attempt_at > utcnow()
    # Not due yet: a second delivery does nothing.
    assert deliver_notification(note.id).result == "skipped"
    # The server recovers; once due, it is sent.
    del smtp_sink.rcpt_codes["busy@example.org"]
    note.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_notification(note.id).result == "sent"
    assert len(smtp_sink.wait_for(1, timeout=2)) == 1


def test_permanent_smtp_error_is_recorded(smtp_app, db, make_user, smtp_sink):
    user = make_user(email="nobody@example.org")
    smtp_sink.rcpt_codes["nobody@example.org"] = "550 5.1.1 No such user"
    note = _queue(user)
    db.session.commit()
    assert deliver_notification(note.id).result == "failed"
    db.session.refresh(note)
    assert note.status == DeliveryStatus.FAILED and "550" in note.last_error
    assert smtp_sink.messages == []


def test_gives_up_after_max_attempts(smtp_app, db, make_user, smtp_sink):
    smtp_app.config["MAIL_MAX_ATTEMPTS"] = 2
    user = make_user(email="flaky@example.org")
    smtp_sink.rcpt_codes["flaky@example.org"] = "421 4.7.0 Busy"
    note = _queue(user)
    db.session.commit()
    assert deliver_notification(note.id).result == "retry"
    note.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_notification(note.id).result == "failed"
    db.session.refresh(note)
    assert note.status == DeliveryStatus.FAILED and note.last_error.startswith("gave up")


def test_unreachable_server_is_transient(app, db, founder):
    from tests.support.smtp import free_port

    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    note = _queue(founder)
    db.session.commit()
    assert deliver_notification(note.id).result == "retry"


def test_sweep_reclaims_stuck_rows_and_requeues_pending(app, db, founder):
    broker.purge("mail")
    stuck = _queue(founder, key="k:stuck")
    lost = _queue(founder, key="k:lost")
    fresh = _queue(founder, key="k:fresh")
    db.session.commit()
    broker.purge("mail")  # as if the broker lost the messages
    long_ago = utcnow() - timedelta(hours=1)
    stuck.status, stuck.claimed_at = DeliveryStatus.SENDING, long_ago
    lost.next_attempt_at = long_ago
    fresh.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    result = sweep_outbox()
    assert result["reclaimed"] == 1
    db.session.refresh(stuck)
    assert stuck.status == DeliveryStatus.PENDING
    # The stuck and the lost one, not the fresh one: in one chunk task.
    assert broker.taken("mail") == [("notifications.deliver_chunk", {"notification_ids": sorted([stuck.id, lost.id])})]


def test_file_backend_writes_eml(app, db, founder, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_OUTBOX_DIR=str(tmp_path))
    note = _queue(founder)
    db.session.commit()
    deliver_notification(note.id)
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    assert note.message_id.encode() in files[0].read_bytes()


def test_inapp_notifications_on_the_page_and_api(app, db, client, founder, make_user, login, api_token):
    other = make_user()
    _queue(founder, key="mine", number=7)
    queue_notification(user=other, kind="test_message", dedupe_key="theirs", context={"number": 99})
    queue_notification(user=founder, kind="test_message", dedupe_key="mail-only", context={"number": 5},
                       via_inapp=False)
    db.session.commit()
    token = api_token(founder)
    listed = client.get("/api/v1/notifications", headers=bearer(token)).json
    assert listed["total"] == 1
    assert [n["subject"] for n in listed["items"]] == ["A test message from Incubator"]
    assert "number 7" in listed["items"][0]["body"]
    note_id = listed["items"][0]["id"]
    read = client.post(f"/api/v1/notifications/{note_id}/read", headers=bearer(token))
    assert read.status_code == 200 and read.json["read_at"]
    # Someone else's notification is not found.
    theirs = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == "theirs"))
    assert client.post(f"/api/v1/notifications/{theirs}/read", headers=bearer(token)).status_code == 404
    login(founder)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "A test message from Incubator" in page
    assert page.count("list-group-item") == 1


@pytest.mark.parametrize("count", [3, 30])
def test_notifications_page_runs_bounded_queries(app, db, client, founder, login, count):
    from tests.support.queries import count_queries

    for i in range(count):
        _queue(founder, key=f"n:{i}", number=i)
    db.session.commit()
    login(founder)
    with count_queries() as counter:
        response = client.get("/notifications/?per_page=50")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("list-group-item") == count
    assert counter.count <= 8, counter.statements
