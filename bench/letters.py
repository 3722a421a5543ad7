"""Decision-letter delivery alone, quicker than `make bench`: the letters scenario's sending part with
the CPU each worker node spent per letter.

    .venv/bin/python -m bench.letters [--scale 5000] [--letters 4000] [--workers "1 2 4"] [--rate 100000]

Generates a dataset (bench/generate.py; SQLite in a temporary folder, or DATABASE_URL: a throw-away
PostgreSQL database, emptied) and queues the letters once the way a manager sends them
(bench/scenarios/letters.py `_queue`). Then, for each worker count, the letters are set back to
pending with new Message-IDs, a Celery node with that many processes (solo for 1) is started on the
mail and default queues, and `letters.send_batch` is sent. Printed per run: letters a second (from
the task to the last message), lost and duplicated (by Message-ID, at bench/smtp_sink.py's
CountingSink), the node's CPU (all its processes, from /proc) per letter, and this process's (the
sink's) CPU per letter. The broker is the
filesystem transport unless CELERY_BROKER_URL is given. Every process started is stopped by its PID."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the given processes (Linux /proc; 0 for one that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def send_once(ctx, sink, batch_id: int, workers: int, run_no: int, timeout: float) -> dict:
    from bench.processes import CeleryWorker, children
    from bench.scenarios.letters import _purge, _reset

    wanted = _reset(ctx, batch_id, run_no)
    sink.reset()
    node = CeleryWorker(ctx.env, ctx.workdir / f"letters-{workers}-{run_no}.log", queues="mail,default",
                        concurrency=workers, name=f"letters{workers}")
    try:
        node.start()
        time.sleep(1.0)  # the pool's processes finish starting
        pids = node.pids()
        before, sink_before = cpu_seconds(pids), time.process_time()
        started = time.perf_counter()
        ctx.app.extensions["celery"].send_task("letters.send_batch", kwargs={"batch_id": batch_id})
        complete = sink.wait_for(wanted, timeout, quiet=2.0)
        pids = sorted(set(pids) | set(children(node.proc.pid)))
        spent, sink_spent = cpu_seconds(pids) - before, time.process_time() - sink_before
        distinct, dup, other = sink.count(wanted)
        end = sink.last if complete and sink.last else time.perf_counter()
    finally:
        node.stop()
        _purge(ctx)
    elapsed = max(1e-6, end - started)
    return {"workers": workers, "letters": len(wanted), "seconds": round(elapsed, 2),
            "per_second": round(distinct / elapsed, 1), "lost": len(wanted) - distinct, "duplicated": dup,
            "other": other, "cpu_ms_per_letter": round(1000 * spent / max(distinct, 1), 2),
            "sink_cpu_ms_per_letter": round(1000 * sink_spent / max(distinct, 1), 2), "complete": complete}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=5000, help="applications in the generated season")
    parser.add_argument("--letters", type=int, default=4000, help="letters to send at most")
    parser.add_argument("--workers", default="1 2 4", help="worker process counts, one run each")
    parser.add_argument("--rate", default="100000", help="LETTER_RATE_PER_SECOND (high: pacing off)")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    from bench.processes import install_cleanup, stop_all
    from bench.run import _prepare_environment
    from bench.smtp_sink import CountingSink

    workdir = Path(tempfile.mkdtemp(prefix="incubator-letters-"))
    install_cleanup()
    sink = CountingSink().start()
    env = _prepare_environment(workdir, sink.port)
    env["LETTER_RATE_PER_SECOND"] = os.environ["LETTER_RATE_PER_SECOND"] = args.rate
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'letters.db'}"
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = url
    try:
        from bench.generate import generate
        from bench.scenarios.common import Context
        from bench.scenarios.letters import _purge, _queue
        from incubator import create_app
        from incubator.core.celery import ensure_broker_folders

        app = create_app(None, SQLALCHEMY_DATABASE_URI=url)
        ensure_broker_folders(app)
        ids = generate(args.scale, None, database_url=url, app=app)
        ctx = Context(ids=ids, database_url=url, app=app, workdir=workdir, env=env,
                      postgres=url.startswith("postgresql"))
        _purge(ctx)
        batch_id, count, *_timings, queued = _queue(ctx, args.letters)
        print(f"{count} letters queued in {queued:.1f} s ({url.split('?')[0].split('/')[0]}, work folder {workdir})",
              flush=True)
        for run_no, n in enumerate(int(x) for x in args.workers.split()):
            row = send_once(ctx, sink, batch_id, n, run_no + 1, args.timeout)
            print(f"  {n} process{'es' if n > 1 else ''}: {row['per_second']:.0f} letters/s ({row['seconds']} s), "
                  f"lost {row['lost']}, duplicated {row['duplicated']}, worker CPU {row['cpu_ms_per_letter']} ms "
                  f"a letter (the sink, in this process: {row['sink_cpu_ms_per_letter']} ms)"
                  f"{'' if row['complete'] else ', TIMED OUT'}", flush=True)
        ctx.engine.dispose()
    finally:
        stop_all()
        sink.stop()
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
