"""Printing the results: the table, the JSON file and bench/RESULTS.md (its last-run section only)."""
from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_MD = HERE / "RESULTS.md"


def _markers(kind: str, database: str) -> tuple[str, str]:
    """The section of RESULTS.md a run rewrites: the last full run and the last partial run, per database."""
    return f"<!-- bench:{kind}:{database} -->", f"<!-- /bench:{kind}:{database} -->"


def machine(database_url: str | None, broker_url: str | None) -> dict:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    info = {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory_kb / 2**20, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "platform": platform.platform(),
            "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
            "database": "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite",
            "broker": "redis" if broker_url and broker_url.startswith("redis") else "filesystem"}
    for name in ("flask", "sqlalchemy", "celery", "gunicorn", "kombu"):
        try:
            from importlib.metadata import version

            info[name] = version(name)
        except Exception:  # noqa: BLE001
            pass
    if info["database"] == "postgresql":
        try:
            from sqlalchemy import create_engine, text

            engine = create_engine(database_url)
            with engine.connect() as conn:
                info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
            engine.dispose()
        except Exception as exc:  # noqa: BLE001
            info["postgresql"] = f"unknown ({exc.__class__.__name__})"
    return info


def _ms(value) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def table(rows: list[dict]) -> list[str]:
    head = ["scale", "scenario", "p50", "p95", "spread", "n", "server p50 (cpu)", "floor", "x floor", "target", "met",
            "notes"]
    body = []
    for r in rows:
        figure = r.get("figure") or _ms(r.get("median"))
        server = "-"
        if r.get("server_app"):
            server = _ms(r["server_app"]["median"]) + (f" ({_ms(r['server_cpu']['median'])})" if r.get("server_cpu")
                                                      else "")
        body.append([f"{r['scale']:,}", r["scenario"], figure, _ms(r.get("p95")) if r.get("n", 0) > 1 else "-",
                     _ms(r.get("spread")) if r.get("n", 0) > 1 else "-", str(r.get("n", "-")), server,
                     _ms(r.get("floor")),
                     f"{r['ratio']:.1f}" if r.get("ratio") else "-", r.get("target", ""),
                     {True: "yes", False: "NO", None: "-"}[r.get("met")], r.get("notes", "")])
    return [head] + body


def print_table(rows: list[dict]) -> None:
    lines = table(rows)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for k, line in enumerate(lines):
        print(" | ".join(v.ljust(w) for v, w in zip(line, widths, strict=False)) + " | " + line[-1])
        if k == 0:
            print("-+-".join("-" * w for w in widths) + "-+-" + "-" * 5)


def markdown(rows: list[dict]) -> str:
    lines = table(rows)
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(lines[0])]
    out += ["| " + " | ".join(v.replace("|", "/") for v in line) + " |" for line in lines[1:]]
    return "\n".join(out)


def write_json(run: dict) -> Path:
    folder = HERE / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"{run['started'].replace(':', '').replace('-', '')}.json"
    run["json"] = str(path.relative_to(HERE.parent))
    path.write_text(json.dumps(run, indent=1, default=str))
    return path


def update_results_md(run: dict, *, full: bool) -> None:
    m = run["machine"]
    versions = f"Python {m['python']}, SQLite {m['sqlite']}" + (f", PostgreSQL {m['postgresql']}"
                                                                if m.get("postgresql") else "")
    section = "\n".join([
        f"Run {run['started']} ({'full' if full else 'partial'} run: scales {', '.join(map(str, run['scales']))}; "
        f"`{run['command']}`), {run['seconds']:.0f} s.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu'] or 'cpu unknown'}), {m['memory_gb']} GB; load average at the "
        f"start {m['load_average_at_start']}; {versions}; database {m['database']}, broker {m['broker']}; "
        f"gunicorn {m.get('gunicorn', '?')}, Celery {m.get('celery', '?')}.",
        "",
        markdown(run["rows"]),
        "",
        "p50 = median of the client's wall time (loopback, body read); spread = interquartile range; server p50 = "
        "the server's own wall time (and the CPU time of the worker thread) from the Server-Timing header that "
        "bench/wsgi_timed.py adds; floor = the same result from one hand-written SQL query (see each scenario's "
        "module); x floor = server p50 (else p50) / floor. Targets on pages are judged on the server p50. "
        "JSON with every sample: "
        f"`bench/results/{Path(run['json']).name}`.",
        "",
        *(f"- {note}" for note in run["notes"]),
    ])
    start, end = _markers("last-full-run" if full else "last-partial-run", m["database"])
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    block = f"{start}\n{section}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        title = f"## Last {'full' if full else 'partial'} run ({m['database']})"
        text = text.rstrip() + f"\n\n{title}\n\n{block}\n"
    RESULTS_MD.write_text(text)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
