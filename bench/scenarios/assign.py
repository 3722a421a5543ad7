"""Automatic assignment, in process: incubator.reviews.assigning.auto_assign on a stage with no
assignments yet, holding every reviewed application of the season (k=3 over the whole pool, with the
stored and detected conflicts), timed end to end (read the stage, solve, insert, queue the reviewers'
notifications); the API's JSON answer is timed apart. It runs in a transaction that is rolled back:
the stage (a 4th one) and the moves vanish afterwards.

Checked: every application got 3 distinct reviewers, none conflicted (conflicts as the app detects
them), nobody over their maximum load. The floor: the same number of rows written by one
INSERT ... SELECT (reviewers dealt round-robin, conflicts ignored), rolled back too."""
from __future__ import annotations

import json
import time

from sqlalchemy import func, select, text

from bench.scenarios.common import Context, result


def _floor(ctx: Context, k: int) -> float:
    """INSERT ... SELECT of k assignments per application (no conflict check), in ms, rolled back."""
    pool = len(ctx.ids["reviewer_ids"])
    first = ctx.ids["reviewer_ids"][0]
    with ctx.engine.connect() as conn:
        tx = conn.begin()
        conn.execute(text("INSERT INTO stages (season_id, position, name, reviews_required, is_blind, "
                          "reviewers_see_others, disagreement_threshold, created_at) "
                          "VALUES (:s, 4, '{}', 3, false, false, 1, CURRENT_TIMESTAMP)"), {"s": ctx.ids["season_id"]})
        new_stage = conn.execute(text("SELECT MAX(id) FROM stages")).scalar()
        started = time.perf_counter()
        for j in range(k):
            conn.execute(text(
                "INSERT INTO assignments (stage_id, application_id, reviewer_id, status, is_auto, reason, reason_key, "
                "reason_params, created_at) SELECT :stage, id, :first + ((id * 7 + :j * 101) % :pool), 'active', true, "
                "'', 'balance', '{}', CURRENT_TIMESTAMP FROM applications WHERE season_id = :season AND "
                "current_stage_id IS NOT NULL"), {"stage": new_stage, "first": first, "j": j, "pool": pool,
                                                  "season": ctx.ids["season_id"]})
        elapsed = (time.perf_counter() - started) * 1000
        tx.rollback()
    return elapsed


def run(ctx: Context, k: int = 3) -> list[dict]:
    from incubator.accounts.models import User
    from incubator.api.stage_assignments import auto_result_body
    from incubator.applications.models import Application
    from incubator.extensions import db
    from incubator.programs.models import Stage
    from incubator.reviews.assigning import auto_assign, load_stage
    from incubator.reviews.models import Assignment, ReviewerProfile

    ids = ctx.ids
    with ctx.app.app_context():
        session = db.session
        try:
            season_stage = session.get(Stage, ids["stage_ids"][0])
            stage = Stage(season_id=season_stage.season_id, position=4, name={"en": "Bench assignment"},
                          reviews_required=k, is_blind=True)
            session.add(stage)
            session.flush()
            moved = session.execute(
                Application.__table__.update()
                .where(Application.season_id == ids["season_id"], Application.current_stage_id.is_not(None))
                .values(status="in_review", current_stage_id=stage.id)).rowcount
            manager = session.get(User, ids["manager_id"])
            started, cpu = time.perf_counter(), time.process_time()
            outcome = auto_assign(stage, actor=manager, k=k)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            body_started = time.perf_counter()  # what the API request adds: its JSON answer
            body_size = len(json.dumps(auto_result_body(outcome), default=str))
            body_s = time.perf_counter() - body_started
            # The checks, against the database and the app's own conflict detection.
            per_app = dict(session.execute(select(Assignment.application_id, func.count(func.distinct(
                Assignment.reviewer_id))).where(Assignment.stage_id == stage.id).group_by(Assignment.application_id)).all())
            short = sum(1 for n in per_app.values() if n < k) + (moved - len(per_app))
            state = load_stage(stage)
            pairs = session.execute(select(Assignment.reviewer_id, Assignment.application_id)
                                    .where(Assignment.stage_id == stage.id)).all()
            conflicted = sum(1 for rid, aid in pairs if (rid, aid) in state.conflicts)
            maxima = dict(session.execute(select(ReviewerProfile.user_id, ReviewerProfile.max_load)
                                          .where(ReviewerProfile.program_id == ids["program_id"])).all())
            loads: dict[int, int] = {}
            for rid, _ in pairs:
                loads[rid] = loads.get(rid, 0) + 1
            over = sum(1 for rid, load in loads.items() if load > maxima.get(rid, 0))
            spread = (max(loads.values()) - min(loads.values())) if loads else 0
        finally:
            session.rollback()
            session.remove()
    floor = _floor(ctx, k)
    ok = short == 0 and conflicted == 0 and over == 0 and not outcome.unfilled
    row = result(f"automatic assignment ({moved} x {k} over {len(ids['reviewer_ids'])})", [elapsed * 1000],
                 floor={"median": floor}, target="<= 10 s, constraints all met",
                 notes=f"{len(outcome.created)} created, cpu {cpu:.1f} s; the API's JSON answer "
                       f"({body_size / 1e6:.1f} MB) took {body_s:.1f} s more; "
                       f"short {short}, conflicted {conflicted}, over max {over}, load spread {spread}; "
                       f"{len(state.conflicts)} conflicted pairs known", created=len(outcome.created),
                 conflicted=conflicted, short=short, over_max=over, load_spread=spread, cpu_s=round(cpu, 2),
                 api_body_s=round(body_s, 2))
    row["met"] = ok and elapsed <= 10
    return [row]
