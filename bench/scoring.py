"""Benchmark of the leaderboard maths (incubator/reviews/scoring.py) on synthetic stages.

Each application gets 3 reviews from distinct reviewers drawn at random; every reviewer has a
personal bias (harsh or lenient) so the normalisation has work to do. Times the full computation
(compute_leaderboard, then rank by normalised score, then the quota cut line), median of 3 runs.

    cd /work/main && .venv/bin/python bench/scoring.py
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incubator.reviews.ranking import cut_line, rank  # noqa: E402
from incubator.reviews.scoring import Criterion, Review, compute_leaderboard  # noqa: E402

CRITERIA = [
    Criterion("team", Decimal("2"), 1, 5),
    Criterion("market", Decimal("1"), 1, 5),
    Criterion("product", Decimal("1.5"), 1, 5),
    Criterion("traction", Decimal("1"), 1, 5),
    Criterion("impact", Decimal("0.5"), 1, 5),
]
RECOMMENDATIONS = ["strong_yes", "yes", "maybe", "no", "strong_no", None]
SIZES = [(5_000, 150), (20_000, 300)]
REVIEWS_PER_APPLICATION = 3
RUNS = 3


def make_stage(n_applications: int, n_reviewers: int, seed: int = 42) -> list[Review]:
    rnd = random.Random(seed)
    bias = {r: rnd.uniform(-1.0, 1.0) for r in range(n_reviewers)}
    reviews = []
    for app in range(n_applications):
        quality = rnd.uniform(1.5, 4.5)
        for reviewer in rnd.sample(range(n_reviewers), REVIEWS_PER_APPLICATION):
            scores = {c.key: min(5, max(1, round(quality + bias[reviewer] + rnd.gauss(0, 0.7)))) for c in CRITERIA}
            reviews.append(Review(app, reviewer, scores, rnd.choice(RECOMMENDATIONS)))
    return reviews


def time_once(reviews: list[Review], n_applications: int) -> tuple[float, float]:
    start = time.perf_counter()
    board = compute_leaderboard(reviews, CRITERIA, reviews_required=REVIEWS_PER_APPLICATION,
                                application_ids=range(n_applications))
    computed = time.perf_counter()
    ranked = rank(board.rows)
    cut_line(ranked, n_applications // 10)
    return computed - start, time.perf_counter() - computed


def main() -> None:
    print(f"{'applications':>12} {'reviews':>8} {'reviewers':>9} {'compute ms':>11} {'rank+cut ms':>12} {'total ms':>9}")
    for n_applications, n_reviewers in SIZES:
        reviews = make_stage(n_applications, n_reviewers)
        runs = [time_once(reviews, n_applications) for _ in range(RUNS)]
        compute = statistics.median(c for c, _ in runs) * 1000
        ranking = statistics.median(r for _, r in runs) * 1000
        total = statistics.median(c + r for c, r in runs) * 1000
        print(f"{n_applications:>12,} {len(reviews):>8,} {n_reviewers:>9} {compute:>11.1f} {ranking:>12.1f} {total:>9.1f}")
    print(f"median of {RUNS} runs; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
