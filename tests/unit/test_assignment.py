"""Automatic reviewer assignment: properties over random stages, then hand-checked examples."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.reviews.assignment import (
    MESSAGES,
    Application,
    AssignmentRefused,
    Reviewer,
    assign_reviewers,
    check_manual,
    check_removal,
    describe,
    manual_reason,
    stage_loads,
)
from incubator.reviews.assignment_solver import LANGUAGE_MISS, LOAD_STEP, SECTOR_MISS

SECTORS = ["agritech", "fintech", "edtech"]
LANGUAGES = ["uz", "ru", "en"]
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Stage:
    apps: list[Application]
    reviewers: list[Reviewer]
    k: int
    existing: dict[int, set[int]] = field(default_factory=dict)
    conflicts: set[tuple[int, int]] = field(default_factory=set)
    width: int | None = 16

    def run(self, **overrides):
        args = {"k": self.k, "existing": self.existing, "conflicts": self.conflicts, "candidate_width": self.width}
        return assign_reviewers(self.apps, self.reviewers, **(args | overrides))


@st.composite
def stages(draw, *, equal_max: bool = False, plain: bool = False) -> Stage:
    """A random stage. plain: no conflicts and nothing assigned before."""
    app_ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=60, unique=True))
    rev_ids = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=15, unique=True))
    maybe = st.one_of(st.none(), st.sampled_from(SECTORS))
    apps = [Application(i, draw(maybe), draw(st.one_of(st.none(), st.sampled_from(LANGUAGES)))) for i in app_ids]
    same_max = draw(st.integers(0, 30))
    reviewers = [
        Reviewer(
            rid,
            same_max if equal_max else draw(st.integers(0, 30)),
            frozenset(draw(st.sets(st.sampled_from(SECTORS), max_size=2))),
            frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=2))),
        )
        for rid in rev_ids
    ]
    stage = Stage(apps, reviewers, k=draw(st.integers(1, 4)), width=draw(st.sampled_from([None, 1, 2, 4, 16])))
    if not plain:
        pairs = st.tuples(st.sampled_from(rev_ids), st.sampled_from(app_ids))
        stage.conflicts = draw(st.sets(pairs, max_size=len(app_ids) * len(rev_ids) // 3))
        for rid, app_id in draw(st.sets(pairs, max_size=len(app_ids) * 2)):
            stage.existing.setdefault(app_id, set()).add(rid)
    return stage


# ---------------------------------------------------------------- reference computations


def on_application(stage: Stage, result) -> dict[int, set[int]]:
    on = {a.id: set(stage.existing.get(a.id, ())) for a in stage.apps}
    for x in result.new:
        on[x.application_id].add(x.reviewer_id)
    return on


def eligible(stage: Stage, app_id: int, reviewer: Reviewer, on: dict[int, set[int]]) -> bool:
    return (reviewer.id, app_id) not in stage.conflicts and reviewer.id not in on[app_id]


def max_flow(stage: Stage) -> int:
    """How many new assignments are possible at most: Edmonds-Karp, independent of the solver."""
    loads = stage_loads(stage.reviewers, stage.existing)
    before = {a.id: set(stage.existing.get(a.id, ())) for a in stage.apps}
    cap: dict[tuple, dict[tuple, int]] = {}

    def arc(u, v, c):
        cap.setdefault(u, {})[v] = c
        cap.setdefault(v, {}).setdefault(u, 0)

    for a in stage.apps:
        arc("s", ("a", a.id), max(0, stage.k - len(before[a.id])))
        for r in stage.reviewers:
            if eligible(stage, a.id, r, before):
                arc(("a", a.id), ("r", r.id), 1)
    for r in stage.reviewers:
        arc(("r", r.id), "t", max(0, r.max_load - loads[r.id]))
    total = 0
    while True:
        parent = {"s": None}
        queue = deque(["s"])
        while queue and "t" not in parent:
            u = queue.popleft()
            for v, c in cap.get(u, {}).items():
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if "t" not in parent:
            return total
        v = "t"
        while parent[v] is not None:
            cap[parent[v]][v] -= 1
            cap[v][parent[v]] += 1
            v = parent[v]
        total += 1


def objective(stage: Stage, result) -> int:
    """The solver's objective for the new assignments: preference misses plus convex load costs."""
    apps = {a.id: a for a in stage.apps}
    revs = {r.id: r for r in stage.reviewers}
    base = stage_loads(stage.reviewers, stage.existing)
    cost = 0
    for x in result.new:
        a, r = apps[x.application_id], revs[x.reviewer_id]
        cost += SECTOR_MISS * (a.sector is not None and a.sector not in r.sectors)
        cost += LANGUAGE_MISS * (a.language is not None and a.language not in r.languages)
    for rid, load in result.loads.items():
        cost += sum(LOAD_STEP * u for u in range(base[rid] + 1, load + 1))
    return cost


def assert_valid(stage: Stage, result) -> None:
    revs = {r.id: r for r in stage.reviewers}
    app_ids = {a.id for a in stage.apps}
    pairs = [(x.application_id, x.reviewer_id) for x in result.new]
    assert pairs == sorted(set(pairs)), "new assignments are distinct and sorted"
    on = on_application(stage, result)
    base = stage_loads(stage.reviewers, stage.existing)
    for x in result.new:
        assert x.application_id in app_ids and x.reviewer_id in revs
        assert (x.reviewer_id, x.application_id) not in stage.conflicts, "conflicted pair assigned"
        assert x.reviewer_id not in stage.existing.get(x.application_id, ()), "existing assignment duplicated"
        assert x.reason == describe(x.reason_key, x.params)
        assert x.params["load"] == result.loads[x.reviewer_id] and x.params["max"] == revs[x.reviewer_id].max_load
    # loads: existing (kept, unchanged) plus new; nobody pushed over their maximum
    added = {rid: 0 for rid in revs}
    for _, rid in pairs:
        added[rid] += 1
    assert result.loads == {rid: base[rid] + added[rid] for rid in sorted(revs)}
    assert all(result.loads[rid] <= revs[rid].max_load for rid in revs if added[rid])
    # coverage: no application gets more than k, the total is a maximum flow, gaps are exact
    gaps = {g.application_id: g for g in result.unfilled}
    assert [g.application_id for g in result.unfilled] == sorted(gaps)
    for a in stage.apps:
        before = len(stage.existing.get(a.id, ()))
        got = len(on[a.id]) - before
        assert got <= max(0, stage.k - before)
        missing = stage.k - len(on[a.id])
        if missing <= 0:
            assert a.id not in gaps
            continue
        gap = gaps[a.id]
        assert gap.missing == missing and gap.reason == describe(gap.reason_key, gap.params)
        free = [r for r in stage.reviewers if eligible(stage, a.id, r, on)]
        assert all(result.loads[r.id] >= r.max_load for r in free), "a short application had a reviewer with room"
        available = before + len(
            [r for r in stage.reviewers if eligible(stage, a.id, r, {a.id: set(stage.existing.get(a.id, ()))})]
        )
        assert gap.params["available"] == available
        if available == 0:
            key = "no_eligible_reviewers"
        elif available >= stage.k:
            key = "reviewers_full"
        else:
            key = "too_few_reviewers" if missing == stage.k - available else "too_few_reviewers_and_full"
        assert gap.reason_key == key
    assert len(pairs) == max_flow(stage)
    # balance: no new assignment could move to an eligible reviewer two or more reviews less busy
    for app_id, rid in pairs:
        for other in stage.reviewers:
            if eligible(stage, app_id, other, on) and result.loads[other.id] < other.max_load:
                assert result.loads[rid] <= result.loads[other.id] + 1, (app_id, rid, other.id)


# ---------------------------------------------------------------- properties


@PROPERTY
@given(stages())
def test_assignment_meets_every_rule(stage):
    assert_valid(stage, stage.run())


@PROPERTY
@given(stages(equal_max=True, plain=True))
def test_equal_maxima_without_conflicts_balance_within_one(stage):
    """Equal maxima, no conflicts, nothing assigned before (demand may exceed capacity or not):
    the busiest and least busy reviewers differ by at most one review."""
    result = stage.run()
    assert_valid(stage, result)
    assert max(result.loads.values()) - min(result.loads.values()) <= 1


@PROPERTY
@given(stages())
def test_running_again_on_its_own_output_adds_nothing(stage):
    first = stage.run()
    on = on_application(stage, first)
    again = Stage(stage.apps, stage.reviewers, stage.k, {a: r for a, r in on.items() if r}, stage.conflicts, stage.width)
    second = again.run()
    assert second.new == []
    assert [(g.application_id, g.missing) for g in second.unfilled] == [(g.application_id, g.missing) for g in first.unfilled]
    assert second.loads == first.loads


@PROPERTY
@given(stages(), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_result(stage, rnd):
    first = stage.run()
    apps, reviewers = list(stage.apps), list(stage.reviewers)
    rnd.shuffle(apps)
    rnd.shuffle(reviewers)
    existing = {a: set(rnd.sample(sorted(r), len(r))) for a, r in reversed(list(stage.existing.items()))}
    conflicts = list(stage.conflicts)
    rnd.shuffle(conflicts)
    shuffled = assign_reviewers(apps, reviewers, k=stage.k, existing=existing, conflicts=conflicts, candidate_width=stage.width)
    assert shuffled == first


@PROPERTY
@given(stages())
def test_pruned_graph_reaches_the_full_graph_optimum(stage):
    """Pricing makes the pruned solve exact: the same objective as the full graph."""
    pruned = stage.run(candidate_width=1)
    full = stage.run(candidate_width=None)
    assert objective(stage, pruned) == objective(stage, full)


def test_pruned_graph_reaches_the_full_graph_optimum_on_a_larger_stage():
    rng = random.Random(7)
    apps = [Application(i, rng.choice(SECTORS), rng.choice(LANGUAGES)) for i in range(1, 401)]
    reviewers = [
        Reviewer(i, rng.randint(20, 60), frozenset(rng.sample(SECTORS, 1)), frozenset(rng.sample(LANGUAGES, 2)))
        for i in range(1, 41)
    ]
    conflicts = {(rng.randint(1, 40), rng.randint(1, 400)) for _ in range(300)}
    stage = Stage(apps, reviewers, 3, conflicts=conflicts)
    pruned = stage.run(candidate_width=4)
    assert pruned.stats.rounds > 1  # pricing had work to do
    assert_valid(stage, pruned)
    assert objective(stage, pruned) == objective(stage, stage.run(candidate_width=None))


# ---------------------------------------------------------------- examples


def test_sector_match_is_preferred_when_loads_are_equal():
    apps = [Application(1, "agritech")]
    reviewers = [Reviewer(10, 5, frozenset({"fintech"})), Reviewer(11, 5, frozenset({"agritech"}))]
    result = assign_reviewers(apps, reviewers, k=1)
    [x] = result.new
    assert (x.reviewer_id, x.reason_key, x.params) == (11, "sector_match", {"sector": "agritech", "load": 1, "max": 5})
    assert x.reason == "sector match: agritech; load 1/5"


def test_reason_reads_as_sector_and_load():
    reviewers = [Reviewer(7, 15, frozenset({"agritech"}), frozenset({"uz"}))]
    existing = {100 + i: {7} for i in range(11)}
    result = assign_reviewers([Application(1, "agritech", "ru")], reviewers, k=1, existing=existing)
    assert [x.reason for x in result.new] == ["sector match: agritech; load 12/15"]
    assert result.loads == {7: 12}


def test_balance_beats_a_match():
    """A match is worth at most one review of imbalance: never two."""
    apps = [Application(1, "agritech", "uz")]
    match = Reviewer(10, 10, frozenset({"agritech"}), frozenset({"uz"}))
    other = Reviewer(11, 10)
    one_apart = {101: {10, 11}, 102: {10}}  # loads 2 and 1: giving it to the match makes 3 against 1
    result = assign_reviewers(apps, [match, other], k=1, existing=one_apart)
    assert [(x.reviewer_id, x.reason_key) for x in result.new] == [(11, "balance")]
    assert result.new[0].reason == "chosen to balance loads; load 2/10"
    equal = {101: {10, 11}}  # loads 1 and 1: the match goes to 2 vs 1, within one
    result = assign_reviewers(apps, [match, other], k=1, existing=equal)
    assert [(x.reviewer_id, x.reason_key) for x in result.new] == [(10, "sector_language_match")]


def test_language_mismatch_weighs_more_than_sector_mismatch():
    apps = [Application(1, "agritech", "ru")]
    reviewers = [Reviewer(10, 5, frozenset({"agritech"}), frozenset({"uz"})), Reviewer(11, 5, frozenset(), frozenset({"ru"}))]
    [x] = assign_reviewers(apps, reviewers, k=1).new
    assert (x.reviewer_id, x.reason) == (11, "language match: ru; load 1/5")


def test_balanced_spread_over_a_round_number():
    apps = [Application(i) for i in range(1, 11)]
    reviewers = [Reviewer(i, 100) for i in range(1, 4)]
    result = assign_reviewers(apps, reviewers, k=2)
    assert sorted(result.loads.values()) == [6, 7, 7]
    assert all(len({x.reviewer_id for x in result.new if x.application_id == a.id}) == 2 for a in apps)


def test_existing_assignments_are_kept_and_only_gaps_are_filled():
    apps = [Application(1), Application(2), Application(3)]
    reviewers = [Reviewer(i, 10) for i in (10, 11, 12, 13)]
    existing = {1: {10, 11}, 2: {12}, 99: {13}}  # 99 is another application of the stage: it counts in loads
    result = assign_reviewers(apps, reviewers, k=2, existing=existing)
    on = {a: set(existing.get(a, ())) for a in (1, 2, 3)}
    for x in result.new:
        on[x.application_id].add(x.reviewer_id)
    assert {x.application_id for x in result.new} == {2, 3}
    assert on[1] == {10, 11} and 12 in on[2] and len(on[2]) == len(on[3]) == 2
    assert sum(result.loads.values()) == 4 + 3


def test_more_existing_reviewers_than_k_are_kept():
    result = assign_reviewers([Application(1)], [Reviewer(i, 5) for i in range(1, 5)], k=2, existing={1: {1, 2, 3}})
    assert result.new == [] and result.unfilled == [] and result.loads == {1: 1, 2: 1, 3: 1, 4: 0}


def test_unfilled_applications_are_named_with_the_reason():
    apps = [Application(1), Application(2)]
    reviewers = [Reviewer(10, 5), Reviewer(11, 5), Reviewer(12, 5)]
    result = assign_reviewers(apps, reviewers, k=3, conflicts={(12, 1)})
    [gap] = result.unfilled
    assert (gap.application_id, gap.missing, gap.reason_key) == (1, 1, "too_few_reviewers")
    assert gap.reason == "not enough reviewers without a conflict: 2 available, 3 needed"

    # reviewer 10 can take one more review: the agritech application gets it
    apps = [Application(1, "agritech"), Application(2, "fintech")]
    scarce = [Reviewer(10, 1, frozenset({"agritech"})), Reviewer(11, 5)]
    full = assign_reviewers(apps, scarce, k=2)
    assert [(g.application_id, g.missing, g.reason_key) for g in full.unfilled] == [(2, 1, "reviewers_full")]
    assert full.unfilled[0].reason == "all non-conflicted reviewers not yet on it are at their maximum load (1 missing)"

    nobody = assign_reviewers([Application(1)], [Reviewer(10, 5)], k=2, conflicts={(10, 1)})
    assert [(g.missing, g.reason_key) for g in nobody.unfilled] == [(2, "no_eligible_reviewers")]

    both = assign_reviewers(apps, scarce, k=3)
    assert [(g.application_id, g.missing, g.reason_key) for g in both.unfilled] == [
        (1, 1, "too_few_reviewers"),
        (2, 2, "too_few_reviewers_and_full"),
    ]


def test_no_reviewers_at_all():
    result = assign_reviewers([Application(1)], [], k=2)
    assert result.new == [] and [(g.missing, g.reason_key) for g in result.unfilled] == [(2, "no_eligible_reviewers")]


def test_conflicted_existing_assignments_are_kept_and_reported():
    result = assign_reviewers([Application(1)], [Reviewer(10, 5), Reviewer(11, 5)], k=2, existing={1: {10}}, conflicts={(10, 1)})
    assert [(x.application_id, x.reviewer_id) for x in result.new] == [(1, 11)]
    assert result.conflicted_existing == [(10, 1)]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        assign_reviewers([Application(1)], [Reviewer(1, 1)], k=-1)
    with pytest.raises(ValueError):
        assign_reviewers([Application(1), Application(1)], [Reviewer(1, 1)], k=1)


def test_every_message_formats():
    params = {
        "sector": "s",
        "language": "l",
        "load": 1,
        "max": 2,
        "missing": 1,
        "k": 3,
        "available": 2,
        "reviewer_id": 1,
        "application_id": 2,
    }
    assert all(describe(key, params) for key in MESSAGES)


# ---------------------------------------------------------------- manual assignment and removal


def test_manual_assignment_checks():
    reviewers = [Reviewer(10, 2), Reviewer(11, 5)]
    existing = {1: {10}, 2: {10}}
    check_manual(3, 11, reviewers=reviewers, existing=existing, conflicts=set())
    cases = [
        (3, 99, set(), "unknown_reviewer"),
        (3, 11, {(11, 3)}, "conflicted"),
        (1, 10, set(), "already_assigned"),
        (3, 10, set(), "at_max_load"),
    ]
    for app_id, rid, conflicts, key in cases:
        with pytest.raises(AssignmentRefused) as refused:
            check_manual(app_id, rid, reviewers=reviewers, existing=existing, conflicts=conflicts)
        assert refused.value.reason_key == key and isinstance(refused.value, ValueError)
    with pytest.raises(ValueError, match=r"reviewer 10 is at their maximum load \(2/2\)"):
        check_manual(3, 10, reviewers=reviewers, existing=existing, conflicts=set())
    assert manual_reason(reviewers[1], 1) == ("assigned by hand; load 1/5", "manual", {"load": 1, "max": 5})


def test_manual_removal_checks():
    existing = {1: {10, 11}}
    check_removal(1, 10, existing=existing, submitted={(11, 1)})
    with pytest.raises(AssignmentRefused, match="not assigned") as refused:
        check_removal(1, 12, existing=existing)
    assert refused.value.reason_key == "not_assigned"
    with pytest.raises(AssignmentRefused, match="already submitted") as refused:
        check_removal(1, 11, existing=existing, submitted={(11, 1)})
    assert refused.value.reason_key == "review_submitted"
