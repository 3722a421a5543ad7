"""The season report at scale: how long compiling every format takes and how much memory the worker
needs, at 5,000 and 20,000 applications (issue 6: <= 10 s and <= 400 MB at 20,000).

    .venv/bin/python -m bench.season_report                       # 5,000 and 20,000
    .venv/bin/python -m bench.season_report --applications 5000 --repeat 2 --json out.json
    .venv/bin/python -m bench.season_report --dataset bench       # bench/generate.py's season
    .venv/bin/python -m bench.season_report --dataset bench --database-url "$TEST_DATABASE_URL"   # PostgreSQL

For each scale it builds a season on a fresh SQLite database in its own process (by default
tests/support/report_large.py: 2 stages, 2 reviews each, 40 reviewers; with `--dataset bench`,
bench/generate.py's main season: 3 stages, 3 reviews at stage 1, 150 to 300 reviewers), then
compiles one report in a FRESH process, as a worker would: WeasyPrint preloaded first, as the reports
worker does when it starts (workers/app.py; `--no-preload` for a cold process), then
(incubator.reports.pipeline.compile_report: figures, charts + HTML, PDF, XLSX, CSVs, saving), and
prints the wall and CPU time of each step, the total, and the process's peak RSS (getrusage
ru_maxrss: the high-water mark of the whole process, the app's import included) next to its RSS
before compiling. The machine's load average is printed with each figure: on a shared machine the
wall times move with it, the CPU times much less."""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 10.0, 400


def _environment(directory: str, database_url: str | None = None) -> dict:
    env = dict(os.environ)
    env.update(APP_ENV="testing", INSTANCE_PATH=directory, DATABASE_URL=database_url or f"sqlite:///{directory}/report.db",
               MAIL_BACKEND="memory", PYTHONPATH=str(ROOT))
    return env


def _app():
    from flask_migrate import upgrade

    from incubator import create_app

    app = create_app()
    return app, upgrade


def _rss_mb() -> float:
    """The current resident set size (not the peak), in MB."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


# --- In the child processes ---------------------------------------------------------------------------


def build(applications: int, dataset: str) -> None:
    if dataset == "bench":
        from bench.generate import generate

        started = time.perf_counter()
        ids = generate(applications, database_url=os.environ["DATABASE_URL"], app=_app()[0])
        print(json.dumps({"season_id": ids["season_id"], "build_seconds": round(time.perf_counter() - started, 2)}))
        return
    if os.environ["DATABASE_URL"].startswith("postgresql"):
        from bench.generate import reset_postgres

        reset_postgres(os.environ["DATABASE_URL"])  # a throw-away database (its name says bench or test)
    app, upgrade = _app()
    with app.app_context():
        upgrade()
        from incubator.extensions import db
        from tests.support.report_large import build_large_season

        started = time.perf_counter()
        season = build_large_season(applications)
        db.session.commit()
        print(json.dumps({"season_id": season.id, "build_seconds": round(time.perf_counter() - started, 2)}))


def measure(season_id: int, preload: bool = True, locale: str = "en") -> None:
    app, _upgrade = _app()
    with app.app_context():
        from incubator.extensions import db
        from incubator.programs.models import Season
        from incubator.reports.models import SeasonReport
        from incubator.reports.pipeline import compile_report
        from incubator.reports.services import request_report

        report = request_report(db.session.get(Season, season_id), actor=None, locale=locale)
        db.session.commit()
        report_id = report.id
        db.session.expunge_all()
        preload_seconds = None
        if preload:  # as the reports worker does when it starts (workers/app.py)
            from incubator.reports.render_pdf import preload as preload_pdf

            preload_seconds = round(preload_pdf(), 2)
        idle = _rss_mb()
        load = os.getloadavg()
        wall, cpu = time.perf_counter(), time.process_time()
        result = compile_report(report_id)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        report = db.session.get(SeasonReport, report_id)
        files = {f["name"].rsplit("-", 1)[-1] if f["format"] == "csv" else f["format"]: f["size"]
                 for f in report.files or []}
        print(json.dumps({
            "status": str(report.status), "wall": round(wall, 2), "cpu": round(cpu, 2),
            "steps": result.get("seconds", {}), "steps_cpu": result.get("cpu_seconds", {}),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_before_mb": round(idle), "preload_seconds": preload_seconds, "load_before": [round(x, 2) for x in load],
            "load_after": [round(x, 2) for x in os.getloadavg()], "files": files}))


# --- The driver ---------------------------------------------------------------------------------------


def _child(args: list[str], env: dict) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.season_report", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench.season_report {' '.join(args)} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(scale: int, run: dict) -> str:
    steps = run["steps"]
    cpu = run.get("steps_cpu") or {}
    parts = ", ".join(f"{name} {steps[name]:.2f}" + (f"/{cpu[name]:.2f}" if name in cpu else "")
                      for name in steps)
    met = run["wall"] <= TARGET_SECONDS and run["peak_rss_mb"] <= TARGET_MB
    preload = f", WeasyPrint preloaded in {run['preload_seconds']:.2f} s" if run.get("preload_seconds") else ""
    return (f"{scale:>6,}  total {run['wall']:6.2f} s wall / {run['cpu']:6.2f} s CPU   peak RSS {run['peak_rss_mb']} MB "
            f"(before compiling {run['rss_before_mb']} MB{preload})   load {run['load_before'][0]:.2f} -> "
            f"{run['load_after'][0]:.2f}   {'meets' if met else 'MISSES'} <= {TARGET_SECONDS:.0f} s, "
            f"<= {TARGET_MB} MB\n        steps (s wall/CPU): {parts}\n        files (bytes): {run['files']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=1, help="compilations per scale (each in a fresh process)")
    parser.add_argument("--dataset", choices=("large", "bench"), default="large",
                        help="tests/support/report_large.py (default) or bench/generate.py")
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (its name must contain bench or "
                        "test: it is emptied), e.g. $TEST_DATABASE_URL from scripts/services.sh; default: a fresh "
                        "SQLite file per scale")
    parser.add_argument("--no-preload", action="store_true",
                        help="do not preload WeasyPrint before compiling (the reports worker does, workers/app.py)")
    parser.add_argument("--locale", default="en", choices=("en", "ru", "uz"))
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        return build(args.build, args.dataset)
    if args.measure:
        return measure(args.measure, preload=not args.no_preload, locale=args.locale)

    mode = "cold" if args.no_preload else "WeasyPrint preloaded as the reports worker does"
    print(f"season report ({args.dataset} dataset, {'PostgreSQL' if args.database_url else 'SQLite'}, {mode}): "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the start; "
          "wall/CPU seconds per step; peak RSS of the compiling process (ru_maxrss)")
    results = []
    for scale in args.applications:
        with tempfile.TemporaryDirectory(prefix="bench-report-") as directory:
            env = _environment(directory, args.database_url)
            built = _child(["--build", str(scale), "--dataset", args.dataset], env)
            options = ["--locale", args.locale] + (["--no-preload"] if args.no_preload else [])
            for _ in range(args.repeat):
                run = _child(["--measure", str(built["season_id"]), *options], env)
                run.update(scale=scale, dataset=args.dataset, build_seconds=built["build_seconds"],
                           database="postgresql" if args.database_url else "sqlite")
                results.append(run)
                print(_line(scale, run), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
