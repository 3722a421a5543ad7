"""One thing timed in process, on a dataset generated before, for chasing a figure of `make bench`
(a tool, not a scenario: no server, no floor, nothing written to RESULTS.md).

    .venv/bin/python -m bench.generate --applications 20000 --ids-out /tmp/ids.json   # DATABASE_URL
    .venv/bin/python -m bench.inprocess --ids /tmp/ids.json assign          # auto_assign, rolled back
    .venv/bin/python -m bench.inprocess --ids /tmp/ids.json queue --profile # a page, under cProfile

What: `assign` (automatic assignment at a new 4th stage holding the season's applications, k=3,
and the API's JSON answer), or a page through the test client as its user: `queue` and `form` (a
reviewer a third into the pool), `dash` and `app` (a founder), `board` (the manager's leaderboard).
Prints the median wall and CPU times and the queries per page; `--sql` lists one request's
statements with their times; `--profile` prints cProfile's top functions."""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time

from sqlalchemy import event, text

PAGES = ("queue", "form", "dash", "app", "board")


def _assign(app, ids: dict, profile: cProfile.Profile | None) -> None:
    from incubator.accounts.models import User
    from incubator.api.stage_assignments import auto_result_body
    from incubator.applications.models import Application
    from incubator.extensions import db
    from incubator.programs.models import Stage
    from incubator.reviews.assigning import auto_assign

    with app.app_context():
        session = db.session
        try:
            first = session.get(Stage, ids["stage_ids"][0])
            stage = Stage(season_id=first.season_id, position=4, name={"en": "In process"}, reviews_required=3)
            session.add(stage)
            session.flush()
            moved = session.execute(Application.__table__.update().where(
                Application.season_id == ids["season_id"], Application.current_stage_id.is_not(None))
                .values(status="in_review", current_stage_id=stage.id)).rowcount
            manager = session.get(User, ids["manager_id"])
            started, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            outcome = auto_assign(stage, actor=manager, k=3)
            session.flush()
            if profile:
                profile.disable()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            started = time.perf_counter()
            size = len(json.dumps(auto_result_body(outcome), default=str))
            print(f"auto_assign: {moved} applications, {len(outcome.created)} created: {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU; the API's JSON answer ({size / 1e6:.1f} MB) {time.perf_counter() - started:.2f} s")
        finally:
            session.rollback()
            session.remove()


def _page_path(app, ids: dict, which: str) -> tuple[int, str, str]:
    from incubator.extensions import db

    stage = ids["stage_ids"][0]
    with app.app_context():
        conn = db.session.connection()
        if which in ("queue", "form"):
            pool = ids["reviewer_ids"]
            uid = pool[len(pool) // 3]
            first = conn.execute(text("SELECT MIN(id) FROM assignments WHERE stage_id = :s AND reviewer_id = :r "
                                      "AND status = 'active'"), {"s": stage, "r": uid}).scalar()
            path = f"/review/stages/{stage}" if which == "queue" else f"/review/assignments/{first}"
        elif which == "board":
            uid, path = ids["manager_id"], f"/manage/stages/{stage}/leaderboard"
        else:
            uid, app_id = conn.execute(text(
                "SELECT s.owner_id, ap.id FROM applications ap JOIN startups s ON s.id = ap.startup_id "
                "WHERE ap.season_id = :s AND ap.status != 'draft' ORDER BY ap.id LIMIT 1 OFFSET :o"),
                {"s": ids["season_id"], "o": ids["counts"]["applications"] // 3}).one()
            path = "/my/" if which == "dash" else f"/my/applications/{app_id}"
        token = conn.execute(text("SELECT session_token FROM users WHERE id = :u"), {"u": uid}).scalar()
        db.session.remove()
    return uid, f"{uid}:{token}", path


def _page(app, ids: dict, which: str, times: int, sql: bool, profile: cProfile.Profile | None) -> None:
    from incubator.extensions import db

    _, session_user, path = _page_path(app, ids, which)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_user, True
    seen: list[tuple[float, str]] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        seen.append(((time.perf_counter() - conn.info["bench_t0"]) * 1000, " ".join(statement.split())))

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    walls, cpus, queries = [], [], []
    for _ in range(times):
        seen.clear()
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        response = client.get(path)
        if profile:
            profile.disable()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        queries.append(len(seen))
    print(f"{path}: {statistics.median(walls):.1f} ms wall, {statistics.median(cpus):.1f} ms CPU (medians of "
          f"{times}); {max(queries)} queries; {len(response.data) / 1000:.0f} kB")
    if sql:
        for ms, statement in seen:
            print(f"  {ms:6.2f} ms  {statement[:200]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("assign", *PAGES))
    parser.add_argument("--ids", required=True, help="the JSON that bench.generate --ids-out wrote")
    parser.add_argument("--times", type=int, default=30, help="requests to time (pages)")
    parser.add_argument("--sql", action="store_true", help="list one request's statements")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 40 by cumulative time")
    args = parser.parse_args(argv)
    with open(args.ids, encoding="utf-8") as fh:
        ids = json.load(fh)
    from wsgi import app

    profile = cProfile.Profile() if args.profile else None
    if args.what == "assign":
        _assign(app, ids, profile)
    else:
        _page(app, ids, args.what, args.times, args.sql, profile)
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
