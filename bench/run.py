"""`make bench`: every scenario of issue 6 at each scale, against gunicorn (2 workers) and real Celery
workers on loopback; prints a table, writes bench/results/<time>.json and updates bench/RESULTS.md.
It reports; it never fails on a missed target.

Settings (environment):
  BENCH_SCALES            "500 5000 20000"  applications in the main season, one run each
  DATABASE_URL            PostgreSQL (a throw-away database: emptied at every scale) instead of SQLite files
  CELERY_BROKER_URL / REDIS_URL   Redis instead of the filesystem broker
  BENCH_REVIEWERS         the reviewer pool (default 150 up to 300 at 20,000 applications)
  BENCH_REPEAT=15, BENCH_REPEAT_SLOW=5 (exports), BENCH_BUDGET=90 (seconds of repetitions per scenario)
  BENCH_STORM             1/0: the submit storm (default: on with PostgreSQL only); BENCH_STORM_SECONDS=120
  BENCH_LETTERS=10000, BENCH_LETTER_WORKERS="1 2 4", BENCH_LETTER_TIMEOUT=300
  BENCH_SKIP              scenarios to leave out, e.g. "letters,report" (pages, storm, memory, assign, letters, report)
  BENCH_KEEP=1            keep the work folder (databases, logs) afterwards

Every process it starts (gunicorn, Celery nodes) is stopped by its PID on the way out, also on
Ctrl-C and errors. Logs are in the work folder printed at the start."""
from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _prepare_environment(workdir: Path, sink_port: int) -> dict:
    """The settings of the server, the workers and this process (before `config` is imported)."""
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    settings = {
        "APP_ENV": "production", "SESSION_COOKIE_SECURE": "0", "SECRET_KEY": secrets.token_hex(32),
        "INSTANCE_PATH": str(workdir / "instance"), "RATELIMIT_ENABLED": "0", "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink_port),
        "LETTER_RATE_PER_SECOND": "100000", "PUBLIC_BASE_URL": "http://127.0.0.1",
        "CELERY_BROKER_URL": broker, "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(settings)
    if not broker:
        os.environ.pop("CELERY_BROKER_URL", None)
    return {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL" or broker}


def run_scale(scale: int, *, workdir: Path, env: dict, sink, database_url: str | None, skip: set[str],
              rows: list, notes: list) -> None:
    """Run every scenario at one scale, appending to `rows` and `notes` as it goes (so an interruption
    keeps what was measured)."""
    from bench.generate import generate
    from bench.processes import Gunicorn, memory_kb
    from bench.scenarios import assign, letters, pages, season_report, storm
    from bench.scenarios.common import Context, result
    from incubator import create_app
    from incubator.core.celery import ensure_broker_folders

    url = database_url or f"sqlite:///{workdir / f'bench-{scale}.db'}"
    env = {**env, "DATABASE_URL": url}
    os.environ["DATABASE_URL"] = url
    app = create_app(None, SQLALCHEMY_DATABASE_URI=url)
    ensure_broker_folders(app)
    print(f"\n== {scale:,} applications: generating ({url.split('?')[0]}) ...", flush=True)
    ids = generate(scale, _env_int("BENCH_REVIEWERS", 0) or None, database_url=url, app=app)
    print(f"   {ids['counts']} in {ids['seconds']['total']:.1f} s", flush=True)
    ctx = Context(ids=ids, database_url=url, app=app, workdir=workdir, env=env, repeat=_env_int("BENCH_REPEAT", 15),
                  repeat_slow=_env_int("BENCH_REPEAT_SLOW", 5), budget=float(_env_int("BENCH_BUDGET", 90)),
                  postgres=url.startswith("postgresql"))
    counts = ("{applications} applications, {reviews} reviews, {answers} answers, {events} events, "
              "{conflicted_pairs} conflicted pairs, {reviewers} reviewers").format(**ids["counts"])
    rows.append({**result("generate the dataset", [ids["seconds"]["total"] * 1000], target="20,000 well under 2 min",
                          notes=counts), "scale": scale})

    def step(name: str, fn):
        if name in skip:
            notes.append(f"{scale:,}: {name}: skipped (BENCH_SKIP)")
            return
        print(f"   {name} ...", flush=True)
        started = time.monotonic()
        try:
            rows.extend({**row, "scale": scale} for row in fn())
        except Exception as exc:  # report and go on: one broken scenario must not hide the others
            traceback.print_exc()
            notes.append(f"{scale:,}: {name}: FAILED: {type(exc).__name__}: {exc}"[:400])
        print(f"   {name}: {time.monotonic() - started:.0f} s", flush=True)
        notes.extend(f"{scale:,}: {note}" for note in ctx.notes)
        ctx.notes.clear()

    web = Gunicorn(env, workdir / f"gunicorn-{scale}.log").start()
    ctx.base_url = web.url
    try:
        step("pages", lambda: pages.run(ctx))
        storm_on = os.environ.get("BENCH_STORM", "1" if ctx.postgres else "0") == "1"
        if storm_on:
            step("storm", lambda: storm.run(ctx, float(_env_int("BENCH_STORM_SECONDS", 120))))
        else:
            notes.append(f"{scale:,}: submit storm: not run (PostgreSQL only; BENCH_STORM=1 forces it on SQLite)")

        def memory():
            sizes = {pid: memory_kb(pid).get("VmRSS", 0) / 1024 for pid in web.worker_pids()}
            worst = max(sizes.values()) if sizes else 0
            return [result("web worker memory after the scenarios", None, unit="MB", figure=f"{worst:.0f} MB",
                           target="<= 250 MB", met=worst <= 250 if sizes else None,
                           notes="RSS per worker: " + ", ".join(f"{v:.0f} MB" for v in sizes.values()),
                           rss_mb=sizes)]
        step("memory", memory)
    finally:
        web.stop()
    step("assign", lambda: assign.run(ctx))
    workers = tuple(int(x) for x in os.environ.get("BENCH_LETTER_WORKERS", "1 2 4").split())
    step("letters", lambda: letters.run(ctx, sink, limit=_env_int("BENCH_LETTERS", 10_000), workers=workers,
                                        timeout=float(_env_int("BENCH_LETTER_TIMEOUT", 300))))
    step("report", lambda: season_report.run(ctx))
    from incubator.extensions import db

    with app.app_context():
        db.engine.dispose()
    ctx.engine.dispose()


def main() -> int:
    from bench.processes import install_cleanup, stop_all

    scales = [int(s) for s in os.environ.get("BENCH_SCALES", "500 5000 20000").split()]
    database_url = os.environ.get("DATABASE_URL") or None
    skip = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}
    workdir = Path(tempfile.mkdtemp(prefix="incubator-bench-"))
    print(f"bench: scales {scales}; work folder {workdir}", flush=True)
    install_cleanup()
    from bench.smtp_sink import CountingSink

    sink = CountingSink().start()
    env = _prepare_environment(workdir, sink.port)
    from bench import report

    run = {"started": report.now_iso(), "scales": scales, "command": " ".join(
        [f"BENCH_SCALES='{' '.join(map(str, scales))}'"] + (["DATABASE_URL=..."] if database_url else []) + ["make bench"]),
        "machine": report.machine(database_url, env.get("CELERY_BROKER_URL")), "rows": [], "notes": []}
    started = time.monotonic()
    interrupted = False
    try:
        for scale in scales:
            try:
                run_scale(scale, workdir=workdir, env=env, sink=sink, database_url=database_url, skip=skip,
                          rows=run["rows"], notes=run["notes"])
            except Exception as exc:  # a scale that cannot run (no server, no database): say so, go on
                traceback.print_exc()
                run["notes"].append(f"{scale:,}: FAILED: {type(exc).__name__}: {exc}"[:400])
                stop_all()
    except KeyboardInterrupt:
        interrupted = True
        run["notes"].append("interrupted (Ctrl-C): the table holds what was measured")
    finally:
        stop_all()
        sink.stop()
    run["seconds"] = time.monotonic() - started
    print()
    report.print_table(run["rows"])
    for note in run["notes"]:
        print(f"- {note}")
    run["json"] = str(report.write_json(run))
    full = sorted(scales) == [500, 5000, 20000] and not skip
    if interrupted:
        print(f"\nJSON: {run['json']}; bench/RESULTS.md left as it was (interrupted run)")
    else:
        report.update_results_md(run, full=full)
        print(f"\nJSON: {run['json']}; bench/RESULTS.md updated ({'full' if full else 'partial'} run)")
    if os.environ.get("BENCH_KEEP") == "1":
        print(f"work folder kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
