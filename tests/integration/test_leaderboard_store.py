"""The stored leaderboard (incubator.selection.board_store / board_read): a page read from it is the
same, row for row, as the board computed from the reviews (leaderboard.computed_board, the
reference), in every order and with every filter; a page costs the same queries at 10 and at 200
applications; every change the scores depend on (a review submitted or edited, an assignment
released, a criterion's weight, the stage's thresholds) shows on the next read, as do the changes
read live (a decision); and two readers refreshing a stale board at once agree."""
from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.programs.builder import season_document, update_season
from incubator.programs.models import Stage
from incubator.reviews.assigning import remove_assignment
from incubator.reviews.conflicts import add_conflict_by_manager
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.reviews.reviewing import record_review
from incubator.selection import board_read, board_store
from incubator.selection import leaderboard as lb
from incubator.selection.board_models import StageBoardRecord, StageBoardRow
from incubator.selection.decisions import Decision, DecisionRequest, decide_applications
from tests.integration.test_leaderboard import _review, _season_with_stage, _startup
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.queries import count_queries

REGIONS = ["andijan", "bukhara", None]
SECTORS = ["agritech", "fintech", "edtech"]
STAGES = ["idea", "mvp", "revenue"]


def _stage(db, program, n: int, seed: int, *, quota=3):
    """n applications: most with 1 to 3 reviews by 5 reviewers, some with none, some assigned without
    a review, a few elsewhere (advanced, waitlisted, withdrawn), on a stage with two criteria."""
    rnd = random.Random(seed)
    season, stage = _season_with_stage(program, quota=quota, reviews_required=2)
    later = f.StageFactory(season=season, position=2)
    owner = f.UserFactory()
    reviewers = [f.UserFactory(name=f"Reviewer {i}") for i in range(5)]
    for reviewer in reviewers:
        f.grant(reviewer, program, Role.REVIEWER)
    for i in range(n):
        startup = _startup(owner, f"{rnd.choice(['a', 'B', 'é', 'Ж'])}startup {i:03d}", region=rnd.choice(REGIONS),
                           sector=rnd.choice(SECTORS), stage=rnd.choice(STAGES), women=rnd.random() < .4)
        status = rnd.choice([Status.IN_REVIEW] * 6 + [Status.WAITLISTED, Status.REJECTED, Status.WITHDRAWN])
        current = later.id if rnd.random() < .1 else stage.id
        application = Application(season_id=season.id, startup_id=startup.id, status=status, current_stage_id=current)
        db.session.add(application)
        db.session.flush()
        if rnd.random() < .12:
            continue  # at the stage, nobody assigned
        for reviewer in rnd.sample(reviewers, rnd.randint(1, 3)):
            state = ReviewStatus.DRAFT if rnd.random() < .15 else ReviewStatus.SUBMITTED
            _review(stage, application, reviewer, rnd.randint(1, 5), rnd.randint(1, 5),
                    rnd.choice(["yes", "no", "maybe", "strong_yes", None]), status=state)
    db.session.commit()
    return stage, reviewers


def _rows(rows) -> list[tuple]:
    return [(r.facts, r.score, r.rank, r.above_cut_line) for r in rows]


def _same(stage, **view):
    """The stored board and the computed one agree (the stored one must be current)."""
    criteria = lb.stage_criteria(stage)
    view = {"sort": "rank", "direction": None, "filters": lb.Filters(), "top": None, **view}
    stored = lb.stage_leaderboard(stage, **view)
    assert board_store.state(stage.id).fresh
    expected, _, _ = lb.computed_board(stage, criteria, sort=stored.sort, direction=stored.direction,
                                       filters=stored.filters, top=stored.top)
    assert _rows(stored.rows) == _rows(expected.rows), view
    assert (stored.listed, stored.cut, stored.stats, stored.skipped_reviews, len(stored.rows)) == (
        expected.listed, expected.cut, expected.stats, expected.skipped_reviews, len(expected.rows))
    assert stored.reviewers == expected.reviewers
    for page in (1, 2, 3):
        assert _rows(stored.page(page, 7).items) == _rows(expected.page(page, 7).items)
    return stored


def _warm(db, stage):
    lb.stage_leaderboard(stage, commit=True)
    assert board_store.state(stage.id).fresh


FILTERS = [lb.Filters(), lb.Filters(region="andijan"), lb.Filters(women_led=True, flag="none"),
           lb.Filters(status="advanced"), lb.Filters(status="waitlisted", sector="fintech"),
           lb.Filters(flag="incomplete"), lb.Filters(flag="disagreement", startup_stage="mvp"),
           lb.Filters(flag="any", women_led=False)]
SORTS = [*lb.FIXED_SORTS, "criterion:team", "criterion:market"]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda x: str(x.as_args()) or "none")
def test_the_stored_board_is_the_computed_board_in_every_order(app, db, program, filters):
    stage, _ = _stage(db, program, 60, seed=3)
    _warm(db, stage)
    for sort in SORTS:
        for direction in ("asc", "desc"):
            board = _same(stage, sort=sort, direction=direction, filters=filters)
            merit = sort == "rank" or (sort == "normalised_score" and direction == "desc")
            assert isinstance(board.rows, board_read.MeritRows if merit else board_read.SortedRows)
    for top in (0, 1, 5, 500):
        _same(stage, filters=filters, top=top)
        _same(stage, filters=filters, top=top, sort="spread", direction="asc")


def test_a_stage_without_a_rubric_and_reviews_that_no_longer_fit(app, db, program, manager):
    stage, _ = _stage(db, program, 25, seed=5)
    season = stage.season

    def rubric(criteria):
        document = season_document(season)
        mine = next(s for s in document["stages"] if s["id"] == stage.id)
        mine["criteria"] = criteria(mine["criteria"])
        update_season(season, actor=manager, data={"stages": document["stages"]})
        db.session.commit()

    # A new criterion: every review submitted before it no longer fits, and is left out.
    rubric(lambda criteria: [*criteria, {**criteria[0], "key": "impact", "label": {"en": "Impact"}}])
    _warm(db, stage)
    board = _same(stage)
    assert board.skipped_reviews > 0 and board.stats.review_count == 0
    assert all(r.rank is None for r in board.rows)
    _same(stage, sort="criterion:impact", filters=lb.Filters(flag="incomplete"))
    # No rubric at all (the reviews have nothing to count against).
    for criterion in list(stage.criteria):
        db.session.delete(criterion)
    db.session.commit()
    assert not board_store.state(stage.id).fresh
    _warm(db, stage)
    board = _same(stage, sort="spread")
    assert board.criteria == [] and board.stats.mean is None and board.skipped_reviews > 0


def test_a_page_reads_the_store_with_the_same_queries_at_10_and_200_applications(app, db, client, program,
                                                                                   manager, login, api_token):
    small, _ = _stage(db, program, 10, seed=1)
    large, _ = _stage(db, program, 200, seed=2)
    token = api_token(manager)
    login(manager)
    counts = {}
    for stage in (small, large):
        # Pages within the rows that have a review (the rows without one, always last, are one more query).
        paths = [f"/manage/stages/{stage.id}/leaderboard?per_page=3", f"/manage/stages/{stage.id}/leaderboard?sort=spread"
                 "&region=andijan", f"/api/v1/stages/{stage.id}/leaderboard?per_page=2&page=2&women_led=true"]
        client.get(paths[0])  # the first read after the data changed computes and stores the board
        got = []
        for path in paths:
            client.get(path, headers=bearer(token))  # one-off writes (a token's last use) are not measured
            with count_queries() as counter:
                response = client.get(path, headers=bearer(token) if "/api/" in path else {})
            assert response.status_code == 200
            assert not any("reviews" in s and "FROM reviews" in s for s in counter.statements), counter.statements
            got.append(counter.count)
        counts[stage.id] = got
    assert counts[small.id] == counts[large.id], counts
    assert max(counts[large.id]) <= 10, counts


@pytest.fixture
def scene(app, db, program, manager):
    stage, reviewers = _stage(db, program, 40, seed=11)
    _warm(db, stage)
    return stage, reviewers, manager


def _open_assignment(db, stage, submitted: bool):
    """An active assignment of an application in review at the stage, with (or without) a submitted review."""
    rows = db.session.execute(
        select(Assignment, Review).outerjoin(Review, Review.assignment_id == Assignment.id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE,
               Application.status == Status.IN_REVIEW, Application.current_stage_id == stage.id)
        .order_by(Assignment.id)).all()
    for assignment, review in rows:
        if submitted == (review is not None and review.status == ReviewStatus.SUBMITTED):
            return assignment
    raise AssertionError("no such assignment in the scene")


def _score_of(stage, application_id):
    board = lb.stage_leaderboard(stage, sort="rank", direction="asc")
    return next(r.score for r in board.rows if r.application_id == application_id)


def _changed_then_current(db, stage, change):
    before = _rows(lb.stage_leaderboard(stage).rows)
    version = board_store.state(stage.id).current
    change()
    db.session.commit()
    state = board_store.state(stage.id)
    assert not state.fresh and state.current > version
    after = _same(stage)  # computed again, stored, and now read from the store
    _same(stage, sort="weighted_score", direction="asc")
    assert _rows(after.rows) != before
    return after


def test_submitting_a_review_shows_on_the_next_read(db, scene):
    stage, _, _ = scene
    assignment = _open_assignment(db, stage, submitted=False)
    reviewer = assignment.reviewer
    before = _score_of(stage, assignment.application_id).review_count
    _changed_then_current(db, stage, lambda: record_review(assignment, actor=reviewer, scores={"team": 5, "market": 1},
                                                           recommendation="yes", submit=True))
    assert _score_of(stage, assignment.application_id).review_count == before + 1


def test_editing_a_submitted_review_shows_on_the_next_read(db, scene):
    stage, _, _ = scene
    assignment = _open_assignment(db, stage, submitted=True)
    reviewer = assignment.reviewer
    old = dict(assignment.review.scores)
    new = {"team": 1 if old["team"] != 1 else 5, "market": old["market"]}
    _changed_then_current(db, stage, lambda: record_review(assignment, actor=reviewer, scores=new, submit=True))
    # A draft saved or a private note changed does not make the board stale.
    draft = _open_assignment(db, stage, submitted=False)
    version = board_store.state(stage.id).current
    record_review(draft, actor=draft.reviewer, scores={"team": 2}, private_note="later")
    db.session.commit()
    assert board_store.state(stage.id).current == version


def test_releasing_an_assignment_shows_on_the_next_read(db, scene):
    stage, reviewers, manager = scene
    # A manager records a conflict: the reviewer's submitted review no longer counts.
    assignment = _open_assignment(db, stage, submitted=True)
    application_id, reviewer_id = assignment.application_id, assignment.reviewer_id
    before = _score_of(stage, application_id).review_count
    _changed_then_current(db, stage, lambda: add_conflict_by_manager(
        stage.season.program, actor=manager, reviewer_id=reviewer_id, application_id=application_id))
    assert _score_of(stage, application_id).review_count == before - 1

    # An application that moved on, listed here only through its assignment, leaves when it is removed.
    later = next(s for s in stage.season.stages if s.id != stage.id)
    moved = Application(season_id=stage.season_id, startup_id=_startup(reviewers[0], "Moved on").id,
                        status=Status.IN_REVIEW, current_stage_id=later.id)
    db.session.add(moved)
    db.session.flush()
    held = Assignment(stage_id=stage.id, application_id=moved.id, reviewer_id=reviewers[0].id)
    db.session.add(held)
    db.session.commit()
    assert moved.id in {r.application_id for r in _same(stage).rows}
    after = _changed_then_current(db, stage, lambda: remove_assignment(held, actor=manager))
    assert moved.id not in {r.application_id for r in after.rows}


def test_a_criterion_weight_and_the_thresholds_show_on_the_next_read(db, scene):
    stage, _, manager = scene
    season = stage.season

    def reweigh():
        document = season_document(season)
        mine = next(s for s in document["stages"] if s["id"] == stage.id)
        mine["criteria"][0]["weight"] = Decimal("5")
        update_season(season, actor=manager, data={"stages": document["stages"]})

    _changed_then_current(db, stage, reweigh)
    assert [c.weight for c in lb.stage_criteria(stage)][0] == Decimal("5")

    def thresholds():
        document = season_document(season)
        mine = next(s for s in document["stages"] if s["id"] == stage.id)
        mine["disagreement_threshold"], mine["reviews_required"] = Decimal("0.25"), 3
        update_season(season, actor=manager, data={"stages": document["stages"]})

    after = _changed_then_current(db, stage, thresholds)
    assert all(r.score.reviews_required == 3 for r in after.rows)


def test_a_decision_shows_at_once_without_recomputing(db, scene):
    stage, _, manager = scene
    later = next(s for s in stage.season.stages if s.id != stage.id)
    _warm(db, later)
    board = lb.stage_leaderboard(stage)
    first, second, third = [r.application_id for r in board.rows if r.facts.status == "in_review"][:3]
    version = board_store.state(stage.id).current
    decide_applications(stage, [DecisionRequest(first, Decision.REJECT), DecisionRequest(second, Decision.WAITLIST),
                                DecisionRequest(third, Decision.ADVANCE)], actor=manager)
    db.session.commit()
    assert board_store.state(stage.id).current == version  # the scores did not change: still current
    after = _same(stage)
    statuses = {r.application_id: r.facts.status for r in after.rows}
    assert (statuses[first], statuses[second], statuses[third]) == ("rejected", "waitlisted", "advanced")
    _same(stage, filters=lb.Filters(status="waitlisted"))
    # The advanced application is listed at once on the next stage's board (read from its store).
    assert board_store.state(later.id).fresh
    assert third in {r.application_id for r in _same(later).rows}
    # A withdrawn application leaves the board, and the ranks close up.
    application = db.session.get(Application, first)
    application.status = Status.WITHDRAWN
    db.session.commit()
    after = _same(stage)
    assert first not in {r.application_id for r in after.rows}


def test_a_board_computed_from_data_that_changed_since_is_not_stored(db, scene):
    stage, _, _ = scene
    stale_version = board_store.state(stage.id).current
    assignment = _open_assignment(db, stage, submitted=True)
    assignment.review.scores = {"team": 3, "market": 3} if assignment.review.scores != {"team": 3, "market": 3} \
        else {"team": 4, "market": 4}
    db.session.commit()
    criteria = lb.stage_criteria(stage)
    _, computed, skipped = lb.computed_board(stage, criteria, sort="rank", direction="asc", filters=lb.Filters(),
                                             top=None)
    assert board_store.store(stage, stale_version, computed, skipped, board_store.assigned_applications(stage),
                             commit=True) is False
    assert not board_store.state(stage.id).fresh
    _same(stage)


def test_two_readers_of_a_stale_board_agree(app, db, scene, monkeypatch):
    """Both compute from the stale board, then both try to store it at the same moment: one writes,
    the other finds it written, and both serve the same rows."""
    stage, _, _ = scene
    real_store, written = board_store.store, []
    both_computed = threading.Barrier(2)

    def store(*args, **kwargs):
        both_computed.wait(timeout=10)
        written.append(real_store(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(board_store, "store", store)
    db.session.execute(Stage.__table__.update().where(Stage.__table__.c.id == stage.id)
                       .values(scores_version=Stage.__table__.c.scores_version + 1))
    db.session.commit()
    assert not board_store.state(stage.id).fresh
    stage_id = stage.id
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def read(name):
        try:
            with app.app_context():
                from incubator.extensions import db as database

                mine = database.session.get(Stage, stage_id)
                barrier.wait(timeout=10)
                board = lb.stage_leaderboard(mine, commit=True)
                results[name] = (_rows(board.rows), board.listed, board.cut, board.stats)
                database.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(written) == [False, True]
    assert results["one"] == results["two"]
    db.session.expire_all()
    assert board_store.state(stage_id).fresh
    stored = db.session.scalar(select(func.count()).select_from(StageBoardRow).where(StageBoardRow.stage_id == stage_id))
    assert stored == len(board_store.assigned_applications(stage))
    assert db.session.scalar(select(func.count()).select_from(StageBoardRecord)) >= 1
    assert _rows(lb.stage_leaderboard(stage).rows) == results["one"][0]
