"""Delivering the outbox in chunks (the `notifications.deliver_chunk` task): every letter once, over one
SMTP connection, each at its turn; a failure touches only its own letter."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from incubator.core.timeutil import utcnow
from incubator.letters.dispatch import _chunks
from incubator.notifications.delivery import CHUNK_SIZE, deliver_chunk
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.notifications.services import queue_notification
from tests.support.smtp import SmtpSink, _Handler, body_text, free_port


def _queue(db, users, *, due=None) -> list[Notification]:
    notes = [queue_notification(user=user, kind="test_message", dedupe_key=f"chunk:{i}", context={"number": i},
                                link="http://localhost/x", via_inapp=False, dispatch=False)
             for i, user in enumerate(users)]
    for note in notes:
        note.next_attempt_at = due or utcnow()
    db.session.commit()
    return notes


def _rows(db, notes) -> dict[int, Notification]:
    db.session.expire_all()
    ids = [n.id for n in notes]
    return {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(ids)))}


def test_a_chunk_sends_each_letter_once_in_the_recipients_language(smtp_app, db, make_user, smtp_sink):
    locales = ["ru", "uz", "en"]
    users = [make_user(email=f"person{i}@example.org", locale=locales[i % 3], name=f"Алишер Oʻktam {i}")
             for i in range(25)]
    notes = _queue(db, users)
    out = deliver_chunk([n.id for n in notes])
    assert out.counts() == {"sent": 25, "failed": 0, "retried": 0, "skipped": 0} and out.requeue == []

    messages = smtp_sink.wait_for(25, timeout=5)
    assert len(messages) == 25
    by_id = {m["Message-ID"]: m for m in messages}
    rows = _rows(db, notes)
    assert set(by_id) == {row.message_id for row in rows.values()}
    for row in rows.values():
        msg = by_id[row.message_id]
        assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1) and row.sent_at is not None
        assert (str(msg["To"]), str(msg["Subject"])) == (row.to_email, row.subject)
        assert msg["From"] == smtp_app.config["MAIL_DEFAULT_SENDER"]
        assert (msg["Content-Language"], msg["X-Incubator-Notification"]) == (row.locale, str(row.id))
        assert msg["Auto-Submitted"] == "auto-generated" and msg["Date"] is not None
        assert body_text(msg).replace("\r\n", "\n").strip() == row.body_text.strip()
        html = msg.get_body(preferencelist=("html",)).get_content()
        assert html.replace("\r\n", "\n").strip() == row.body_html.strip()
    russian = next(m for m in messages if m["Content-Language"] == "ru")
    assert str(russian["Subject"]) == "Тестовое сообщение от Инкубатора"
    assert "Алишер Oʻktam" in body_text(russian)


def test_a_redelivered_chunk_sends_nothing_twice(smtp_app, db, make_user, smtp_sink):
    notes = _queue(db, [make_user(email=f"twice{i}@example.org") for i in range(12)])
    ids = [n.id for n in notes]
    assert deliver_chunk(ids).sent == 12
    again = deliver_chunk(ids)
    assert again.counts() == {"sent": 0, "failed": 0, "retried": 0, "skipped": 12} and again.requeue == []
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 12
    assert set(Counter(m["Message-ID"] for m in smtp_sink.messages).values()) == {1}
    assert {r.attempts for r in _rows(db, notes).values()} == {1}


def test_a_failure_touches_only_its_own_letter(smtp_app, db, make_user, smtp_sink):
    users = [make_user(email=f"mixed{i}@example.org") for i in range(8)]
    smtp_sink.rcpt_codes["mixed2@example.org"] = "451 4.3.0 Try again later"
    smtp_sink.rcpt_codes["mixed5@example.org"] = "550 5.1.1 No such user"
    notes = _queue(db, users)
    out = deliver_chunk([n.id for n in notes])
    assert out.counts() == {"sent": 6, "failed": 1, "retried": 1, "skipped": 0}
    busy, gone = notes[2].id, notes[5].id
    assert out.requeue == [([busy], 30.0)]  # only the deferred letter, with the first back-off
    rows = _rows(db, notes)
    assert rows[busy].status == DeliveryStatus.PENDING and rows[busy].attempts == 1
    assert "451" in rows[busy].last_error and rows[busy].next_attempt_at > utcnow() + timedelta(seconds=25)
    assert rows[busy].claimed_at is None
    assert rows[gone].status == DeliveryStatus.FAILED and "550" in rows[gone].last_error
    assert {rows[n.id].status for n in notes if n.id not in (busy, gone)} == {DeliveryStatus.SENT}
    assert sorted(str(m["To"]) for m in smtp_sink.wait_for(6, timeout=3)) == sorted(
        u.email for u in users if u.email not in ("mixed2@example.org", "mixed5@example.org"))

    # The server recovers: the retry (due once its back-off is over) sends that one letter only.
    del smtp_sink.rcpt_codes["mixed2@example.org"]
    assert deliver_chunk([busy]).counts()["sent"] == 0  # not due yet
    db.session.get(Notification, busy).next_attempt_at = utcnow()
    db.session.commit()
    assert deliver_chunk([n.id for n in notes]).counts() == {"sent": 1, "failed": 0, "retried": 0, "skipped": 7}
    assert len(smtp_sink.wait_for(7, timeout=3)) == 7


def test_letters_not_yet_due_are_not_sent_early(smtp_app, db, make_user, smtp_sink):
    later = _queue(db, [make_user(email=f"later{i}@example.org") for i in range(3)],
                   due=utcnow() + timedelta(hours=1))
    out = deliver_chunk([n.id for n in later])
    assert out.sent == 0 and len(out.requeue) == 1
    ids, countdown = out.requeue[0]
    assert ids == [n.id for n in later] and 3590 < countdown <= 3600  # queued again for their turn
    assert {(r.status, r.attempts) for r in _rows(db, later).values()} == {(DeliveryStatus.PENDING, 0)}
    time.sleep(0.2)
    assert smtp_sink.messages == []


def _arrivals_of_a_paced_chunk(db, smtp_sink, notes, start) -> tuple[float, list[float]]:
    """Give the letters turns 0.3 s apart from `start`, deliver them as one chunk, and return when
    the delivery began and when each letter reached the server (time.monotonic())."""
    for i, note in enumerate(notes):
        note.next_attempt_at = start + timedelta(seconds=0.3 * i)
    db.session.commit()
    arrivals: list[float] = []
    done = threading.Event()

    def watch():  # when each message reaches the server
        while not done.is_set():
            with smtp_sink.lock:
                seen = len(smtp_sink.messages)
            arrivals.extend([time.monotonic()] * (seen - len(arrivals)))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    began = time.monotonic()
    watcher.start()
    try:
        assert deliver_chunk([n.id for n in notes]).sent == len(notes)
        smtp_sink.wait_for(len(notes), timeout=5)
        time.sleep(0.05)
    finally:
        done.set()
        watcher.join()
    assert len(arrivals) == len(notes)
    return began, arrivals


def test_a_chunk_sends_each_letter_at_its_turn(smtp_app, db, make_user, smtp_sink):
    notes = _queue(db, [make_user(email=f"paced{i}@example.org") for i in range(4)])
    began, arrivals = _arrivals_of_a_paced_chunk(db, smtp_sink, notes, utcnow())
    # Each one at its turn (0, 0.3, 0.6, 0.9 s after the start), never before it.
    assert all(t - began >= 0.3 * i - 0.03 for i, t in enumerate(arrivals)), [t - began for t in arrivals]


def test_a_chunk_that_starts_late_keeps_the_spacing_instead_of_catching_up(smtp_app, db, make_user, smtp_sink):
    notes = _queue(db, [make_user(email=f"late{i}@example.org") for i in range(5)])
    # The first three turns passed a while ago (a busy worker): sent at once, they would be a burst.
    began, arrivals = _arrivals_of_a_paced_chunk(db, smtp_sink, notes, utcnow() - timedelta(seconds=0.7))
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert all(gap >= 0.3 - 0.05 for gap in gaps), gaps


def test_an_unreachable_server_stops_the_chunk_after_one_try(app, db, make_user):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    notes = _queue(db, [make_user(email=f"down{i}@example.org") for i in range(10)])
    out = deliver_chunk([n.id for n in notes])
    assert out.counts() == {"sent": 0, "failed": 0, "retried": 1, "skipped": 0}
    assert out.requeue == [(sorted(n.id for n in notes), 30.0)]
    rows = _rows(db, notes)
    assert {r.status for r in rows.values()} == {DeliveryStatus.PENDING}
    # Only the letter tried counts an attempt; every one waits for the back-off.
    assert sorted(r.attempts for r in rows.values()) == [0] * 9 + [1]
    assert all(r.next_attempt_at > utcnow() + timedelta(seconds=25) for r in rows.values())


def test_chunks_follow_the_rate():
    start = utcnow()

    def turns(n, rate):
        return [(i, start + timedelta(seconds=i / rate)) for i in range(n)]

    paced = _chunks(turns(12, 5), timedelta(seconds=1))
    assert [[i for i, _ in c] for c in paced] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    fast = _chunks(turns(250, 100_000), timedelta(seconds=1))
    assert [len(c) for c in fast] == [CHUNK_SIZE, CHUNK_SIZE, 50]


def test_a_sender_name_in_any_language_and_an_international_address(smtp_app, db, make_user, smtp_sink):
    smtp_app.config["MAIL_DEFAULT_SENDER"] = "Инкубатор Oʻzbekiston <no-reply@incubator.local>"
    users = [make_user(email="ali@example.org"), make_user(email="алишер@example.org")]
    notes = _queue(db, users)
    assert deliver_chunk([n.id for n in notes]).counts()["sent"] == 2
    messages = smtp_sink.wait_for(2, timeout=3)
    assert sorted(str(m["To"]) for m in messages) == ["ali@example.org", "алишер@example.org"]
    assert {str(m["From"]) for m in messages} == {"Инкубатор Oʻzbekiston <no-reply@incubator.local>"}


def test_an_international_address_fails_for_good_on_a_server_without_smtputf8(app, db, make_user):
    sink = SmtpSink()
    sink.controller = Controller(_Handler(sink), hostname="127.0.0.1", port=sink.port, enable_SMTPUTF8=False)
    sink.start()
    try:
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        notes = _queue(db, [make_user(email="алишер@example.org"), make_user(email="ali@example.org")])
        out = deliver_chunk([n.id for n in notes])
        assert out.counts() == {"sent": 1, "failed": 1, "retried": 0, "skipped": 0} and out.requeue == []
        assert [str(m["To"]) for m in sink.wait_for(1, timeout=3)] == ["ali@example.org"]
    finally:
        sink.stop()
    refused = _rows(db, notes)[notes[0].id]
    assert refused.status == DeliveryStatus.FAILED and "SMTPUTF8" in refused.last_error  # a reason, no retries


def test_a_row_that_cannot_be_written_as_an_email_fails_alone(smtp_app, db, make_user, smtp_sink):
    notes = _queue(db, [make_user(email=f"broken{i}@example.org") for i in range(3)])
    notes[1].message_id = "<ключ@incubator.local>"  # not ASCII: no header can carry it
    db.session.commit()
    out = deliver_chunk([n.id for n in notes])
    assert out.counts() == {"sent": 2, "failed": 1, "retried": 0, "skipped": 0} and out.requeue == []
    broken = _rows(db, notes)[notes[1].id]
    assert broken.status == DeliveryStatus.FAILED and broken.last_error.startswith("cannot build the message")
    assert len(smtp_sink.wait_for(2, timeout=3)) == 2
