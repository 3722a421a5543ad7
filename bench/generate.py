"""A realistic benchmark dataset at a chosen scale, written with bulk inserts.

    .venv/bin/python bench/generate.py --applications 5000 [--reviewers 150] [--database sqlite:///x.db]

Into SQLite (a new file: the path given, else a temporary one) or PostgreSQL (DATABASE_URL or
--database; the database is emptied first: it must be a throw-away one, whose name contains "bench"
or "test"). The schema is built by the migrations. One program with two seasons:

- the main season ("reviewing"): N applications (2% drafts, 1% withdrawn), 3 stages with 5 weighted
  criteria; every reviewed application has 3 submitted reviews at stage 1 (from reviewers assigned
  round-robin, none conflicted); decisions through the stages: 55% rejected at stage 1, 30%
  advanced, then rejected / waitlisted / advanced at stage 2, and at stage 3 offers up to the quota
  (2.5% of N), a waitlist, rejections; stage 2 and 3 reviews partly submitted, partly drafts;
- the storm season ("open"): a complete draft for each of the first 320 founders (300 to submit at the
  deadline, 20 to try after it).

150-300 reviewers (half on private e-mail domains that 3% of the teams share: detected conflicts;
plus declared conflicts), each with expertise sectors, languages and a maximum load; one manager;
every user's password is BENCH_PASSWORD (one argon2 hash, computed once).

`generate(scale, ...)` returns the ids the scenarios need. Bulk inserts only (Core INSERT with lists
of dicts, in chunks), one transaction.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dataset import AppPlan, Plan, Sizes, default_reviewers, paragraph  # noqa: E402

BENCH_PASSWORD = "bench-password-2025"
CHUNK = 5000


def make_app(database_url: str):
    from incubator import create_app

    return create_app(os.environ.get("APP_ENV") or "development", SQLALCHEMY_DATABASE_URI=database_url,
                      RATELIMIT_ENABLED=False)


def reset_postgres(url: str) -> None:
    """Empty a throw-away PostgreSQL database (refused unless its name says it is one)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to empty database {name!r}: give the bench a database named *bench* or *test*")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _insert(conn, model, rows: list[dict]) -> None:
    table = model.__table__
    if conn.dialect.name == "postgresql":
        from incubator.core.bulk import copy_rows

        copy_rows(conn, table, rows)
        return
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start:start + CHUNK])


def generate(applications: int, reviewers: int | None = None, *, database_url: str, seed: int = 2025,
             storm: int = 300, late: int = 20, app=None) -> dict:
    """Build the schema and write the dataset; returns ids and counts (see the module doc)."""
    from flask_migrate import upgrade

    started = time.perf_counter()
    if database_url.startswith("postgresql"):
        reset_postgres(database_url)
    app = app or make_app(database_url)
    with app.app_context():
        upgrade()
        migrated = time.perf_counter()
        from incubator.extensions import db

        conn = db.session.connection()
        ids = _write(conn, Plan(Sizes(applications, reviewers or default_reviewers(applications), storm, late), seed))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            _fix_sequences(db)
            from sqlalchemy import text

            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        elif db.engine.dialect.name == "sqlite":
            from sqlalchemy import text

            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    ids["seconds"] = {"migrate": round(migrated - started, 2), "total": round(time.perf_counter() - started, 2)}
    ids["database_url"] = database_url
    return ids


def _fix_sequences(db) -> None:
    from sqlalchemy import text

    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
    db.session.commit()


def _write(conn, plan: Plan) -> dict:  # noqa: C901 - one straight pass over the tables
    from incubator.accounts.models import ProgramRole, User, domain_of
    from incubator.accounts.passwords import hash_password
    from incubator.applications.models import Answer, Application, ApplicationEvent
    from incubator.core.timeutil import utcnow
    from incubator.demo import catalogue
    from incubator.programs.models import Criterion, Organisation, Program, Question, Season, Stage
    from incubator.reviews.models import Assignment, ConflictOfInterest, Review, ReviewerProfile
    from incubator.selection.models import Offer, WaitlistEntry
    from incubator.startups.models import Startup, TeamMember

    rng, sizes = plan.rng, plan.sizes
    n, r = sizes.applications, sizes.reviewers
    now = utcnow()
    password = hash_password(BENCH_PASSWORD)

    _insert(conn, Organisation, [{"id": 1, "name": "Bench Organisation", "slug": "bench-org", "country": "UZ",
                                  "website": None, "created_at": now}])
    _insert(conn, Program, [{"id": 1, "organisation_id": 1, "name": "Bench Accelerator", "slug": "bench",
                             "summary": {"en": "The benchmark program."}, "website": None,
                             "languages": ["uz", "ru", "en"], "default_locale": "uz",
                             "eligibility_rules": [{"rule": "countries", "allowed": ["UZ", "KZ", "KG", "TJ", "TM"]}],
                             "is_public": True, "created_at": now}])
    main_closes, storm_closes = now - timedelta(days=30), now + timedelta(days=30)
    season_row = {"program_id": 1, "timezone": "Asia/Tashkent", "grace_minutes": 0, "offer_confirmation_days": 7,
                  "closed_at": None, "closed_by_id": None, "created_at": now - timedelta(days=90)}
    _insert(conn, Season, [
        {**season_row, "id": 1, "name": "Main season", "slug": "main", "description": {"en": "Benchmark season."},
         "status": "reviewing", "opens_at": now - timedelta(days=60), "closes_at": main_closes, "quota": plan.quota},
        {**season_row, "id": 2, "name": "Storm season", "slug": "storm", "description": {"en": "Deadline rush."},
         "status": "open", "opens_at": now - timedelta(days=20), "closes_at": storm_closes, "quota": None}])
    questions = catalogue.questions_for("innox")
    q_rows, q_ids = [], {1: {}, 2: {}}
    for season_id in (1, 2):
        for pos, q in enumerate(questions, start=1):
            qid = len(q_rows) + 1
            q_ids[season_id][q["key"]] = qid
            q_rows.append({"id": qid, "season_id": season_id, "key": q["key"], "position": pos, "type": q["type"],
                           "required": q.get("required", False), "label": q["label"], "help_text": q["help_text"],
                           "options": q.get("options", []), "max_chars": q.get("max_chars"),
                           "max_words": q.get("max_words"), "min_value": q.get("min_value"),
                           "max_value": q.get("max_value"), "shown_in_blind": q.get("shown_in_blind", True),
                           "created_at": now})
    _insert(conn, Question, q_rows)
    stage_rows, criteria_rows = [], []
    for season_id, base in ((1, main_closes), (2, storm_closes)):
        for pos, st in enumerate(catalogue.STAGES, start=1):
            sid = len(stage_rows) + 1
            stage_rows.append({"id": sid, "season_id": season_id, "position": pos, "name": st["name"],
                               "reviews_required": st["reviews_required"], "is_blind": st["is_blind"],
                               "review_deadline": now + timedelta(days=7 * pos) if season_id == 1 else
                               base + timedelta(days=st["days"]), "reviewers_see_others": False,
                               "disagreement_threshold": 1, "created_at": now})
            for j, (key, weight, label, desc) in enumerate(catalogue.CRITERIA, start=1):
                criteria_rows.append({"id": len(criteria_rows) + 1, "stage_id": sid, "key": key, "position": j,
                                      "label": label, "description": desc, "weight": weight, "scale_min": 1,
                                      "scale_max": 5, "scale_labels": catalogue.SCALE_LABELS, "created_at": now})
    _insert(conn, Stage, stage_rows)
    _insert(conn, Criterion, criteria_rows)
    criteria = [(key, float(weight)) for key, weight, _, _ in catalogue.CRITERIA]

    # --- people ----------------------------------------------------------------------------------
    manager_id, first_reviewer = 1, 2
    first_founder = first_reviewer + r
    user = {"password_hash": password, "timezone": "Asia/Tashkent", "is_admin": False, "is_active_account": True,
            "email_verified_at": now - timedelta(days=100), "created_at": now - timedelta(days=100)}
    users = [{**user, "id": manager_id, "email": "manager@bench.example.org", "name": "Bench Manager",
              "locale": "en", "session_token": secrets.token_urlsafe(24)}]
    users += [{**user, "id": first_reviewer + k, "email": f"reviewer{k + 1}@{plan.reviewer_domain[k]}",
               "name": f"Reviewer {k + 1}", "locale": plan.reviewer_locale[k], "session_token": secrets.token_urlsafe(24)}
              for k in range(r)]
    users += [{**user, "id": first_founder + i, "email": f"founder{i + 1}@example.org", "name": f"Founder {i + 1}",
               "locale": plan.locale[i], "session_token": secrets.token_urlsafe(24)} for i in range(n)]
    for row in users:
        row["email_domain"] = domain_of(row["email"])
    _insert(conn, User, users)
    del users
    _insert(conn, ProgramRole, [{"id": 1, "user_id": manager_id, "program_id": 1, "role": "manager",
                                 "granted_by_id": None, "created_at": now}]
            + [{"id": 2 + k, "user_id": first_reviewer + k, "program_id": 1, "role": "reviewer", "granted_by_id": 1,
                "created_at": now} for k in range(r)])
    _insert(conn, ReviewerProfile, [{"id": k + 1, "program_id": 1, "user_id": first_reviewer + k,
                                     "expertise": plan.reviewer_expertise[k], "languages": plan.reviewer_languages[k],
                                     "max_load": plan.profile_max_load, "created_at": now} for k in range(r)])
    startups, members = [], []
    for i in range(n):
        startups.append({"id": i + 1, "owner_id": first_founder + i, "name": f"Startup {i + 1}",
                         "pitch": paragraph(rng, 12)[:300], "description": paragraph(rng, rng.randint(40, 120)),
                         "sector": plan.sector[i], "region": plan.region[i], "country": "UZ",
                         "stage": rng.choice(("idea", "prototype", "mvp", "revenue")), "founded_on": None,
                         "website": f"https://startup{i + 1}.example.org/", "logo_key": None,
                         "logo_content_type": None, "created_at": now - timedelta(days=95)})
        member = {"startup_id": i + 1, "created_at": now - timedelta(days=95)}
        members.append({**member, "user_id": first_founder + i, "name": f"Founder {i + 1}",
                        "email": f"founder{i + 1}@example.org", "role": "CEO",
                        "gender": rng.choice(("female", "male", "male")), "birth_year": rng.randint(1990, 2006)})
        for m in range(plan.team[i]):
            domain = plan.private_member[i] if m == 0 and i in plan.private_member else rng.choice(
                ("example.org", "example.com", "example.net"))
            members.append({**member, "user_id": None, "name": f"Member {i + 1}.{m + 1}",
                            "email": f"member{i + 1}.{m + 1}@{domain}", "role": rng.choice(("CTO", "Designer", "Sales")),
                            "gender": rng.choice(("female", "male", "undisclosed")), "birth_year": rng.randint(1985, 2006)})
    _insert(conn, Startup, startups)
    _insert(conn, TeamMember, [{"id": k + 1, **m, "email_domain": domain_of(m["email"])}
                               for k, m in enumerate(members)])
    del startups, members
    _insert(conn, ConflictOfInterest, [
        {"id": k + 1, "reviewer_id": first_reviewer + rv, "startup_id": i + 1, "application_id": None,
         "source": "declared", "reason": "I advised this team last year.", "created_by_id": first_reviewer + rv,
         "created_at": now - timedelta(days=20)} for k, (rv, i) in enumerate(sorted(plan.declared))])

    # --- applications, answers, events ------------------------------------------------------------
    apps, answers, events = [], [], []
    stage_id = {1: 1, 2: 2, 3: 3}
    base_app = {"season_id": 1, "updated_at": now, "withdrawn_at": None, "decided_at": None}

    def event(app_id, kind, src, dst, stage, at, actor, reason=""):
        events.append({"id": len(events) + 1, "application_id": app_id, "actor_id": actor, "kind": kind,
                       "from_status": src, "to_status": dst, "stage_id": stage, "reason": reason, "created_at": at})

    for a in plan.apps:
        app_id, founder = a.index + 1, first_founder + a.index
        created = now - timedelta(days=59, minutes=rng.randint(0, 40000))
        submitted = main_closes - timedelta(minutes=int(40000 * rng.random() ** 2))
        row = {**base_app, "id": app_id, "startup_id": app_id, "created_by_id": founder, "status": a.status,
               "current_stage_id": stage_id[a.stage] if a.stage else None, "created_at": created,
               "submitted_at": None if a.status == "draft" else submitted}
        event(app_id, "created", None, "draft", None, created, founder)
        if a.status != "draft":
            event(app_id, "submitted", "draft", "submitted", None, submitted, founder)
        if a.status == "withdrawn":
            row["withdrawn_at"] = submitted + timedelta(days=2)
            event(app_id, "withdrawn", "submitted", "withdrawn", None, row["withdrawn_at"], founder, "Changed plans.")
        elif a.stage is not None:
            event(app_id, "review_started", "submitted", "in_review", 1, main_closes + timedelta(days=1), manager_id)
            for stage, outcome in sorted(a.decided_at_stage.items()):
                at = main_closes + timedelta(days=7 * stage + 1, minutes=a.index % 600)
                if outcome == "advanced":
                    event(app_id, "advanced", "in_review", "in_review", stage, at, manager_id)
                else:
                    event(app_id, "decision", "in_review", outcome, stage, at, manager_id,
                          "The committee ranked others higher." if outcome == "rejected" else "")
                    if outcome in ("accepted", "rejected"):
                        row["decided_at"] = at
                    if outcome == "accepted":
                        event(app_id, "offer_made", None, None, None, at, manager_id, "confirm within 7 days")
        apps.append(row)
        for key, value in plan.answers(a.index, questions).items():
            answers.append({"application_id": app_id, "question_id": q_ids[1][key], "value": value,
                            "updated_at": created + timedelta(hours=1), "updated_by_id": founder})
    storm_ids = []
    for i in range(plan.sizes.storm_total):
        app_id, founder = n + i + 1, first_founder + i
        created = now - timedelta(days=10, minutes=i)
        storm_ids.append(app_id)
        apps.append({**base_app, "id": app_id, "season_id": 2, "startup_id": i + 1, "created_by_id": founder,
                     "status": "draft", "current_stage_id": None, "created_at": created, "submitted_at": None})
        event(app_id, "created", None, "draft", None, created, founder)
        for key, value in plan.answers(i, questions).items():
            answers.append({"application_id": app_id, "question_id": q_ids[2][key], "value": value,
                            "updated_at": created + timedelta(hours=1), "updated_by_id": founder})
    _insert(conn, Application, apps)
    _insert(conn, Answer, [{"id": k + 1, **x} for k, x in enumerate(answers)])
    _insert(conn, ApplicationEvent, events)
    counts = {"applications": n, "storm_drafts": len(storm_ids), "answers": len(answers), "events": len(events)}
    for rows in (apps, answers, events):
        rows.clear()

    # --- assignments and reviews ------------------------------------------------------------------
    assignments, reviews = [], []
    for a in plan.apps:
        for stage, chosen in sorted(a.reviewers.items()):
            for rv, state in zip(chosen, a.review_state[stage], strict=True):
                aid = len(assignments) + 1
                assignments.append({"id": aid, "stage_id": stage_id[stage], "application_id": a.index + 1,
                                    "reviewer_id": first_reviewer + rv, "status": "active", "is_auto": True,
                                    "reason": "chosen to balance loads", "reason_key": "balance",
                                    "reason_params": {"load": 0, "max": plan.profile_max_load},
                                    "created_by_id": manager_id, "released_at": None,
                                    "created_at": main_closes + timedelta(days=1 + 7 * (stage - 1))})
                if state != "none":
                    reviews.append(_review(plan, a, rv, aid, state, criteria, stage, main_closes))
    _insert(conn, Assignment, assignments)
    _insert(conn, Review, [{"id": k + 1, **x} for k, x in enumerate(reviews)])
    counts.update(assignments=len(assignments), reviews=len(reviews),
                  stage1_reviews=sum(1 for x in assignments if x["stage_id"] == 1))
    del assignments, reviews

    # --- offers and the waitlist ------------------------------------------------------------------
    offers, waitlist = [], []
    for a in plan.apps:
        if a.status == "accepted":
            confirmed = rng.random() < 0.15
            offers.append({"id": len(offers) + 1, "application_id": a.index + 1, "season_id": 1,
                           "status": "confirmed" if confirmed else "open", "deadline_at": now + timedelta(days=7),
                           "responded_at": now - timedelta(hours=3) if confirmed else None,
                           "promoted_from_waitlist": False, "created_by_id": manager_id,
                           "created_at": now - timedelta(days=1)})
        elif a.status == "waitlisted":
            stage = max(a.decided_at_stage)
            waitlist.append({"id": len(waitlist) + 1, "application_id": a.index + 1, "season_id": 1,
                             "stage_id": stage_id[stage], "rank": float(len(waitlist) + 1), "promoted_at": None,
                             "created_at": now - timedelta(days=1)})
    _insert(conn, Offer, offers)
    _insert(conn, WaitlistEntry, waitlist)
    counts.update(offers=len(offers), waitlisted=len(waitlist), conflicts_declared=len(plan.declared),
                  conflicted_pairs=len(plan.conflicts), reviewers=r)
    by_status: dict[str, int] = {}
    for a in plan.apps:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    return {
        "scale": n, "program_id": 1, "season_id": 1, "storm_season_id": 2, "stage_ids": [1, 2, 3],
        "storm_stage_ids": [4, 5, 6], "manager_id": manager_id,
        "reviewer_ids": list(range(first_reviewer, first_reviewer + r)),
        "founder_ids": list(range(first_founder, first_founder + n)),
        "storm_application_ids": storm_ids[:plan.sizes.storm], "late_application_ids": storm_ids[plan.sizes.storm:],
        "password": BENCH_PASSWORD, "counts": counts, "statuses": by_status, "quota": plan.quota,
        "max_load": plan.profile_max_load, "criteria": criteria,
    }


def _review(plan: Plan, a: AppPlan, rv: int, aid: int, state: str, criteria, stage: int, closes) -> dict:
    rng = plan.rng
    scores, total, recommendation = plan.scores(a, rv, criteria)
    at = closes + timedelta(days=3 + 7 * (stage - 1), minutes=rng.randint(0, 5000))
    return {"assignment_id": aid, "scores": scores, "total": total, "recommendation": recommendation,
            "feedback": paragraph(rng, rng.randint(20, 60)) if rng.random() < 0.7 else "",
            "private_note": paragraph(rng, rng.randint(5, 20)) if rng.random() < 0.3 else "",
            "status": state, "submitted_at": at if state == "submitted" else None, "updated_at": at, "created_at": at}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=None, help="150 to 300 (default: by scale)")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: DATABASE_URL, else SQLite)")
    parser.add_argument("--sqlite-path", default=None, help="the SQLite file (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--ids-out", default=None, help="write the ids and counts as JSON here (for bench.inprocess)")
    args = parser.parse_args(argv)
    url = args.database or os.environ.get("DATABASE_URL")
    if not url:
        path = Path(args.sqlite_path or tempfile.mkstemp(prefix=f"bench-{args.applications}-", suffix=".db")[1])
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path.resolve()}"
    ids = generate(args.applications, args.reviewers, database_url=url, seed=args.seed)
    print(f"{url}: {ids['counts']} statuses {ids['statuses']} in {ids['seconds']} s")
    if args.ids_out:
        Path(args.ids_out).write_text(json.dumps(ids, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
