"""The benchmark dataset (bench/generate.py) at a tiny scale: the counts it promises, and data the app
itself finds consistent (k reviews per application, nobody conflicted assigned, loads under the
maxima, complete drafts for the storm). Always SQLite in a temporary folder: the generator empties a
PostgreSQL database, so it never touches the test database."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bench.generate import generate


@pytest.fixture(scope="module")
def bench_data(tmp_path_factory):
    from incubator import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    ids = generate(50, 150, database_url=url, app=app)
    return app, ids


def test_counts(bench_data):
    from incubator.applications.models import Application
    from incubator.extensions import db
    from incubator.reviews.models import ReviewerProfile

    app, ids = bench_data
    with app.app_context():
        per_season = dict(db.session.execute(select(Application.season_id, func.count()).group_by(
            Application.season_id)).all())
        assert per_season == {ids["season_id"]: 50, ids["storm_season_id"]: 50}
        assert db.session.scalar(select(func.count()).select_from(ReviewerProfile)) == 150
        assert len(ids["storm_application_ids"]) + len(ids["late_application_ids"]) == 50
        assert ids["counts"]["stage1_reviews"] == 3 * sum(
            1 for s in ("in_review", "rejected", "waitlisted", "accepted") for _ in range(ids["statuses"].get(s, 0)))
        db.session.remove()


def test_three_submitted_reviews_per_application_at_stage_one(bench_data):
    from incubator.applications.models import Application
    from incubator.extensions import db
    from incubator.reviews.models import Assignment, Review

    app, ids = bench_data
    stage1 = ids["stage_ids"][0]
    with app.app_context():
        reviewed = set(db.session.scalars(select(Application.id).where(
            Application.season_id == ids["season_id"], Application.current_stage_id.is_not(None))))
        rows = db.session.execute(
            select(Assignment.application_id, Assignment.reviewer_id, Review.status, Review.scores, Review.total)
            .join(Review, Review.assignment_id == Assignment.id).where(Assignment.stage_id == stage1)).all()
        per_app = Counter(app_id for app_id, *_ in rows)
        assert set(per_app) == reviewed and set(per_app.values()) == {3}
        assert len({(a, r) for a, r, *_ in rows}) == len(rows)  # distinct reviewers
        assert {status for _, _, status, _, _ in rows} == {"submitted"}
        weights = dict(ids["criteria"])
        for *_, scores, total in rows:
            assert set(scores) == set(weights)
            assert total == pytest.approx(sum(weights[k] * v for k, v in scores.items()) / sum(weights.values()),
                                          abs=1e-3)
        db.session.remove()


def test_nobody_conflicted_is_assigned_and_loads_are_under_the_maxima(bench_data):
    from incubator.applications.models import Application
    from incubator.extensions import db
    from incubator.reviews.conflicts import conflict_map
    from incubator.reviews.models import Assignment, ReviewerProfile

    app, ids = bench_data
    with app.app_context():
        pool = {p.user_id: p for p in db.session.scalars(select(ReviewerProfile))}
        startup_ids = list(db.session.scalars(select(Application.startup_id).where(
            Application.season_id == ids["season_id"])))
        conflicts = conflict_map({uid: p.user.email for uid, p in pool.items()}, startup_ids)
        sources = Counter(reason.key for reason in conflicts.values())
        assert sources["declared"] > 0  # stored conflicts exist; detected ones depend on the draw
        pairs = db.session.execute(select(Assignment.stage_id, Assignment.reviewer_id, Application.startup_id)
                                   .join(Application, Application.id == Assignment.application_id)).all()
        assert pairs and not [p for p in pairs if (p.reviewer_id, p.startup_id) in conflicts]
        loads = Counter((p.stage_id, p.reviewer_id) for p in pairs)
        assert all(load <= pool[rid].max_load for (_, rid), load in loads.items())
        db.session.remove()


def test_decisions_are_announceable_and_storm_drafts_are_complete(bench_data):
    from incubator.applications.models import Application
    from incubator.applications.services import submission_problems
    from incubator.extensions import db
    from incubator.letters.queries import decisions_for
    from incubator.programs.models import Season

    app, ids = bench_data
    with app.test_request_context():
        season = db.session.get(Season, ids["season_id"])
        kinds = Counter(d.kind.value for d in decisions_for(season))
        assert kinds["rejected"] > 0 and kinds["advanced"] > 0
        drafts = db.session.scalars(select(Application).where(Application.id.in_(ids["storm_application_ids"])))
        assert all(a.status == "draft" and submission_problems(a) == {} for a in drafts)
        db.session.remove()


def test_every_stored_address_has_its_domain(bench_data):
    """Conflict detection looks people up by email_domain: the generator fills it (the SQLite bulk
    insert here; PostgreSQL's COPY gives the same rows, and a row without it gets the column's
    default computed from the row's address, as a Core insert would)."""
    from incubator.accounts.models import User, domain_of
    from incubator.extensions import db
    from incubator.startups.models import TeamMember
    from incubator.core.bulk import _RowContext

    app, _ids = bench_data
    with app.app_context():
        for model in (User, TeamMember):
            rows = db.session.execute(select(model.email, model.email_domain)).all()
            assert rows and all(domain == domain_of(email) and domain for email, domain in rows)
        db.session.remove()
    default = TeamMember.__table__.c.email_domain.default
    assert default.arg(_RowContext({"email": "Member@Agro-Bench.UZ"})) == "agro-bench.uz"
