"""A large generated season (default 5,000 applications) for timing the season report and checking
that its queries stay bounded. Rows are bulk-inserted with explicit ids, so building it takes
seconds, not minutes. Deterministic for a given seed. Figures are not known by hand here: use
tests/support/report_fixture.py for exact checks."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.extensions import db
from incubator.outcomes.models import ExchangeRate, Outcome
from incubator.programs.models import Criterion, Organisation, Program, Season, SeasonStatus, Stage
from incubator.reviews.models import Assignment, Review
from incubator.selection.models import Offer, WaitlistEntry
from incubator.startups.models import REGIONS, SECTORS, Startup, TeamMember

START = datetime(2024, 3, 1, tzinfo=UTC)


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def build_large_season(n: int = 5000, *, seed: int = 7, reviewers: int = 40) -> Season:
    rng = random.Random(seed)
    session = db.session
    org = Organisation(name=f"Large Org {seed}", slug=f"large-org-{seed}-{n}")
    program = Program(organisation=org, name="Large Program", slug=f"large-program-{seed}-{n}",
                      eligibility_rules=[{"rule": "founder_age", "min": 14, "max": 35}])
    season = Season(program=program, name="Large Season", slug="large", status=SeasonStatus.DECIDED,
                    opens_at=START, closes_at=START + timedelta(days=30), quota=n // 30)
    session.add_all([org, program, season])
    session.flush()
    stages = []
    for position, weights in ((1, (2, 1, 1)), (2, (3, 1))):
        stage = Stage(season_id=season.id, position=position, name={"en": f"Stage {position}"}, reviews_required=2,
                      review_deadline=START + timedelta(days=40 * position))
        session.add(stage)
        session.flush()
        for i, weight in enumerate(weights):
            session.add(Criterion(stage_id=stage.id, key=f"c{i}", position=i, label={"en": f"C{i}"},
                                  weight=Decimal(weight), scale_min=1, scale_max=5))
        stages.append(stage)
    session.flush()
    keys = {1: ["c0", "c1", "c2"], 2: ["c0", "c1"]}

    user_id = _next_id(User)
    reviewer_ids = list(range(user_id, user_id + reviewers))
    owner_ids = list(range(user_id + reviewers, user_id + reviewers + n))
    session.execute(insert(User), [{"id": i, "email": f"large{seed}-{i}@example.org", "name": f"User {i}",
                                    "password_hash": "!", "session_token": f"t{seed}-{i}"}
                                   for i in reviewer_ids + owner_ids])
    startup_id, member_id, app_id = _next_id(Startup), _next_id(TeamMember), _next_id(Application)
    startups, members, apps = [], [], []
    plan: dict[int, str] = {}
    for k in range(n):
        sid, aid = startup_id + k, app_id + k
        startups.append({"id": sid, "owner_id": owner_ids[k], "name": f"Startup {k}", "sector": rng.choice(SECTORS),
                         "region": rng.choice(REGIONS), "country": "UZ",
                         "stage": rng.choice(["idea", "prototype", "mvp", "revenue"])})
        for j in range(rng.choice((1, 1, 2, 3))):
            members.append({"id": member_id + len(members), "startup_id": sid, "name": f"M{k}.{j}",
                            "gender": rng.choice(["female", "male", "male", "undisclosed"]),
                            "birth_year": rng.randint(1988, 2006)})
        roll = rng.random()
        status = ("draft" if roll < 0.1 else "withdrawn" if roll < 0.12 else "rejected")
        plan[aid] = status
        submitted = START + timedelta(days=rng.randint(1, 29), hours=rng.randint(0, 23))
        apps.append({"id": aid, "season_id": season.id, "startup_id": sid, "created_by_id": owner_ids[k],
                     "status": status, "current_stage_id": stages[0].id if status == "rejected" else None,
                     "submitted_at": submitted if status != "draft" else None,
                     "decided_at": submitted + timedelta(days=rng.randint(20, 60)) if status == "rejected" else None})
    in_review = [a for a in apps if a["status"] == "rejected"]
    second = rng.sample(in_review, len(in_review) // 10)
    accepted = second[: len(second) // 3]
    waitlisted = in_review[:20]
    for a in second:
        a["current_stage_id"] = stages[1].id
    for a in accepted:
        a["status"] = "accepted"
    for a in waitlisted:
        if a["status"] == "rejected" and a["current_stage_id"] == stages[0].id:
            a["status"], a["decided_at"] = "waitlisted", None
    session.execute(insert(Startup), startups)
    session.execute(insert(TeamMember), members)
    session.execute(insert(Application), apps)

    assignment_id, review_id = _next_id(Assignment), _next_id(Review)
    assignments, reviews = [], []
    for stage, group in ((stages[0], in_review), (stages[1], second)):
        for a in group:
            for reviewer in rng.sample(reviewer_ids, 2):
                aid = assignment_id + len(assignments)
                assignments.append({"id": aid, "stage_id": stage.id, "application_id": a["id"],
                                    "reviewer_id": reviewer, "status": "active"})
                if rng.random() < 0.95:
                    late = rng.random() < 0.1
                    reviews.append({"id": review_id + len(reviews), "assignment_id": aid,
                                    "scores": {key: rng.randint(1, 5) for key in keys[stage.position]},
                                    "status": "submitted",
                                    "submitted_at": stage.review_deadline + timedelta(days=1 if late else -3)})
    session.execute(insert(Assignment), assignments)
    session.execute(insert(Review), reviews)
    session.execute(insert(Offer), [{"application_id": a["id"], "season_id": season.id,
                                     "status": rng.choice(["confirmed", "confirmed", "declined"]),
                                     "deadline_at": START + timedelta(days=100)} for a in accepted])
    session.execute(insert(WaitlistEntry), [{"application_id": a["id"], "season_id": season.id,
                                             "stage_id": stages[0].id, "rank": float(i)}
                                            for i, a in enumerate(waitlisted) if a["status"] == "waitlisted"])
    session.add(ExchangeRate(program_id=program.id, currency="USD", rate=Decimal("12600"),
                             valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31)))
    session.execute(insert(Outcome), [
        {"application_id": a["id"], "season_id": season.id, "kind": "investment", "amount": Decimal(20000),
         "currency": rng.choice(["USD", "UZS"]), "occurred_on": date(2024, 9, 1), "note": ""}
        for a in accepted[::2]])
    session.commit()
    return season
