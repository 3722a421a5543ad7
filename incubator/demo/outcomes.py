"""What became of the startups InnoX's two closed seasons selected, as the program reports it:
82 startup projects developed, 29 of them funded with 8.31 billion UZS in all, including the
Investor Day of June 2025 where two startups raised USD 20,000 each and one USD 30,000 (converted
at the USD rate the manager entered for that month). Also some grants and the jobs created.

So that "what predicted success" on the program dashboard has data, the final stage (Demo Day) of
each closed season gets its submitted reviews too: two per application, scores drawn from a hidden
quality per application that also makes funding more likely (a moderate, not a perfect, link).

Idempotent and fast: bulk inserts, each part only when it is missing; one seeded generator per
season, so the same applications get the same reviews and outcomes whatever already exists."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from incubator.selection.board_versions import mark_stage_changed
from incubator.accounts.models import ProgramRole, Role, User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.demo import catalogue
from incubator.extensions import db
from incubator.outcomes.models import ExchangeRate, Outcome, OutcomeKind
from incubator.programs.models import Criterion, Program, Season, SeasonStatus
from incubator.reviews import scoring
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.startups.models import Startup

PROGRAM = "innox"
DEVELOPED = (41, 41)          # per closed season, in order: 82 in all
FUNDED = (14, 15)             # 29 in all, every one of them among the developed
TOTAL_UZS = Decimal("8310000000.00")
INVESTOR_DAY = date(2025, 6, 20)
INVESTOR_DAY_USD = (Decimal("20000.00"), Decimal("20000.00"), Decimal("30000.00"))
USD_RATE = Decimal("12700.000000")  # UZS per USD, June 2025
RATE_PERIOD = (date(2025, 6, 1), date(2025, 6, 30))
SECOND_ROUNDS = 5             # funded startups that raised twice (in UZS)
INVESTORS = ("UzVC", "IT Park Ventures", "Andijan Business Angels", "Uzbekistan Angel Network",
             "Private angel investor", "Corporate partner")
ROUNDS = ("pre-seed", "angel", "seed")
GRANTS = (("IT Park grant for startups", "awarded"), ("President Tech Award", "finalist"),
          ("President Tech Award", "winner"), ("Startup Initiatives competition", "finalist"),
          ("Youth Affairs Agency grant", "awarded"), ("Startup Weekend Andijan", "winner"))
FEEDBACK = ("Strong team; the plan for the first customers needs more detail.",
            "Clear problem and a working prototype. Show more evidence of demand.",
            "Good pitch. The market size is optimistic.",
            "Promising traction for the stage the startup is at.")


def seed_outcomes(manager: User) -> None:
    """Reviews at the final stage, the USD rate and the outcomes of InnoX's closed seasons, where
    missing. Flushes, never commits."""
    program = db.session.scalar(select(Program).where(Program.slug == PROGRAM))
    if program is None:
        return
    seasons = list(db.session.scalars(select(Season).where(
        Season.program_id == program.id, Season.status == SeasonStatus.CLOSED).order_by(Season.opens_at)))[:2]
    if len(seasons) < 2:
        return
    plans = [_plan(season) for season in seasons]
    if any(not p["accepted"] for p in plans):
        return
    _seed_reviews(program, plans)
    _ensure_rate(program, manager)
    _seed_outcomes(plans, manager)
    db.session.flush()


# ---------------------------------------------------------------- the plan (no writes)
def _plan(season: Season) -> dict:
    final = max(season.stages, key=lambda st: st.position)
    rows = db.session.execute(
        select(Application.id, Application.status, Startup.website)
        .join(Startup, Startup.id == Application.startup_id)
        .where(Application.season_id == season.id, Application.current_stage_id == final.id,
               Application.status.in_([Status.ACCEPTED, Status.REJECTED]))
        .order_by(Application.id)).all()
    rng = random.Random(f"innox-outcomes-{season.slug}")
    keys = [key for key, *_ in catalogue.CRITERIA]
    apps = []
    for app_id, status, website in rows:
        accepted = status == Status.ACCEPTED
        quality = rng.gauss(0.6 if accepted else -0.6, 0.8)
        latent = {key: quality + rng.gauss(0, 0.6) for key in keys}
        apps.append({"id": app_id, "accepted": accepted, "website": website, "latent": latent,
                     "develop": 0.5 * quality + rng.gauss(0, 1),
                     "fund": 0.5 * latent["traction"] + 0.3 * latent["team"] + rng.gauss(0, 0.8)})
    return {"season": season, "stage": final, "apps": apps, "rng": rng,
            "accepted": [a for a in apps if a["accepted"]]}


# ---------------------------------------------------------------- reviews at the final stage
def _seed_reviews(program: Program, plans: list[dict]) -> None:
    stage_ids = [p["stage"].id for p in plans]
    if db.session.scalar(select(func.count(Assignment.id)).where(Assignment.stage_id.in_(stage_ids))):
        return
    reviewers = list(db.session.scalars(select(ProgramRole.user_id).where(
        ProgramRole.program_id == program.id, ProgramRole.role == Role.REVIEWER).order_by(ProgramRole.user_id)))
    if len(reviewers) < 2:
        return
    criteria = {st_id: [scoring.Criterion(c.key, c.weight, c.scale_min, c.scale_max)
                        for c in db.session.scalars(select(Criterion).where(Criterion.stage_id == st_id)
                                                    .order_by(Criterion.position))]
                for st_id in stage_ids}
    assignments, reviews = [], []
    for plan in plans:
        stage, rng, closes = plan["stage"], random.Random(f"innox-reviews-{plan['season'].slug}"), \
            plan["season"].closes_at
        bias = {r: rng.gauss(0, 0.3) for r in reviewers}
        n = len(reviewers)
        for k, app in enumerate(plan["apps"]):
            first = reviewers[k % n]
            second = reviewers[(k + 1 + (k // n) % (n - 1)) % n]
            for reviewer in (first, second):
                scores = {c.key: min(5, max(1, round(3 + 0.8 * app["latent"][c.key] + bias[reviewer]
                                                     + rng.gauss(0, 0.5))))
                          for c in criteria[stage.id]}
                total = scoring.review_total(scoring.Review(app["id"], reviewer, scores), criteria[stage.id])
                at = closes + timedelta(days=rng.randint(30, 43), minutes=rng.randint(0, 600))
                assignments.append({"stage_id": stage.id, "application_id": app["id"], "reviewer_id": reviewer,
                                    "status": AssignmentStatus.ACTIVE, "is_auto": True, "reason": "",
                                    "reason_key": "", "reason_params": {}, "created_at": closes + timedelta(days=29)})
                reviews.append({"scores": scores, "total": round(total, 3), "recommendation": _recommend(total),
                                "feedback": rng.choice(FEEDBACK), "private_note": "",
                                "status": ReviewStatus.SUBMITTED, "submitted_at": at, "updated_at": at,
                                "created_at": at - timedelta(hours=rng.randint(1, 48))})
    ids = db.session.scalars(insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True), assignments)
    for review, assignment_id in zip(reviews, list(ids), strict=True):
        review["assignment_id"] = assignment_id
    db.session.execute(insert(Review), reviews)
    mark_stage_changed(*stage_ids)  # bulk inserts skip the ORM's listener: the stored boards are stale


def _recommend(total: float) -> str:
    for threshold, word in ((4.0, "strong_yes"), (3.4, "yes"), (2.8, "maybe"), (2.2, "no")):
        if total >= threshold:
            return word
    return "strong_no"


# ---------------------------------------------------------------- the rate and the outcomes
def _ensure_rate(program: Program, manager: User) -> None:
    exists = db.session.scalar(select(ExchangeRate.id).where(
        ExchangeRate.program_id == program.id, ExchangeRate.currency == "USD",
        ExchangeRate.valid_from == RATE_PERIOD[0]))
    if exists is None:
        db.session.add(ExchangeRate(program_id=program.id, currency="USD", rate=USD_RATE, valid_from=RATE_PERIOD[0],
                                    valid_to=RATE_PERIOD[1], created_by_id=manager.id))


def _seed_outcomes(plans: list[dict], manager: User) -> None:
    season_ids = [p["season"].id for p in plans]
    if db.session.scalar(select(func.count(Outcome.id)).where(Outcome.season_id.in_(season_ids))):
        return
    rows: list[dict] = []
    funded_all: list[tuple[dict, dict]] = []
    for plan, developed_n, funded_n in zip(plans, DEVELOPED, FUNDED, strict=True):
        season, rng = plan["season"], plan["rng"]
        closed = season.closed_at.date()

        def row(app, kind, on: date, season=season, **values) -> dict:
            return {"application_id": app["id"], "season_id": season.id, "kind": kind, "occurred_on": on,
                    "recorded_by_id": manager.id, "note": "", "created_at": _noon(on + timedelta(days=3)), **values}

        developed = sorted(plan["accepted"], key=lambda a: a["develop"], reverse=True)[:developed_n]
        funded = sorted(developed, key=lambda a: a["fund"], reverse=True)[:funded_n]
        funded_ids = {a["id"] for a in funded}
        for app in developed:
            app["launched"] = closed + timedelta(days=rng.randint(-40, 120))
            rows.append(row(app, OutcomeKind.PRODUCT, app["launched"], link=app["website"]))
            jobs = rng.randint(3, 12) if app["id"] in funded_ids else rng.randint(1, 6)
            rows.append(row(app, OutcomeKind.JOBS, app["launched"] + timedelta(days=rng.randint(30, 150)), jobs=jobs))
        for app in rng.sample(developed, 8):
            name, result = rng.choice(GRANTS)
            rows.append(row(app, OutcomeKind.GRANT, app["launched"] + timedelta(days=rng.randint(10, 90)),
                            name=name, result=result))
        funded_all += [(plan, app) for app in funded]

    # The Investor Day (June 2025): three startups of the spring 2025 season, in USD.
    late = [(plan, app) for plan, app in funded_all if plan is plans[-1]]
    investor_day = {app["id"] for _, app in plans[-1]["rng"].sample(late, len(INVESTOR_DAY_USD))}
    usd_ids = sorted(investor_day)
    for app_id, amount in zip(usd_ids, INVESTOR_DAY_USD, strict=True):
        rows.append({"application_id": app_id, "season_id": plans[-1]["season"].id, "kind": OutcomeKind.INVESTMENT,
                     "occurred_on": INVESTOR_DAY, "investor": "Angel investor (InnoX Investor Day)",
                     "amount": amount, "currency": "USD", "round": "pre-seed", "recorded_by_id": manager.id,
                     "note": "InnoX Investor Day, June 2025", "created_at": _noon(INVESTOR_DAY + timedelta(days=2))})

    # Everything else in UZS, adding up so that the converted total is exactly 8.31 billion UZS.
    rng = random.Random("innox-investments")
    uzs = [(plan, app) for plan, app in funded_all if app["id"] not in investor_day]
    uzs += rng.sample(uzs, SECOND_ROUNDS)
    remaining = TOTAL_UZS - sum(INVESTOR_DAY_USD) * USD_RATE
    for (plan, app), amount in zip(uzs, _split(rng, remaining, len(uzs)), strict=True):
        closed = plan["season"].closed_at.date()
        on = closed + timedelta(days=rng.randint(20, 200))
        rows.append({"application_id": app["id"], "season_id": plan["season"].id, "kind": OutcomeKind.INVESTMENT,
                     "occurred_on": on, "investor": rng.choice(INVESTORS), "amount": amount, "currency": "UZS",
                     "round": rng.choice(ROUNDS), "recorded_by_id": manager.id, "note": "",
                     "created_at": _noon(on + timedelta(days=5))})
    for r in rows:  # one shape for the bulk insert
        for key in ("link", "investor", "amount", "currency", "round", "name", "result", "jobs"):
            r.setdefault(key, None)
    db.session.execute(insert(Outcome), rows)


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """`parts` amounts in whole millions of UZS, skewed as investments are, adding up to `total`."""
    millions = int(total / 1_000_000)
    weights = [rng.lognormvariate(0, 0.9) for _ in range(parts)]
    amounts = [max(20, round(w / sum(weights) * millions)) for w in weights]
    amounts[amounts.index(max(amounts))] += millions - sum(amounts)
    result = [Decimal(m) * 1_000_000 for m in amounts]
    result[-1] += total - sum(result)  # any part below a million (none with the demo's figures)
    return [r.quantize(Decimal("0.01")) for r in result]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(7), tzinfo=UTC)
