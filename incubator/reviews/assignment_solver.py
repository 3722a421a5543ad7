"""The numeric core of automatic reviewer assignment: one min-cost flow, solved on a pruned graph
and made exact by pricing (column generation). `assignment.py` is the public face; this module
works on dense indices (applications 0..A-1 and reviewers 0..R-1, both in id order) and numpy.

The network, for the applications that still need reviewers:

    source --(need_a, 0)--> application a --(1, pref(a, r))--> reviewer r --unit arcs--> sink
    source --(total need, BIG)--> sink                                   (the "gap" arc)

Reviewer r has one unit arc per review it may still take (max_load - current load); the unit
that brings it to load L costs LOAD_STEP * L. Application -> reviewer arcs exist only for
reviewers not conflicted with the application and not already on it. The gap arc is dearer than
any augmenting path, so an optimal flow is first a MAXIMUM flow (as many reviews placed as the
conflicts and maxima allow), then the cheapest one: balance first, preferences second.

Why balance beats preferences: pref(a, r) is in [0, PREF_SPAN] and every further unit of load on
one reviewer costs LOAD_STEP = PREF_SPAN + 1 more than the one before. Moving application a from
reviewer r1 (load L1) to reviewer r2 (load L2, below its maximum, eligible for a) changes the cost
by pref(a, r2) - pref(a, r1) + LOAD_STEP * (L2 + 1 - L1), which is negative whenever L1 >= L2 + 2.
So in an optimal flow no new assignment can move to an eligible reviewer with room that is two or
more reviews less busy; with equal maxima, no conflicts and nothing pre-assigned this gives
max load - min load <= 1 (r1 busier than r2 holds an application r2 does not: move it).

Pruning and exactness: a 20,000 x 300 stage has 6M possible arcs, too many to solve quickly. Each
application starts with `width` candidates (half its best-preference reviewers, half a stable
hash-spread of the others) and each reviewer with its best-preference applications (about twice
its expected new load), so that rare expertise is not left out. After each solve the node
potentials (shortest-path distances in the residual graph) price every pruned arc; arcs with a
negative reduced cost are added and the flow is solved again. When no pruned arc prices negative,
the potentials prove the flow optimal for the FULL graph: pruning never costs balance, coverage or
preference quality. After MAX_PRICING_ROUNDS solves the full graph is used (a safety net).

Memory: one byte per (application, reviewer) pair, plus blocks of BLOCK_CELLS pairs at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

SECTOR_MISS = 2  # cost of a reviewer outside the application's sector
LANGUAGE_MISS = 3  # cost of a reviewer who does not read the application's language
PREF_SPAN = SECTOR_MISS + LANGUAGE_MISS
LOAD_STEP = PREF_SPAN + 1  # must exceed PREF_SPAN: see the module docstring

BLOCK_CELLS = 1 << 21
ADD_PER_REVIEWER = 256  # priced-in arcs added per reviewer and round
REVIEWER_SIDE = 2.0  # first candidates per reviewer, in multiples of its expected new load
MAX_PRICING_ROUNDS = 12  # then the full graph is solved (2 to 4 rounds are usual)

BLOCKED, FREE, CANDIDATE = 0, 1, 2  # states of an (application, reviewer) pair
_NO_KEY = np.iinfo(np.int64).max


def unit_cost(load):
    """Cost of the unit of flow that brings a reviewer to `load` (int or array)."""
    return LOAD_STEP * load


@dataclass(frozen=True)
class Problem:
    """A stage, reduced to arrays. Sector/language indices are -1 for none; the match tables
    have one extra all-False column so that -1 indexes "no match"."""

    app_ids: np.ndarray  # (A,) int64, applications that need at least one more reviewer
    rev_ids: np.ndarray  # (R,) int64
    app_sector: np.ndarray  # (A,) int64
    app_language: np.ndarray  # (A,) int64
    rev_sector: np.ndarray  # (R, S + 1) bool
    rev_language: np.ndarray  # (R, L + 1) bool
    need: np.ndarray  # (A,) int64 > 0
    base_load: np.ndarray  # (R,) int64, current load at the stage
    room: np.ndarray  # (R,) int64 >= 0, reviews each reviewer may still take
    blocked: tuple[np.ndarray, np.ndarray]  # (app index, reviewer index): conflicts, already on it


@dataclass(frozen=True)
class Solution:
    app: np.ndarray  # new assignments, application indices, sorted by (app, rev)
    rev: np.ndarray  # reviewer indices
    rounds: int  # min-cost-flow solves
    arcs: int  # application -> reviewer arcs in the last solve


def preference(p: Problem, apps: np.ndarray, revs: np.ndarray) -> np.ndarray:
    """pref(a, r) for broadcastable index arrays: 0 for a full match, up to PREF_SPAN."""
    sec, lang = p.app_sector[apps], p.app_language[apps]
    miss_sector = (sec >= 0) & ~p.rev_sector[revs, sec]
    miss_language = (lang >= 0) & ~p.rev_language[revs, lang]
    return SECTOR_MISS * miss_sector.astype(np.int64) + LANGUAGE_MISS * miss_language.astype(np.int64)


def spread_hash(app_ids: np.ndarray, rev_ids: np.ndarray) -> np.ndarray:
    """A stable pseudo-random 31-bit key per (application id, reviewer id) pair (splitmix64)."""
    x = app_ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + rev_ids.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(33)).astype(np.int64)


def _blocks(p: Problem):
    step = max(1, BLOCK_CELLS // max(1, len(p.rev_ids)))
    for lo in range(0, len(p.app_ids), step):
        yield lo, min(lo + step, len(p.app_ids))


def _block_terms(p: Problem, lo: int, hi: int):
    apps = np.arange(lo, hi)[:, None]
    revs = np.arange(len(p.rev_ids))[None, :]
    return preference(p, apps, revs), spread_hash(p.app_ids[lo:hi, None], p.rev_ids[None, :])


def _smallest(keys: np.ndarray, n: int) -> np.ndarray:
    """Mask of the n smallest keys per row (ties by column), ignoring _NO_KEY."""
    mask = np.zeros(keys.shape, dtype=bool)
    if n <= 0:
        return mask
    if n < keys.shape[1]:
        idx = np.argpartition(keys, n - 1, axis=1)[:, :n]
        np.put_along_axis(mask, idx, True, axis=1)
    else:
        mask[:] = True
    return mask & (keys != _NO_KEY)


def _top_rows(keys: np.ndarray, n: int) -> np.ndarray:
    """Row indices of the n smallest keys of each column (all rows if there are fewer)."""
    if n >= keys.shape[0]:
        return np.broadcast_to(np.arange(keys.shape[0])[:, None], keys.shape).copy()
    return np.argpartition(keys, n - 1, axis=0)[:n]


def expected_new_load(p: Problem) -> np.ndarray:
    """Water-filling estimate of each reviewer's new load: every load levelled to one height."""
    demand, lo, hi = int(p.need.sum()), 0, int((p.base_load + p.room).max(initial=0))
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if np.clip(mid - p.base_load, 0, p.room).sum() >= demand else (mid + 1, hi)
    return np.clip(lo - p.base_load, 0, p.room)


def initial_state(p: Problem, width: int | None) -> np.ndarray:
    """Pair states with the first candidates: per application, its best reviewers by preference
    and a hash-spread of the others; per reviewer, its best applications by preference (about
    REVIEWER_SIDE times its expected new load), so that no reviewer is starved of good arcs."""
    state = np.full((len(p.app_ids), len(p.rev_ids)), FREE, dtype=np.int8)
    state[p.blocked] = BLOCKED
    if width is None or width >= len(p.rev_ids):
        state[state == FREE] = CANDIDATE
        return state
    by_pref = (width + 1) // 2
    per_rev = (REVIEWER_SIDE * expected_new_load(p)).astype(np.int64) + 1
    most = int(per_rev.max())
    best_keys, best_rows = [], []
    for lo, hi in _blocks(p):
        pref, h = _block_terms(p, lo, hi)
        free = state[lo:hi] == FREE
        keys = np.where(free, (pref << 32) | h, _NO_KEY)
        pick = _smallest(keys, by_pref)
        pick |= _smallest(np.where(free & ~pick, h, _NO_KEY), width - by_pref)
        state[lo:hi][pick] = CANDIDATE
        rows = _top_rows(keys, most)
        best_keys.append(np.take_along_axis(keys, rows, axis=0))
        best_rows.append(rows + lo)
    keys, rows = np.concatenate(best_keys), np.concatenate(best_rows)
    top = np.argsort(keys, axis=0, kind="stable")[:most]
    rows, keys = np.take_along_axis(rows, top, axis=0), np.take_along_axis(keys, top, axis=0)
    cols = np.broadcast_to(np.arange(len(p.rev_ids)), rows.shape)
    ok = (keys != _NO_KEY) & (np.arange(len(rows))[:, None] < per_rev[None, :])
    state[rows[ok], cols[ok]] = CANDIDATE
    return state


class _Flow:
    """One min-cost-flow solve over the current candidate arcs, and its residual potentials."""

    def __init__(self, p: Problem, state: np.ndarray):
        n_app, n_rev = len(p.app_ids), len(p.rev_ids)
        self.p = p
        self.total = int(p.need.sum())
        self.arc_app, self.arc_rev = np.nonzero(state == CANDIDATE)
        self.arc_cost = preference(p, self.arc_app, self.arc_rev)
        room = np.minimum(p.room, min(n_app, self.total))
        unit_rev = np.repeat(np.arange(n_rev), room)
        unit_no = np.arange(len(unit_rev)) - np.repeat(np.cumsum(room) - room, room) + 1
        self.big = (n_rev + 1) * PREF_SPAN + int(unit_cost(int((p.base_load + room).max(initial=0)))) + 1
        app_node, rev_node = 2 + np.arange(n_app), 2 + n_app + np.arange(n_rev)
        tails = np.concatenate([np.zeros(n_app, np.int64), app_node[self.arc_app], rev_node[unit_rev], [0]])
        heads = np.concatenate([app_node, rev_node[self.arc_rev], np.ones(len(unit_rev), np.int64), [1]])
        caps = np.concatenate([p.need, np.ones(len(self.arc_app) + len(unit_rev), np.int64), [self.total]])
        costs = np.concatenate([np.zeros(n_app, np.int64), self.arc_cost, unit_cost(p.base_load[unit_rev] + unit_no), [self.big]])
        smcf = min_cost_flow.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64)
        )
        smcf.set_node_supply(0, self.total)
        smcf.set_node_supply(1, -self.total)
        status = smcf.solve()
        if status != smcf.OPTIMAL:  # pragma: no cover - the gap arc makes every instance feasible
            raise RuntimeError(f"min cost flow failed: {status}")
        flows = np.asarray(smcf.flows(arcs))
        n_arc = len(self.arc_app)
        self.fill = flows[:n_app]
        self.used = flows[n_app : n_app + n_arc] > 0
        self.load = np.bincount(unit_rev, weights=flows[n_app + n_arc : -1], minlength=n_rev).astype(np.int64)
        self.room = room
        self.gap = int(flows[-1])

    def potentials(self) -> tuple[np.ndarray, np.ndarray]:
        """Shortest-path distances from a virtual root (0-cost arcs to every node) in the residual
        graph, by Bellman-Ford over the four layers. Optimality means no negative cycle, so this
        converges; the distances are valid potentials (no residual arc has negative reduced cost)."""
        p, used = self.p, self.used
        n_app, n_rev = len(p.app_ids), len(p.rev_ids)
        unfilled, filled = self.fill < p.need, self.fill > 0
        u_app, u_rev, u_cost = self.arc_app[used], self.arc_rev[used], self.arc_cost[used]
        order = np.argsort(self.arc_rev[~used], kind="stable")
        f_app, f_rev, f_cost = self.arc_app[~used][order], self.arc_rev[~used][order], self.arc_cost[~used][order]
        f_revs, f_starts = np.unique(f_rev, return_index=True)
        has_new, has_room = self.load > 0, self.load < self.room
        back = unit_cost(p.base_load + self.load)  # sink -> reviewer undoes its last new unit
        nxt = unit_cost(p.base_load + self.load + 1)[has_room]
        d_app, d_rev, d_src, d_snk = np.zeros(n_app, np.int64), np.zeros(n_rev, np.int64), 0, 0
        for _ in range(2 * n_rev + 8):
            n_a = np.zeros(n_app, np.int64)
            n_a[unfilled] = d_src
            np.minimum.at(n_a, u_app, d_rev[u_rev] - u_cost)
            n_r = np.zeros(n_rev, np.int64)
            if len(f_app):
                n_r[f_revs] = np.minimum(0, np.minimum.reduceat(n_a[f_app] + f_cost, f_starts))
            n_r[has_new] = np.minimum(n_r[has_new], d_snk - back[has_new])
            n_t = min(0, int((n_r[has_room] + nxt).min(initial=0)), d_src + self.big if self.gap < self.total else 0)
            n_s = min(0, int(n_a[filled].min(initial=0)), n_t - self.big if self.gap > 0 else 0)
            if n_t == d_snk and n_s == d_src and np.array_equal(n_a, d_app) and np.array_equal(n_r, d_rev):
                return d_app, d_rev
            d_app, d_rev, d_src, d_snk = n_a, n_r, n_s, n_t
        raise RuntimeError("residual graph has a negative cycle: the flow is not optimal")  # pragma: no cover


def _price(p: Problem, state: np.ndarray, d_app: np.ndarray, d_rev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pruned arcs with a negative reduced cost: at most ADD_PER_REVIEWER per reviewer, the most
    negative first (ties by the spread hash)."""
    found = []
    for lo, hi in _blocks(p):
        pref, h = _block_terms(p, lo, hi)
        reduced = pref + d_app[lo:hi, None] - d_rev[None, :]
        rows, cols = np.nonzero((state[lo:hi] == FREE) & (reduced < 0))
        found.append((rows + lo, cols, reduced[rows, cols], h[rows, cols]))
    apps, revs, red, h = (np.concatenate(parts) for parts in zip(*found, strict=True))
    order = np.lexsort((apps, h, red, revs))
    apps, revs = apps[order], revs[order]
    first = np.searchsorted(revs, revs)  # index of each reviewer's first violation
    keep = np.arange(len(revs)) - first < ADD_PER_REVIEWER
    return apps[keep], revs[keep]


def solve(p: Problem, width: int | None = 16) -> Solution:
    """Optimal new assignments for the FULL graph (see the module docstring)."""
    if not len(p.app_ids) or not len(p.rev_ids):
        empty = np.zeros(0, np.int64)
        return Solution(empty, empty, 0, 0)
    state = initial_state(p, width)
    rounds = 0
    while True:
        flow = _Flow(p, state)
        rounds += 1
        if not (state == FREE).any():
            break
        if rounds >= MAX_PRICING_ROUNDS:
            state[state == FREE] = CANDIDATE
            continue
        add_app, add_rev = _price(p, state, *flow.potentials())
        if not len(add_app):
            break
        state[add_app, add_rev] = CANDIDATE
    return Solution(flow.arc_app[flow.used], flow.arc_rev[flow.used], rounds, len(flow.arc_app))
