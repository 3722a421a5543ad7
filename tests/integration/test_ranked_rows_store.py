"""The ranking that "decide the top N" and the decisions page use (selection.waitlist.ranked_rows):
read from the stored board while it is current, it is the same, row for row and in the same order,
as the one computed from the reviews; once a review changes, the change shows (the board is stale
and the rows are computed again)."""
from __future__ import annotations

from sqlalchemy import select

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.reviews import ranking
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.selection import board_read, board_store
from incubator.selection import leaderboard as lb
from incubator.selection.decisions import Decision, top_requests
from incubator.selection.waitlist import ranked_rows
from tests.integration.test_leaderboard_store import _stage


def _computed(stage, ids) -> list:
    board, _ = lb.compute(stage, lb.stage_criteria(stage), lb.submitted_reviews(stage), set(ids))
    return ranking.rank([row for row in board.rows if row.application_id in set(ids)])


def _candidates(db, stage) -> list[int]:
    return list(db.session.scalars(select(Application.id).where(Application.season_id == stage.season_id)))


def test_the_stored_ranking_is_the_computed_one(app, db, program, monkeypatch):
    stage, _reviewers = _stage(db, program, 60, seed=7)
    lb.stage_leaderboard(stage, commit=True)  # builds and stores the board
    assert board_store.state(stage.id).fresh
    ids = _candidates(db, stage)
    expected = _computed(stage, ids)
    assert any(not row.is_scored for row in expected) and sum(row.is_scored for row in expected) > 20
    some = ids[::3]
    expected_some = _computed(stage, some)

    def refuse(*args, **kwargs):
        raise AssertionError("the ranking was computed although the stored board is current")

    with monkeypatch.context() as patch:
        patch.setattr(lb, "compute", refuse)
        stored = ranked_rows(stage, ids)
        assert stored == expected  # every number, flag, count and criterion mean, in the same order
        assert ranked_rows(stage, some) == expected_some
        chosen = top_requests(stage, 5, Decision.ADVANCE)
    in_review = set(db.session.scalars(select(Application.id).where(
        Application.id.in_(ids), Application.current_stage_id == stage.id, Application.status == Status.IN_REVIEW)))
    assert [r.application_id for r in chosen] == [row.application_id for row in ranking.top_n(
        [row for row in expected if row.application_id in in_review], 5)]


def test_a_changed_review_shows_in_the_ranking_at_once(app, db, program):
    stage, _reviewers = _stage(db, program, 40, seed=11)
    lb.stage_leaderboard(stage, commit=True)
    ids = _candidates(db, stage)
    before = ranked_rows(stage, ids)
    last = next(row for row in reversed(before) if row.is_scored)
    review = db.session.scalar(select(Review).join(Assignment, Assignment.id == Review.assignment_id).where(
        Assignment.stage_id == stage.id, Assignment.application_id == last.application_id,
        Assignment.status == AssignmentStatus.ACTIVE, Review.status == ReviewStatus.SUBMITTED))
    review.scores = {"team": 5, "market": 5}  # the best possible review
    db.session.flush()
    assert board_store.state(stage.id).fresh is False
    assert board_read.stored_rows(stage, ids, ["team", "market"]) is None
    after = ranked_rows(stage, ids)
    assert after == _computed(stage, ids) and after != before
    assert [r.application_id for r in after].index(last.application_id) < [
        r.application_id for r in before].index(last.application_id)
