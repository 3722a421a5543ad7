"""The submit storm: 300 founders submit their complete drafts in the last BENCH_STORM_SECONDS (120 by
default) before the deadline, more of them the nearer it is, each from its own thread (the founder's
submit page was opened before, for its CSRF token); then a few founders try after the deadline and
must be refused cleanly (409, the application left a draft).

Counted: errors (anything but the redirect a successful submit answers, or a connection error),
p50/p95 of the POSTs, the late answers, and the database afterwards (how many were submitted).
The floor: the status change and its timeline event written by hand (UPDATE + INSERT, then rolled back)."""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, text

from bench.scenarios.common import Client, Context, repeat_ms, result, server_timing, session_cookies, summary


def _prepare(ctx: Context, app_ids: list[int]) -> list[tuple[int, Client, str]]:
    with ctx.engine.connect() as conn:
        owners = dict(conn.execute(text(
            "SELECT ap.id, s.owner_id FROM applications ap JOIN startups s ON s.id = ap.startup_id "
            "WHERE ap.id IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": app_ids}).all())
    cookies = session_cookies(ctx, list(owners.values()))

    def one(app_id: int):
        client = Client(ctx.base_url, cookies[owners[app_id]])
        token, response = client.csrf(f"/my/applications/{app_id}/submit")
        if response.status_code != 200 or not token:
            raise RuntimeError(f"submit page of application {app_id} answered {response.status_code}")
        return app_id, client, token

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, app_ids))


def _floor(ctx: Context, app_id: int) -> dict:
    now = datetime.now(UTC).replace(tzinfo=None) if ctx.dialect == "sqlite" else datetime.now(UTC)
    with ctx.engine.connect() as conn:
        def once(i):
            tx = conn.begin()
            conn.execute(text("UPDATE applications SET status = 'submitted', submitted_at = :now, updated_at = :now "
                              "WHERE id = :id AND status = 'draft'"), {"id": app_id, "now": now})
            conn.execute(text("INSERT INTO application_events (application_id, kind, from_status, to_status, reason, "
                              "created_at) VALUES (:id, 'submitted', 'draft', 'submitted', '', :now)"),
                         {"id": app_id, "now": now})
            tx.rollback()
        return summary(repeat_ms(once, ctx.repeat, ctx.budget))


def run(ctx: Context, window: float = 120.0) -> list[dict]:
    ids = ctx.ids
    storm, late = ids["storm_application_ids"], ids["late_application_ids"][:10]
    started = time.monotonic()
    prepared = _prepare(ctx, storm + late)
    prepare_s = time.monotonic() - started
    floor = _floor(ctx, storm[0])
    with ctx.engine.begin() as conn:  # the deadline: `window` seconds from now, no grace
        deadline = datetime.now(UTC) + timedelta(seconds=window)
        conn.execute(text("UPDATE seasons SET closes_at = :at, grace_minutes = 0 WHERE id = :id"),
                     {"at": deadline.replace(tzinfo=None) if ctx.dialect == "sqlite" else deadline,
                      "id": ids["storm_season_id"]})
    start = time.monotonic()
    rng = random.Random(6)
    # More submissions the nearer the deadline (density growing linearly), all before it with 2 s to spare.
    offsets = sorted((window - 2) * rng.random() ** 0.5 for _ in storm)
    outcomes: list[tuple[int, float, int | str]] = []
    timings: list[dict] = []
    lock = threading.Lock()

    def submit(item, at: float, expect: int):
        app_id, client, token = item
        time.sleep(max(0.0, start + at - time.monotonic()))
        t = time.perf_counter()
        timing: dict = {}
        try:
            response = client.post(f"/my/applications/{app_id}/submit", data={"csrf_token": token})
            status: int | str = response.status_code
            timing = server_timing(response)
        except Exception as exc:  # a refused or dropped connection is an error too
            status = type(exc).__name__
        with lock:
            outcomes.append((expect, (time.perf_counter() - t) * 1000, status))
            if expect == 302:
                timings.append(timing)

    with ThreadPoolExecutor(64) as pool:
        for item, at in zip(prepared[:len(storm)], offsets, strict=True):
            pool.submit(submit, item, at, 302)
    after = time.monotonic() - start
    with ThreadPoolExecutor(8) as pool:  # after the deadline (plus a second): refused cleanly
        for item in prepared[len(storm):]:
            pool.submit(submit, item, max(window + 1, after), 409)
    on_time = [o for o in outcomes if o[0] == 302]
    errors = [o for o in on_time if o[2] != 302]
    late_ok = sum(1 for o in outcomes if o[0] == 409 and o[2] == 409)
    with ctx.engine.connect() as conn:
        submitted = conn.execute(text("SELECT COUNT(*) FROM applications WHERE season_id = :s AND status = 'submitted'"),
                                 {"s": ids["storm_season_id"]}).scalar()
    samples = [ms for _, ms, _ in on_time]
    row = result(f"submit storm ({len(storm)} founders, {window:.0f} s)", samples, floor=floor,
                 target="0 errors; p95 <= 300 ms; late refused", errors=len(errors), server=timings, late=len(late),
                 late_refused=late_ok, submitted=submitted, prepare_s=round(prepare_s, 1),
                 notes=f"{len(errors)} errors {sorted({str(e[2]) for e in errors})[:3] if errors else ''}; "
                       f"late refused {late_ok}/{len(late)}; {submitted} submitted in the database")
    row["met"] = not errors and row.get("p95", 1e9) <= 300 and late_ok == len(late) and submitted == len(storm)
    return [row]
