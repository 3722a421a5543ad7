"""Automatic and manual reviewer assignment for ONE stage: pure functions over plain values (no
database, no Flask). The service layer loads the stage into these values, calls
`assign_reviewers`, stores `result.new` and shows `result.unfilled` to the manager.

What `assign_reviewers` guarantees (the property tests check each one):

- Every application ends with k distinct reviewers at the stage, or as many as the conflicts and
  maxima allow overall: the number of new assignments is a maximum flow. Applications left short
  are in `unfilled` with exactly the missing count and why.
- No reviewer is assigned an application they are conflicted with, none goes over `max_load`.
- Incremental: `existing` assignments (submitted reviews included) are kept as they are and count
  in the loads; only gaps are filled. Run again on its own output, it adds nothing.
- Balance comes before preferences. Loads are compared in absolute numbers (`max_load` is a cap,
  not a share). No new assignment could move to an eligible reviewer (not conflicted, not already
  on that application, below their maximum) who has two or more fewer reviews. Hence, with equal
  maxima, no conflicts and nothing assigned before, the busiest and least busy reviewers differ by
  at most one.
- Among equally balanced solutions, sector matches and language matches are preferred (a language
  mismatch weighs more than a sector mismatch: a reviewer who cannot read the answers helps least).
- Deterministic: the same values in any order give the same result.

The algorithm is a min-cost flow (OR-Tools), exact on the full graph: see `assignment_solver.py`.

Manual changes: `check_manual` and `check_removal` raise `AssignmentRefused` (a ValueError with a
reason key) when a manager's assignment or removal breaks a rule; `manual_reason` gives the reason
to record with a manual assignment; `stage_loads` counts loads from the existing assignments.

Texts: every reason is a message key plus parameters (`reason_key`, `params`) and the English text
made from them by `describe`; a translated UI formats its own catalogue entry for the key instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from incubator.reviews import assignment_solver as solver

MESSAGES: dict[str, str] = {
    # why a reviewer was chosen; load is the reviewer's load at the stage after this run
    "sector_language_match": "sector match: {sector}; language match: {language}; load {load}/{max}",
    "sector_match": "sector match: {sector}; load {load}/{max}",
    "language_match": "language match: {language}; load {load}/{max}",
    "balance": "chosen to balance loads; load {load}/{max}",
    "manual": "assigned by hand; load {load}/{max}",
    # why an application is left short of k reviewers
    "no_eligible_reviewers": "no reviewer is free of a conflict of interest with this application ({missing} missing)",
    "too_few_reviewers": "not enough reviewers without a conflict: {available} available, {k} needed",
    "reviewers_full": "all non-conflicted reviewers not yet on it are at their maximum load ({missing} missing)",
    "too_few_reviewers_and_full": (
        "not enough reviewers without a conflict: {available} available, {k} needed; "
        "and all non-conflicted reviewers not yet on it are at their maximum load"
    ),
    # why a manual change is refused
    "unknown_reviewer": "reviewer {reviewer_id} is not in this stage's reviewer pool",
    "conflicted": "reviewer {reviewer_id} has a conflict of interest with application {application_id}",
    "already_assigned": "reviewer {reviewer_id} is already assigned to application {application_id}",
    "at_max_load": "reviewer {reviewer_id} is at their maximum load ({load}/{max})",
    "not_assigned": "reviewer {reviewer_id} is not assigned to application {application_id}",
    "review_submitted": "reviewer {reviewer_id} has already submitted a review of application {application_id}",
}


def describe(reason_key: str, params: Mapping[str, object]) -> str:
    """The English text of a reason."""
    return MESSAGES[reason_key].format(**params)


@dataclass(frozen=True)
class Application:
    id: int
    sector: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Reviewer:
    id: int
    max_load: int
    sectors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Assignment:
    application_id: int
    reviewer_id: int
    reason: str
    reason_key: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Gap:
    """An application left with fewer than k reviewers: `missing` more were needed."""

    application_id: int
    missing: int
    reason: str
    reason_key: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SolveStats:
    rounds: int  # min-cost-flow solves (1 + pricing rounds)
    arcs: int  # application -> reviewer arcs in the last solve


@dataclass(frozen=True)
class AssignmentResult:
    new: list[Assignment]  # sorted by (application_id, reviewer_id)
    unfilled: list[Gap]  # sorted by application_id
    loads: dict[int, int]  # reviewer id -> load at the stage after this run (existing + new)
    conflicted_existing: list[tuple[int, int]] = field(default_factory=list)  # (reviewer, application)
    stats: SolveStats = field(default=SolveStats(0, 0), compare=False)


class AssignmentRefused(ValueError):
    """A manual assignment or removal that breaks a rule; str() is the English reason."""

    def __init__(self, reason_key: str, **params: object):
        self.reason_key = reason_key
        self.params = params
        super().__init__(describe(reason_key, params))


def stage_loads(reviewers: Iterable[Reviewer], existing: Mapping[int, Iterable[int]]) -> dict[int, int]:
    """Each reviewer's load at the stage: how many of `existing` they hold."""
    loads = {r.id: 0 for r in sorted(reviewers, key=lambda r: r.id)}
    for reviewer_ids in existing.values():
        for rid in reviewer_ids:
            if rid in loads:
                loads[rid] += 1
    return loads


def assign_reviewers(
    applications: Iterable[Application],
    reviewers: Iterable[Reviewer],
    *,
    k: int,
    existing: Mapping[int, Iterable[int]] | None = None,
    conflicts: Iterable[tuple[int, int]] = (),
    candidate_width: int | None = 16,
) -> AssignmentResult:
    """Fill every application of the stage up to `k` distinct reviewers.

    applications: the applications under review at the stage.
    reviewers: the stage's reviewer pool, each with `max_load` (reviews at this stage, existing
        ones included).
    existing: application id -> reviewer ids already assigned at this stage. Kept unchanged and
        counted: in the application's k, and in the reviewer's load (for every application listed,
        also ones not in `applications`). Reviewers not in the pool count for the application only.
    conflicts: (reviewer id, application id) pairs that must never be assigned. Existing
        assignments that are conflicted are kept (removing them is the caller's decision) and
        reported in `conflicted_existing`.
    candidate_width: reviewers tried first per application; a speed knob only, the result is
        optimal for the full graph whatever it is (None: no pruning).
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    apps = sorted(applications, key=lambda a: a.id)
    revs = sorted(reviewers, key=lambda r: r.id)
    if len({a.id for a in apps}) != len(apps) or len({r.id for r in revs}) != len(revs):
        raise ValueError("application and reviewer ids must be unique")
    existing = {app_id: set(rids) for app_id, rids in (existing or {}).items()}
    conflicts = set(conflicts)
    app_index = {a.id: i for i, a in enumerate(apps)}
    rev_index = {r.id: j for j, r in enumerate(revs)}
    base = stage_loads(revs, existing)
    conflicted_existing = sorted((rid, app_id) for app_id, rids in existing.items() for rid in rids if (rid, app_id) in conflicts)

    # (application, reviewer) index pairs that may not be assigned: conflicted, or already on it
    codes = [app_index[a] * len(revs) + rev_index[r] for r, a in conflicts if a in app_index and r in rev_index]
    codes += [
        app_index[a] * len(revs) + rev_index[r] for a, rids in existing.items() if a in app_index for r in rids if r in rev_index
    ]
    blocked_app, blocked_rev = np.divmod(np.unique(np.array(codes, dtype=np.int64)), max(1, len(revs)))
    before = np.array([len(existing.get(a.id, ())) for a in apps], dtype=np.int64)
    available = before + len(revs) - np.bincount(blocked_app, minlength=len(apps))  # on it or could be
    need = np.maximum(0, k - before)
    todo = np.flatnonzero(need > 0)
    position = np.full(len(apps), -1)
    position[todo] = np.arange(len(todo))
    keep = position[blocked_app] >= 0
    problem = _problem([apps[i] for i in todo], revs, need[todo], (position[blocked_app[keep]], blocked_rev[keep]), base)

    solution = solver.solve(problem, candidate_width)
    placed_app, placed_rev = todo[solution.app], solution.rev
    loads = dict(base)
    for j in placed_rev.tolist():
        loads[revs[j].id] += 1
    new = [
        _assignment(apps[i], revs[j], loads[revs[j].id]) for i, j in zip(placed_app.tolist(), placed_rev.tolist(), strict=True)
    ]
    missing = need - np.bincount(placed_app, minlength=len(apps))
    unfilled = [_gap(apps[i].id, int(missing[i]), k=k, available=int(available[i])) for i in np.flatnonzero(missing > 0).tolist()]
    return AssignmentResult(new, unfilled, loads, conflicted_existing, SolveStats(solution.rounds, solution.arcs))


def _problem(todo: list[Application], revs: list[Reviewer], need: np.ndarray, blocked, base) -> solver.Problem:
    sectors = sorted({a.sector for a in todo if a.sector is not None})
    languages = sorted({a.language for a in todo if a.language is not None})
    s_index = {s: i for i, s in enumerate(sectors)}
    l_index = {lang: i for i, lang in enumerate(languages)}
    rev_sector = np.zeros((len(revs), len(sectors) + 1), dtype=bool)
    rev_language = np.zeros((len(revs), len(languages) + 1), dtype=bool)
    for j, r in enumerate(revs):
        rev_sector[j, [s_index[s] for s in r.sectors if s in s_index]] = True
        rev_language[j, [l_index[x] for x in r.languages if x in l_index]] = True
    base_load = np.array([base[r.id] for r in revs], dtype=np.int64)
    return solver.Problem(
        app_ids=np.array([a.id for a in todo], dtype=np.int64),
        rev_ids=np.array([r.id for r in revs], dtype=np.int64),
        app_sector=np.array([s_index.get(a.sector, -1) for a in todo], dtype=np.int64),
        app_language=np.array([l_index.get(a.language, -1) for a in todo], dtype=np.int64),
        rev_sector=rev_sector,
        rev_language=rev_language,
        need=need,
        base_load=base_load,
        room=np.maximum(0, np.array([r.max_load for r in revs], dtype=np.int64) - base_load),
        blocked=blocked,
    )


def _assignment(app: Application, rev: Reviewer, load: int) -> Assignment:
    sector = app.sector if app.sector is not None and app.sector in rev.sectors else None
    language = app.language if app.language is not None and app.language in rev.languages else None
    key = {(True, True): "sector_language_match", (True, False): "sector_match", (False, True): "language_match"}.get(
        (sector is not None, language is not None), "balance"
    )
    params: dict[str, object] = {"load": load, "max": rev.max_load}
    if sector is not None:
        params["sector"] = sector
    if language is not None:
        params["language"] = language
    return Assignment(app.id, rev.id, describe(key, params), key, params)


def _gap(app_id: int, missing: int, *, k: int, available: int) -> Gap:
    """After a maximum flow, every eligible reviewer not on a short application is at their
    maximum (else source -> application -> reviewer -> sink would augment): the shortfall is the
    lack of non-conflicted reviewers, the maxima, or both."""
    if available == 0:
        key = "no_eligible_reviewers"
    elif available < k:
        key = "too_few_reviewers" if missing <= k - available else "too_few_reviewers_and_full"
    else:
        key = "reviewers_full"
    params: dict[str, object] = {"missing": missing, "k": k, "available": available}
    return Gap(app_id, missing, describe(key, params), key, params)


def check_manual(
    application_id: int,
    reviewer_id: int,
    *,
    reviewers: Iterable[Reviewer],
    existing: Mapping[int, Iterable[int]],
    conflicts: Iterable[tuple[int, int]] | set[tuple[int, int]],
) -> None:
    """Refuse (AssignmentRefused, a ValueError) a manual assignment that breaks a rule: reviewer
    not in the pool, conflicted, already on the application, or at their maximum load."""
    pool = {r.id: r for r in reviewers}
    params = {"application_id": application_id, "reviewer_id": reviewer_id}
    if reviewer_id not in pool:
        raise AssignmentRefused("unknown_reviewer", **params)
    if (reviewer_id, application_id) in set(conflicts):
        raise AssignmentRefused("conflicted", **params)
    if reviewer_id in set(existing.get(application_id, ())):
        raise AssignmentRefused("already_assigned", **params)
    load = stage_loads([pool[reviewer_id]], existing)[reviewer_id]
    if load >= pool[reviewer_id].max_load:
        raise AssignmentRefused("at_max_load", load=load, max=pool[reviewer_id].max_load, **params)


def manual_reason(reviewer: Reviewer, load: int) -> tuple[str, str, dict[str, object]]:
    """(text, reason_key, params) to record with a manual assignment; `load` after it."""
    params: dict[str, object] = {"load": load, "max": reviewer.max_load}
    return describe("manual", params), "manual", params


def check_removal(
    application_id: int,
    reviewer_id: int,
    *,
    existing: Mapping[int, Iterable[int]],
    submitted: Iterable[tuple[int, int]] | set[tuple[int, int]] = (),
) -> None:
    """Refuse removing an assignment that does not exist, or whose review was submitted
    (`submitted`: (reviewer id, application id) pairs at the stage)."""
    params = {"application_id": application_id, "reviewer_id": reviewer_id}
    if reviewer_id not in set(existing.get(application_id, ())):
        raise AssignmentRefused("not_assigned", **params)
    if (reviewer_id, application_id) in set(submitted):
        raise AssignmentRefused("review_submitted", **params)
