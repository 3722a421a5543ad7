"""Decision letters through the outbox to a real SMTP sink, with 1, 2 and 4 worker processes.

The letters are queued once, the way a manager sends them: the request (incubator.letters.queueing.
send_letters: check the choice, count the letters, record the batch; timed as "queue"), then the first
step of the `letters.send_batch` task, in process (prepare_batch: render every letter, one outbox row
each, bulk INSERTs; timed as "prepare"). Then for each worker count: the batch's
rows are set back to pending with new Message-IDs, a Celery node with that many processes (prefork;
solo for 1) is started on the mail and default queues, and the `letters.send_batch` task is sent: it finds the batch prepared,
lines the letters up at LETTER_RATE_PER_SECOND (the bench sets it to 100,000 a second, so the pacing
does not hide the throughput) and queues one `notifications.deliver_chunk` task per 100 letters
(incubator.letters.dispatch; `python -m bench.letters` runs this part alone and adds the workers'
CPU per letter). Timed from that task to the
last message received; lost = queued - distinct Message-IDs received; duplicated = extra copies.

The floor: the same rows read by one SQL query and sent by one smtplib connection from a forked
process, each message written by hand (headers and the two bodies in base64, no email package)."""
from __future__ import annotations

import base64
import smtplib
import time

from sqlalchemy import text

from bench.processes import CeleryWorker
from bench.scenarios.common import Context, result
from bench.smtp_sink import CountingSink


def _queue(ctx: Context, limit: int) -> tuple[int, int, float, float, float]:
    """(batch id, letters queued, seconds to choose the decisions, seconds of the manager's request,
    seconds of the task's prepare step: render every letter, write the outbox rows)."""
    from incubator.accounts.models import User
    from incubator.extensions import db
    from incubator.letters.queries import decisions_for
    from incubator.letters.queueing import prepare_batch, send_letters
    from incubator.programs.models import Season

    with ctx.app.app_context():
        season = db.session.get(Season, ctx.ids["season_id"])
        manager = db.session.get(User, ctx.ids["manager_id"])
        started = time.perf_counter()
        chosen = [d.application.id for d in decisions_for(season) if not d.is_sent][:limit]
        chose = time.perf_counter() - started
        with ctx.app.test_request_context():
            started = time.perf_counter()
            batch, job = send_letters(season, actor=manager, application_ids=chosen)
            db.session.commit()  # the letters.send_batch task is published here: no worker listens yet
            queued = time.perf_counter() - started
        batch_id = batch.id
        db.session.remove()
        _purge(ctx)
        started = time.perf_counter()
        prepare_batch(batch_id)  # what the letters.send_batch task does first (in process here); commits
        prepared = time.perf_counter() - started
        db.session.remove()
    with ctx.engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM letter_batch_items WHERE batch_id = :b"), {"b": batch_id}).scalar()
    return batch_id, count, chose, queued, prepared


def _purge(ctx: Context) -> None:
    """Empty the queues (a previous run's leftovers must not count)."""
    celery = ctx.app.extensions["celery"]
    with celery.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in ("mail", "default", "reports"):
            try:
                channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue never declared has nothing to purge
                pass


def _reset(ctx: Context, batch_id: int, run: int) -> set[str]:
    """The batch's rows pending again, with new Message-IDs; returns the ids to expect."""
    with ctx.engine.begin() as conn:
        conn.execute(text(
            "UPDATE notifications SET status = 'pending', attempts = 0, claimed_at = NULL, sent_at = NULL, "
            "last_error = NULL, message_id = '<bench' || :run || '.' || CAST(id AS VARCHAR(20)) || '@bench.local>' "
            "WHERE id IN (SELECT notification_id FROM letter_batch_items WHERE batch_id = :b)"),
            {"run": str(run), "b": batch_id})
        return set(conn.execute(text(
            "SELECT n.message_id FROM notifications n JOIN letter_batch_items i ON i.notification_id = n.id "
            "WHERE i.batch_id = :b"), {"b": batch_id}).scalars())


def _floor(ctx: Context, sink: CountingSink, batch_id: int) -> float:
    """Run in a forked child, so the sender does not share this process (and its lock) with the sink."""
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    answer = fork.Queue()
    child = fork.Process(target=_floor_child, args=(ctx.database_url, sink.port, batch_id, answer))
    child.start()
    try:
        elapsed = answer.get(timeout=600)
    finally:
        child.join(timeout=30)
    if isinstance(elapsed, str):
        raise RuntimeError(f"letters floor failed: {elapsed}")
    return elapsed


def _floor_child(url: str, port: int, batch_id: int, answer) -> None:
    from sqlalchemy import create_engine

    try:
        answer.put(_send_directly(create_engine(url), port, batch_id))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        answer.put(f"{type(exc).__name__}: {exc}")


def _floor_bytes(note_id: int, to: str, subject: str, body: str, html: str) -> bytes:
    """The least a letter can be: hand-written headers, the two bodies in base64, no email package."""
    boundary = f"floor{note_id}"
    subject_b64 = base64.b64encode(subject.encode()).decode()
    return "\r\n".join([
        f"Subject: =?utf-8?b?{subject_b64}?=", "From: Incubator <no-reply@incubator.local>", f"To: {to}",
        f"Message-ID: <floor.{note_id}@bench.local>", "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"', "",
        f"--{boundary}", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        base64.encodebytes(body.encode()).decode().replace("\n", "\r\n"),
        f"--{boundary}", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        base64.encodebytes(html.encode()).decode().replace("\n", "\r\n"),
        f"--{boundary}--", "",
    ]).encode()


def _send_directly(engine, port: int, batch_id: int) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT n.id, n.to_email, n.subject, n.body_text, n.body_html FROM notifications n "
            "JOIN letter_batch_items i ON i.notification_id = n.id WHERE i.batch_id = :b ORDER BY n.id"),
            {"b": batch_id}).all()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for note_id, to, subject, body, html in rows:
            smtp.sendmail("no-reply@incubator.local", [to], _floor_bytes(note_id, to, subject, body, html))
    return time.perf_counter() - started


def run(ctx: Context, sink: CountingSink, *, limit: int = 10_000, workers=(1, 2, 4), timeout: float = 300) -> list[dict]:
    _purge(ctx)
    batch_id, count, chose, queued, prepared = _queue(ctx, limit)
    # send_letters runs inside the manager's request (web and API): gunicorn kills a worker after 30 s by default.
    rows = [result(f"letters: queue {count} (the request: check, count, record the batch)", [queued * 1000],
                   notes=f"in process; the web and API call it inside the request; choosing the decisions "
                         f"(decisions_for, whole season) took {chose:.1f} s", target="< 30 s (gunicorn's default "
                         "timeout)", met=queued < 30),
            result(f"letters: prepare {count} (the task: render + outbox rows)", [prepared * 1000],
                   figure=f"{prepared:.2f} s ({count / max(prepared, 1e-6):.0f}/s)",
                   notes="in process; what the letters.send_batch task does before dispatching",
                   target="well under 30 s", met=prepared < 30)]
    if not count:
        ctx.notes.append("letters: no decision to announce at this scale")
        return rows
    sink.reset()
    floor = _floor(ctx, sink, batch_id)
    sink.reset()
    rate = ctx.app.config["LETTER_RATE_PER_SECOND"]
    for run_no, n in enumerate(workers, start=1):
        wanted = _reset(ctx, batch_id, run_no)
        sink.reset()
        worker = CeleryWorker(ctx.env, ctx.workdir / f"letters-{n}.log", queues="mail,default", concurrency=n,
                              name=f"letters{n}")
        try:
            worker.start()
            started = time.perf_counter()
            ctx.app.extensions["celery"].send_task("letters.send_batch", kwargs={"batch_id": batch_id})
            complete = sink.wait_for(wanted, timeout)
            distinct, dup, other = sink.count(wanted)
            end = sink.last or time.perf_counter()
            elapsed = max(1e-6, (end if complete else time.perf_counter()) - started)
            delivery = (sink.last - sink.first) if sink.first and sink.last and distinct > 1 else elapsed
        finally:
            worker.stop()
            _purge(ctx)
        with ctx.engine.connect() as conn:
            sent = conn.execute(text(
                "SELECT COUNT(*) FROM notifications n JOIN letter_batch_items i ON i.notification_id = n.id "
                "WHERE i.batch_id = :b AND n.status = 'sent'"), {"b": batch_id}).scalar()
        per_second = distinct / elapsed
        row = result(f"letters: send {count} with {n} worker process{'es' if n > 1 else ''}", None,
                     floor={"median": floor * 1000}, unit="per s", figure=f"{per_second:.0f}/s",
                     target=">= 300/s; 0 lost; 0 duplicated" if n == 2 else "(scaling)",
                     notes=f"{elapsed:.1f} s from the batch task to the last message (deliveries alone "
                           f"{distinct / max(delivery, 1e-6):.0f}/s); lost {count - distinct}, duplicated {dup}, "
                           f"{sent} marked sent" + ("" if complete else f"; TIMED OUT after {timeout:.0f} s")
                           + (f"; {other} unexpected messages" if other else ""),
                     seconds=round(elapsed, 2), per_second=round(per_second, 1), lost=count - distinct,
                     duplicated=dup, marked_sent=sent, workers=n, rate_setting=rate)
        row["median"] = elapsed * 1000
        row["ratio"] = elapsed / floor if floor else None
        row["met"] = (per_second >= 300 and count == distinct and dup == 0) if n == 2 else None
        rows.append(row)
    ctx.notes.append(f"letters: LETTER_RATE_PER_SECOND={rate:g} for the bench (pacing off); floor = one SELECT + "
                     f"one smtplib connection, hand-written messages: {count / floor:.0f}/s")
    return rows
