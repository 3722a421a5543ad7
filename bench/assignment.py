"""Benchmark of automatic reviewer assignment (a script, not a test).

    .venv/bin/python bench/assignment.py

Generates stages with 10 sectors, 3 languages, ~1% conflicted (reviewer, application) pairs and
equal maxima sized to fit (25% headroom), solves each three times (the input shuffled on the 2nd
and 3rd runs, which must give the same result) and prints the median wall-clock and CPU times
(CPU is the fairer figure on a busy machine) and the checks: every application has k distinct
reviewers, no conflict, no reviewer over the maximum, no new assignment that could move to a
reviewer two or more reviews less busy; and the load spread.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incubator.reviews.assignment import Application, Reviewer, assign_reviewers  # noqa: E402

SECTORS = ["agritech", "fintech", "edtech", "healthtech", "e-commerce", "logistics", "cleantech", "govtech", "media", "ai"]
LANGUAGES = ["uz", "ru", "en"]


def make_stage(n_apps: int, n_reviewers: int, k: int, seed: int, conflict_rate: float = 0.01, first_reviewer: int = 1):
    rng = random.Random(seed)
    apps = [
        Application(i, rng.choices(SECTORS, weights=range(len(SECTORS), 0, -1))[0], rng.choices(LANGUAGES, weights=(6, 3, 1))[0])
        for i in range(1, n_apps + 1)
    ]
    max_load = math.ceil(1.25 * n_apps * k / n_reviewers)
    reviewers = [
        Reviewer(
            rid,
            max_load,
            frozenset(rng.sample(SECTORS, rng.randint(1, 3))),
            frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
        )
        for rid in range(first_reviewer, first_reviewer + n_reviewers)
    ]
    n_conflicts = int(conflict_rate * n_apps * n_reviewers)
    conflicts = {(rng.choice(reviewers).id, rng.randint(1, n_apps)) for _ in range(n_conflicts)}
    return apps, reviewers, conflicts


def check(apps, reviewers, conflicts, existing, k, result) -> dict[str, object]:
    on = {a.id: set(existing.get(a.id, ())) for a in apps}
    for x in result.new:
        on[x.application_id].add(x.reviewer_id)
    by_id = {r.id: r for r in reviewers}
    loads = result.loads
    complete = all(len(on[a.id]) >= k for a in apps) and not result.unfilled
    distinct = len(result.new) == len({(x.application_id, x.reviewer_id) for x in result.new})
    no_conflict = not any((x.reviewer_id, x.application_id) in conflicts for x in result.new)
    under_max = all(loads[r.id] <= r.max_load for r in reviewers)
    # weak balance: no new (a, r1) with an eligible r2 (room, not on a, not conflicted) at <= L1 - 2
    with_room = sorted((loads[r.id], r.id) for r in reviewers if loads[r.id] < by_id[r.id].max_load)
    movable = 0
    for x in result.new:
        limit = loads[x.reviewer_id] - 2
        for load, rid in with_room:
            if load > limit:
                break
            if rid not in on[x.application_id] and (rid, x.application_id) not in conflicts:
                movable += 1
                break
    values = list(loads.values())
    return {
        "ok": complete and distinct and no_conflict and under_max and movable == 0,
        "min": min(values),
        "max": max(values),
        "spread": max(values) - min(values),
        "matched": sum(x.reason_key != "balance" for x in result.new) / max(1, len(result.new)),
    }


def run(name: str, apps, reviewers, conflicts, k: int, existing=None) -> list[str]:
    existing = existing or {}
    times, cpu_times, results = [], [], []
    for attempt in range(3):
        rng = random.Random(attempt)
        a, r = list(apps), list(reviewers)
        if attempt:
            rng.shuffle(a)
            rng.shuffle(r)
        start, cpu = time.perf_counter(), time.process_time()
        results.append(assign_reviewers(a, r, k=k, existing=existing, conflicts=conflicts))
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    result = results[0]
    c = check(apps, reviewers, conflicts, existing, k, result)
    same = all(x == result for x in results[1:])
    return [
        name,
        f"{len(apps)}",
        f"{len(reviewers)}",
        f"{k}",
        f"{len(conflicts)}",
        f"{len(result.new)}",
        f"{statistics.median(times):.2f}",
        f"{statistics.median(cpu_times):.2f}",
        f"{result.stats.rounds}",
        f"{result.stats.arcs}",
        f"{c['min']}-{c['max']} ({c['spread']})",
        f"{c['matched']:.0%}",
        "yes" if c["ok"] else "NO",
        "yes" if same else "NO",
    ]


def main() -> None:
    rows = []
    apps, reviewers, conflicts = make_stage(5_000, 150, 3, seed=1)
    rows.append(run("5k x 3 / 150", apps, reviewers, conflicts, 3))
    apps, reviewers, conflicts = make_stage(20_000, 300, 3, seed=2)
    rows.append(run("20k x 3 / 300", apps, reviewers, conflicts, 3))
    # incremental: 2 reviews each already assigned, 30 reviewers join, k raised to 3
    first = assign_reviewers(apps, reviewers, k=2, conflicts=conflicts)
    existing: dict[int, set[int]] = {}
    for x in first.new:
        existing.setdefault(x.application_id, set()).add(x.reviewer_id)
    _, joined, more_conflicts = make_stage(20_000, 30, 3, seed=3, first_reviewer=1_001)
    rows.append(run("20k +1 / 300+30", apps, reviewers + joined, conflicts | more_conflicts, 3, existing))

    head = [
        "stage",
        "apps",
        "reviewers",
        "k",
        "conflicts",
        "new",
        "median s",
        "cpu s",
        "solves",
        "arcs",
        "load min-max (spread)",
        "matched",
        "all checks",
        "deterministic",
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
