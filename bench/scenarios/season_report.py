"""The season report, all formats, by a real worker: the report is requested the way the app does it
(incubator.reports.services.request_report, committed: the `reports.compile` task goes to the
`reports` queue), a fresh Celery node (solo) on that queue compiles it, and the bench waits for the
report to be done. Timed: the worker's own time (started_at -> finished_at on the report row) and the
time from the request to done; the worker's peak memory is its VmHWM (peak resident set) afterwards.

The floor: the funnel (applications per stage and status) by one GROUP BY query.
Skipped, with a note, when incubator.reports.pipeline.compile_report cannot be imported."""
from __future__ import annotations

import time

from sqlalchemy import text

from bench.processes import CeleryWorker, memory_kb
from bench.scenarios.common import Context, floor_ms, result


def _steps(log_path) -> dict | None:
    """The pipeline's seconds per step, from the task's result the worker logs ("succeeded in ...: {...}")."""
    import ast
    import re

    try:
        lines = [line for line in log_path.read_text(errors="replace").splitlines() if "reports.compile" in line
                 and "succeeded" in line]
    except OSError:
        return None
    found = re.search(r"succeeded in [0-9.]+s: (\{.*\})\s*$", lines[-1]) if lines else None
    try:
        return ast.literal_eval(found.group(1)).get("seconds") if found else None
    except (ValueError, SyntaxError):
        return None


def run(ctx: Context, timeout: float = 300) -> list[dict]:
    try:
        from incubator.reports.pipeline import compile_report  # noqa: F401
        from incubator.reports.services import request_report
    except Exception as exc:  # noqa: BLE001 - another helper may still be building it
        ctx.notes.append(f"season report skipped: {type(exc).__name__}: {exc}")
        return [result("season report (all formats)", None, figure="skipped", target="<= 10 s; worker <= 400 MB",
                       notes=f"import failed: {exc}")]
    from incubator.accounts.models import User
    from incubator.extensions import db
    from incubator.programs.models import Season

    worker = CeleryWorker(ctx.env, ctx.workdir / "report-worker.log", queues="reports", name="report")
    worker.start()
    try:
        idle = memory_kb(worker.proc.pid)
        with ctx.app.app_context():
            season = db.session.get(Season, ctx.ids["season_id"])
            report = request_report(season, actor=db.session.get(User, ctx.ids["manager_id"]), locale="en")
            report_id = report.id
            started = time.perf_counter()
            db.session.commit()
            db.session.remove()
        status, deadline = "queued", time.monotonic() + timeout
        while time.monotonic() < deadline:
            with ctx.engine.connect() as conn:
                status = conn.execute(text("SELECT status FROM season_reports WHERE id = :id"), {"id": report_id}).scalar()
            if status in ("done", "failed"):
                break
            time.sleep(0.2)
        end_to_end = time.perf_counter() - started
        peak = memory_kb(worker.proc.pid)
    finally:
        worker.stop()
    from incubator.reports.models import SeasonReport

    with ctx.app.app_context():
        report = db.session.get(SeasonReport, report_id)
        started_at, finished_at, error, files = report.started_at, report.finished_at, report.error, report.files
        db.session.remove()
    worker_s = (finished_at - started_at).total_seconds() if started_at and finished_at else None
    floor = floor_ms(ctx, "SELECT current_stage_id, status, COUNT(*) FROM applications WHERE season_id = :s "
                          "GROUP BY current_stage_id, status", lambda i: {"s": ctx.ids["season_id"]})
    peak_mb = peak.get("VmHWM", 0) / 1024
    n_files = len(files or [])
    steps = _steps(ctx.workdir / "report-worker.log")
    out = result("season report (all formats)", [end_to_end * 1000], floor=floor,
                 target="<= 10 s; worker peak <= 400 MB",
                 notes=f"status {status}; worker time {worker_s if worker_s is None else round(worker_s, 1)} s; "
                       f"worker peak {peak_mb:.0f} MB (idle {idle.get('VmRSS', 0) / 1024:.0f} MB); {n_files} files"
                       + (f"; steps (s): {steps}" if steps else "") + (f"; error: {str(error)[:200]}" if error else ""),
                 status=status, steps=steps, worker_seconds=worker_s, worker_peak_mb=round(peak_mb, 1), files=n_files)
    out["met"] = status == "done" and end_to_end <= 10 and peak_mb <= 400
    return [out]
