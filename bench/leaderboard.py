"""Benchmark of a stage's leaderboard as the manager gets it (a script, not a test).

    .venv/bin/python bench/leaderboard.py 500 5000 [20000]

For each N: a fresh database (SQLite in a temporary folder, or DATABASE_URL: give it an empty
database, the schema is built by the migrations), one stage with N applications x 3 submitted reviews
(5 weighted criteria, ~N/30 reviewers with personal biases), written with bulk inserts. Then it times,
through the app as a logged-in manager would:
  - page: GET /manage/stages/<id>/leaderboard (50 rows, rendered), median of 5, and its SQL count,
    with the stored board current (incubator.selection.board_store: the usual case);
  - cold: the same page right after a change to the scores (the stage's scores_version bumped): the
    board is computed from the reviews and stored, then served; median of 3;
  - board: the query layer alone (stage_leaderboard + the first page of 50), median of 5 (warm);
  - csv / xlsx: the full exports (every row), median of 3;
  - floor: one hand-written SQL query, the weighted mean per application for the stage, best 50 first:
    the least any leaderboard page must do. page/floor is the price of everything else (z-scores over
    the whole stage, flags, facts, filters, the template).
Each figure is printed as wall ms (CPU ms of this process): on a shared, busy machine the CPU time
is the fairer one.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CRITERIA = [("team", 2.0), ("market", 1.0), ("product", 1.5), ("traction", 1.0), ("impact", 0.5)]
REGIONS = ["andijan", "bukhara", "fergana", "namangan", "samarkand", "tashkent_city", "karakalpakstan"]
SECTORS = ["agritech", "edtech", "fintech", "healthtech", "ecommerce", "logistics"]
RECOMMENDATIONS = ["strong_yes", "yes", "maybe", "no", "strong_no", None]
REVIEWS = 3


def build(db, n: int, seed: int = 7) -> tuple[int, int]:
    """The stage, with bulk inserts; returns (stage id, manager id)."""
    from datetime import timedelta

    from sqlalchemy import insert

    from incubator.accounts.models import ProgramRole, Role, User
    from incubator.accounts.passwords import hash_password
    from incubator.applications.models import Application
    from incubator.core.timeutil import utcnow
    from incubator.programs.models import Criterion, Organisation, Program, Season, Stage
    from incubator.reviews.models import Assignment, Review
    from incubator.startups.models import Startup, TeamMember

    rnd = random.Random(seed)
    now = utcnow()
    n_reviewers = max(10, n // 30)
    s = db.session
    s.execute(insert(Organisation), [{"id": 1, "name": "IT Park", "slug": "it-park", "created_at": now}])
    s.execute(insert(Program), [{"id": 1, "organisation_id": 1, "name": "InnoX", "slug": "innox", "summary": {},
                                 "languages": ["en"], "eligibility_rules": [], "created_at": now}])
    s.execute(insert(Season), [{"id": 1, "program_id": 1, "name": "Season 3", "slug": "s3", "description": {},
                                "status": "reviewing", "opens_at": now - timedelta(days=60),
                                "closes_at": now - timedelta(days=30), "quota": max(1, n // 10), "created_at": now}])
    s.execute(insert(Stage), [{"id": 1, "season_id": 1, "position": 1, "name": {"en": "Screening"},
                               "reviews_required": REVIEWS, "created_at": now}])
    s.execute(insert(Criterion), [{"id": i + 1, "stage_id": 1, "key": key, "position": i, "label": {"en": key.title()},
                                   "description": {}, "weight": weight, "created_at": now}
                                  for i, (key, weight) in enumerate(CRITERIA)])
    users = [{"id": 1, "email": "manager@example.org", "name": "Manager", "password_hash": hash_password("bench-pass"),
              "session_token": "bench", "created_at": now},
             {"id": 2, "email": "owner@example.org", "name": "Owner", "password_hash": "x", "session_token": "o",
              "created_at": now}]
    reviewer_ids = list(range(3, 3 + n_reviewers))
    users += [{"id": rid, "email": f"r{rid}@example.org", "name": f"Reviewer {rid}", "password_hash": "x",
               "session_token": f"r{rid}", "created_at": now} for rid in reviewer_ids]
    s.execute(insert(User), users)
    s.execute(insert(ProgramRole), [{"user_id": 1, "program_id": 1, "role": Role.MANAGER, "created_at": now}])
    startups, members, applications, assignments, reviews = [], [], [], [], []
    bias = {rid: rnd.uniform(-0.8, 0.8) for rid in reviewer_ids}
    total_weight = sum(w for _, w in CRITERIA)
    for i in range(1, n + 1):
        startups.append({"id": i, "owner_id": 2, "name": f"Startup {i}", "pitch": "", "description": "",
                         "sector": rnd.choice(SECTORS), "region": rnd.choice(REGIONS), "country": "UZ",
                         "stage": rnd.choice(["idea", "prototype", "mvp", "revenue"]), "created_at": now})
        for m in range(2):
            members.append({"startup_id": i, "name": f"Member {m}", "role": "", "created_at": now,
                            "gender": rnd.choice(["female", "male", "male"])})
        applications.append({"id": i, "season_id": 1, "startup_id": i, "status": "in_review", "current_stage_id": 1,
                             "submitted_at": now, "created_at": now})
        quality = rnd.uniform(1.5, 4.5)
        for rid in rnd.sample(reviewer_ids, REVIEWS):
            aid = len(assignments) + 1
            scores = {key: min(5, max(1, round(quality + bias[rid] + rnd.gauss(0, 0.7)))) for key, _ in CRITERIA}
            assignments.append({"id": aid, "stage_id": 1, "application_id": i, "reviewer_id": rid, "status": "active",
                                "is_auto": True, "reason": "", "reason_key": "", "reason_params": {}, "created_at": now})
            reviews.append({"assignment_id": aid, "scores": scores, "recommendation": rnd.choice(RECOMMENDATIONS),
                            "total": sum(w * scores[k] for k, w in CRITERIA) / total_weight, "feedback": "",
                            "private_note": "", "status": "submitted", "submitted_at": now, "created_at": now})
    for model, rows in ((Startup, startups), (TeamMember, members), (Application, applications),
                        (Assignment, assignments), (Review, reviews)):
        for start in range(0, len(rows), 5000):
            s.execute(insert(model), rows[start:start + 5000])
    s.commit()
    return 1, 1


def floor_query(db):
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        part = "(r.scores->>'{key}')::numeric"
    else:
        part = "json_extract(r.scores, '$.{key}')"
    weighted = " + ".join(f"{w} * {part.format(key=k)}" for k, w in CRITERIA)
    return text(
        f"SELECT a.application_id, AVG(({weighted}) / {sum(w for _, w in CRITERIA)}) AS score "
        "FROM reviews r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.stage_id = :stage AND a.status = 'active' AND r.status = 'submitted' "
        "GROUP BY a.application_id ORDER BY score DESC, a.application_id LIMIT 50")


def median_ms(fn, runs: int) -> tuple[float, float]:
    """(wall, CPU) milliseconds, medians. CPU time is this process's: on a shared machine it is the
    fairer figure (SQLite runs in-process; a PostgreSQL server's own time is not in it)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def run(n: int, database_url: str) -> dict:
    from flask_migrate import upgrade

    from incubator import create_app
    from incubator.extensions import db
    from incubator.programs.models import Stage
    from incubator.selection.leaderboard import stage_leaderboard
    from tests.support.queries import count_queries

    app = create_app(os.environ.get("APP_ENV", "development"), RATELIMIT_ENABLED=False,
                     SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        stage_id, manager_id = build(db, n)
        built = time.perf_counter() - started
        floor_sql = floor_query(db)
        floor = median_ms(lambda: db.session.execute(floor_sql, {"stage": stage_id}).all(), 5)

        def board():
            with app.test_request_context("/"):
                stage = db.session.get(Stage, stage_id)
                stage_leaderboard(stage, commit=True).page(1, 50)
            db.session.remove()

        board()  # the first read stores the board
        board_ms = median_ms(board, 5)

    def bump():
        with app.app_context():
            table = Stage.__table__
            db.session.execute(table.update().where(table.c.id == stage_id)
                               .values(scores_version=table.c.scores_version + 1))
            db.session.commit()
            db.session.remove()

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{manager_id}:bench"
        session["_fresh"] = True

    def get(path: str):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return call

    page_path = f"/manage/stages/{stage_id}/leaderboard"
    page = median_ms(get(page_path), 5)
    cold_runs = []
    for _ in range(3):
        bump()
        cold_runs.append(median_ms(get(page_path), 1))
    cold = (statistics.median(w for w, _ in cold_runs), statistics.median(c for _, c in cold_runs))
    with app.app_context(), count_queries() as counter:
        get(page_path)()
    csv_ms = median_ms(get(page_path + ".csv"), 3)
    xlsx_ms = median_ms(get(page_path + ".xlsx"), 3)
    size = len(get(page_path + ".xlsx")().data)
    return {"n": n, "reviews": n * REVIEWS, "built_s": built, "floor": floor, "board": board_ms, "page": page,
            "cold": cold,
            "queries": counter.count, "csv": csv_ms, "xlsx": xlsx_ms, "xlsx_kb": size // 1024}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [500, 5000]
    given_url = os.environ.get("DATABASE_URL")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-leaderboard-") as tmp:
        os.environ["INSTANCE_PATH"] = tmp  # before the config is imported: nothing lands in instance/
        for n in sizes:
            url = given_url or f"sqlite:///{tmp}/bench-{n}.db"
            results.append(run(n, url))
            print(f"  built N={n:,} in {results[-1]['built_s']:.1f} s", file=sys.stderr)
    def pair(value):
        return f"{value[0]:.0f} ({value[1]:.0f})"

    columns = ("floor", "board", "page", "cold", "csv", "xlsx")
    print(f"{'applications':>12} {'reviews':>8} " + " ".join(f"{c + ' ms':>15}" for c in columns)
          + f" {'page/floor':>10} {'SQL/page':>8} {'XLSX KB':>8}")
    for r in results:
        print(f"{r['n']:>12,} {r['reviews']:>8,} " + " ".join(f"{pair(r[c]):>15}" for c in columns)
              + f" {r['page'][0] / r['floor'][0]:>10.1f} {r['queries']:>8} {r['xlsx_kb']:>8}")
    print(f"wall ms (CPU ms of this process); floor, page and board: median of 5; cold page and exports: median of 3; "
          f"Python {sys.version.split()[0]}; database: {'DATABASE_URL' if given_url else 'SQLite (temporary file)'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
