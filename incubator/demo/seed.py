"""The demo data behind `flask --app wsgi seed`.

Idempotent: organisations, programs, seasons, users and roles are looked up by slug or e-mail and only
what is missing is created; the bulk applications are created only for the demo seasons that have none.
The figures follow InnoX's public reports: 503 applications over three seasons, 140 selected."""
from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta, UTC

from flask import current_app
from sqlalchemy import func, insert, select

from incubator.accounts.models import ProgramRole, Role, User
from incubator.accounts.passwords import hash_password
from incubator.applications.models import Answer, Application, ApplicationEvent
from incubator.startups.models import REGIONS, Startup, StartupStage, TeamMember
from incubator.core.timeutil import utcnow, zone
from incubator.demo import catalogue, people
from incubator.demo.outcomes import seed_outcomes
from incubator.demo.reviewers import seed_reviewer_pools
from incubator.demo.timelines import ACCEPTED, S, event, plan_closed, plan_open, answer_value  # noqa: F401
from incubator.extensions import db
from incubator.programs.models import (
    Criterion, Organisation, Program, Question, QuestionType, Season, SeasonStatus, Stage,
)

TZ = "Asia/Tashkent"
BULK_FOUNDERS = 442  # young (InnoX) founders; then 35 women founders for Tumaris.Tech and FoundHer


def seed_demo() -> dict:
    now = utcnow()
    password = _OnceHash()
    orgs = {o["slug"]: _ensure(Organisation, o, slug=o["slug"]) for o in catalogue.ORGANISATIONS}
    programs = {p["slug"]: _ensure(Program, {
        "organisation_id": orgs[p["org"]].id, "name": p["name"], "summary": p["summary"],
        "eligibility_rules": p["eligibility_rules"], "languages": ["uz", "ru", "en"], "default_locale": "uz",
    }, slug=p["slug"]) for p in catalogue.PROGRAMS}
    seasons = {(s["program"], s["slug"]): _season(s, programs[s["program"]], now) for s in catalogue.SEASONS}

    admin, manager = (_user(e, n, loc, password, now, is_admin=a) for e, n, loc, a in people.STAFF)
    reviewers = [_user(f"reviewer{i}@example.org", n, loc, password, now)
                 for i, (n, loc) in enumerate(people.REVIEWERS, start=1)]
    for slug, program in programs.items():
        _grant(manager, program, Role.MANAGER, admin)
        for number in people.REVIEWER_PROGRAMS[slug]:
            _grant(reviewers[number - 1], program, Role.REVIEWER, admin)
    db.session.flush()
    seed_reviewer_pools()

    founder = _user(people.DEMO_FOUNDER["email"], people.DEMO_FOUNDER["name"], people.DEMO_FOUNDER["locale"],
                    password, now)
    _bulk(seasons, founder, manager, password, now)
    _demo_draft(founder, seasons[("innox", "season-3-autumn-2025")], now)
    seed_outcomes(manager)
    db.session.commit()
    return _summary()


class _OnceHash:
    """One argon2 hash for every demo user, computed only if a user is actually created."""

    value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            self.value = hash_password(current_app.config["DEMO_PASSWORD"])
        return self.value


def _ensure(model, values: dict, **lookup):
    row = db.session.scalar(select(model).filter_by(**lookup))
    if row is None:
        row = model(**{**values, **lookup})
        db.session.add(row)
        db.session.flush()
    return row


def _user(email, name, locale, password, now, is_admin=False) -> User:
    user = db.session.scalar(select(User).filter_by(email=email))
    if user is None:
        user = User(email=email, name=name, locale=locale, password_hash=password(), is_admin=is_admin,
                    timezone=TZ, email_verified_at=now)
        db.session.add(user)
        db.session.flush()
    return user


def _grant(user: User, program: Program, role: Role, admin: User) -> None:
    _ensure(ProgramRole, {"granted_by_id": admin.id}, user_id=user.id, program_id=program.id, role=role)


def _six_pm(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=zone(TZ)).astimezone(UTC)


def _season(spec: dict, program: Program, now: datetime) -> Season:
    season = db.session.scalar(select(Season).filter_by(program_id=program.id, slug=spec["slug"]))
    if season is not None:
        return season
    if "opens" in spec:
        opens, closes = _six_pm(spec["opens"]), _six_pm(spec["closes"])
        status, closed_at = SeasonStatus.CLOSED, closes + timedelta(days=75)
    else:  # open whenever the demo is seeded
        local = now.astimezone(zone(TZ)).date()
        opens, closes = (_six_pm(local + timedelta(days=spec[k])) for k in ("opens_in", "closes_in"))
        status, closed_at = SeasonStatus.OPEN, None
    season = Season(
        program_id=program.id, name=spec["name"], slug=spec["slug"], description=spec["description"],
        status=status, opens_at=opens, closes_at=closes, timezone=TZ, grace_minutes=spec.get("grace", 0),
        quota=spec["quota"], closed_at=closed_at, created_at=min(now, opens - timedelta(days=14)),
    )
    season.questions = [
        Question(position=i, **{**q, "type": QuestionType(q["type"])})
        for i, q in enumerate(catalogue.questions_for(program.slug), start=1)
    ]
    season.stages = [
        Stage(position=i, name=st["name"], reviews_required=st["reviews_required"], is_blind=st["is_blind"],
              review_deadline=closes + timedelta(days=st["days"]),
              criteria=[Criterion(key=key, position=j, weight=weight, label=label, description=desc,
                                  scale_min=1, scale_max=5, scale_labels=catalogue.SCALE_LABELS)
                        for j, (key, weight, label, desc) in enumerate(catalogue.CRITERIA, start=1)])
        for i, st in enumerate(catalogue.STAGES, start=1)
    ]
    db.session.add(season)
    db.session.flush()
    return season


# ---------------------------------------------------------------- founders and startups
def _insert_founders(specs: list[dict], password, now: datetime) -> None:
    emails = [s["email"] for s in specs]
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    new = [s for s in specs if s["email"] not in ids]
    if new:
        rows = [{"email": s["email"], "name": s["owner"], "password_hash": password(), "locale": s["locale"],
                 "timezone": TZ, "email_verified_at": s["joined"], "session_token": secrets.token_urlsafe(24),
                 "is_admin": False, "is_active_account": True, "created_at": s["joined"]} for s in new]
        ids.update(zip([s["email"] for s in new], _insert_returning(User, rows), strict=True))
    for s in specs:
        s["user_id"] = ids[s["email"]]
    owned = dict(db.session.execute(
        select(Startup.owner_id, func.min(Startup.id))
        .where(Startup.owner_id.in_([s["user_id"] for s in specs])).group_by(Startup.owner_id)).all())
    new = [s for s in specs if s["user_id"] not in owned]
    if new:
        rows = [{**s["startup"], "owner_id": s["user_id"], "created_at": s["joined"] + timedelta(minutes=20)}
                for s in new]
        owned.update(zip([s["user_id"] for s in new], _insert_returning(Startup, rows), strict=True))
        db.session.execute(insert(TeamMember), [
            {"startup_id": owned[s["user_id"]], "user_id": s["user_id"] if m["owner"] else None,
             "email": s["email"] if m["owner"] else None, "name": m["name"], "role": m["role"],
             "gender": m["gender"], "birth_year": m["birth_year"],
             "created_at": s["joined"] + timedelta(minutes=25)}
            for s in new for m in s["members"]])
    for s in specs:
        s["startup_id"] = owned[s["user_id"]]


def _insert_returning(model, rows: list[dict]) -> list[int]:
    """One bulk INSERT; the new ids in the order of the rows."""
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


# ---------------------------------------------------------------- the bulk
def _bulk(seasons: dict, founder: User, manager: User, password, now: datetime) -> None:
    innox = [seasons[("innox", s["slug"])] for s in catalogue.SEASONS if s["program"] == "innox"]
    tumaris, foundher = seasons[("tumaris-tech", "cohort-2025")], seasons[("foundher", "cohort-2025")]

    def empty(group: list[Season]) -> bool:
        return not db.session.scalar(
            select(func.count(Application.id)).join(Startup, Startup.id == Application.startup_id)
            .where(Application.season_id.in_([s.id for s in group]), Startup.owner_id != founder.id))

    todo = {"innox": empty(innox), "tumaris": empty([tumaris]), "foundher": empty([foundher])}
    if not any(todo.values()):
        return
    # Everything is planned every time, with one seeded generator, so the data never depends on what exists.
    rng, names = random.Random(2025), set()
    weights = [people.INNOX_REGION_WEIGHTS.get(r, 3) for r in REGIONS]
    young = [people.startup_spec(rng, i + 1, names, women_led=rng.random() < 0.3,
                           region=REGIONS[i] if i < len(REGIONS) else rng.choices(REGIONS, weights)[0])
             for i in range(BULK_FOUNDERS)]
    women = [people.startup_spec(rng, BULK_FOUNDERS + i + 1, names, women_led=True, young=False, country=c,
                           region=None if c != "UZ" else rng.choice(REGIONS))
             for i, c in enumerate(["KZ", "KZ", "KG", "TJ", "TM"] + ["UZ"] * 30)]

    def rejected(plans):
        return [p["spec"] for p in plans if p["status"] == S.REJECTED]

    s1 = plan_closed(rng, young[:170], innox[0], withdrawn=4)
    s2 = plan_closed(rng, young[170:320] + rng.sample(rejected(s1), 30), innox[1], withdrawn=5)
    in_s2 = {id(p["spec"]) for p in s2}
    again = rejected(s2) + [s for s in rejected(s1) if id(s) not in in_s2]
    # 152 here: the demo founder's draft makes the third season's 153.
    s3 = plan_open(rng, young[320:] + rng.sample(again, 30), innox[2], now, drafts=18, withdrawn=3,
                    in_review=45)
    women_young = [s for s in young if s["members"][0]["gender"] == "female"]
    tt = plan_open(rng, women[:15] + rng.sample(women_young, 5), tumaris, now, drafts=3, withdrawn=0,
                    in_review=0)
    fh = plan_open(rng, women[15:] + rng.sample(women_young, 5), foundher, now, drafts=4, withdrawn=0,
                    in_review=0)
    plans = [p for key, group in (("innox", s1 + s2 + s3), ("tumaris", tt), ("foundher", fh)) if todo[key]
             for p in group]

    for plan in plans:
        plan["spec"]["applied"].append(plan["created"])
    specs = [s for s in young + women if s["applied"]]
    for spec in specs:
        spec["joined"] = min(spec["applied"]) - timedelta(days=rng.randint(1, 20),
                                                           minutes=rng.randint(0, 600))
    _insert_founders(specs, password, now)
    _insert_applications(rng, plans, manager, now)


def _insert_applications(rng: random.Random, plans: list[dict], manager: User, now: datetime) -> None:
    if not plans:
        return
    seasons = {p["season"].id: p["season"] for p in plans}.values()
    stages = {s.id: {st.position: st.id for st in s.stages} for s in seasons}
    rows = []
    for p in plans:
        last = p["events"][-1]
        decided = last[4] if last[0] == "decision" else None
        rows.append({
            "season_id": p["season"].id, "startup_id": p["spec"]["startup_id"],
            "created_by_id": p["spec"]["user_id"],
            "status": p["status"], "current_stage_id": stages[p["season"].id].get(p["stage"]),
            "submitted_at": p["submitted"], "decided_at": decided,
            "withdrawn_at": last[4] if p["status"] == S.WITHDRAWN else None,
            "updated_at": p.get("draft_saved") or last[4], "created_at": p["created"],
        })
    answers, events = [], []
    for app_id, p in zip(_insert_returning(Application, rows), plans, strict=True):
        season, spec = p["season"], p["spec"]
        actors = {"founder": spec["user_id"], "manager": manager.id}
        for kind, src, dst, stage, at, actor, reason in p["events"]:
            events.append({"application_id": app_id, "actor_id": actors[actor], "kind": kind,
                           "from_status": src and str(src), "to_status": str(dst),
                           "stage_id": stages[season.id].get(stage), "reason": reason, "created_at": at})
        questions = [q for q in season.questions if q.type != QuestionType.FILE]
        if p["status"] == S.DRAFT:
            questions = questions[: rng.randint(1, len(questions))]
        saved = p["submitted"] or p["draft_saved"]
        for q in questions:
            if not q.required and p["status"] != S.DRAFT and rng.random() < 0.15:
                continue  # optional questions are sometimes left empty
            value = answer_value(q, spec, rng, season.opens_at)
            if value is not None:
                answers.append({"application_id": app_id, "question_id": q.id, "value": value,
                                "updated_at": saved})
    db.session.execute(insert(ApplicationEvent), events)
    db.session.execute(insert(Answer), answers)


def _demo_draft(founder: User, season: Season, now: datetime) -> None:
    spec = people.DEMO_FOUNDER
    startup = db.session.scalar(select(Startup).filter_by(owner_id=founder.id, name=spec["startup"]["name"]))
    if startup is None:
        startup = Startup(owner_id=founder.id, country="UZ", description=spec["startup"]["pitch"],
                          **{**spec["startup"], "stage": StartupStage(spec["startup"]["stage"])})
        startup.members = [
            TeamMember(name=n, role=r, gender=g, birth_year=y, user_id=founder.id if i == 0 else None,
                       email=founder.email if i == 0 else None)
            for i, (n, r, g, y) in enumerate(spec["members"])]
        db.session.add(startup)
        db.session.flush()
    if db.session.scalar(select(Application.id).filter_by(startup_id=startup.id, season_id=season.id)):
        return
    created = now - timedelta(days=2)
    app = Application(season_id=season.id, startup_id=startup.id, created_by_id=founder.id, status=S.DRAFT,
                      created_at=created, updated_at=now)
    app.events = [ApplicationEvent(actor_id=founder.id, kind="created", to_status=str(S.DRAFT),
                                   created_at=created)]
    fake = {"startup": {**spec["startup"], "stage": StartupStage(spec["startup"]["stage"]), "country": "UZ"},
            "members": [{"gender": m[2]} for m in spec["members"]], "locale": founder.locale,
            "problem": people.SECTOR_TEXTS["agritech"][2]}
    rng = random.Random(2025)
    app.answers = [Answer(question_id=q.id, value=answer_value(q, fake, rng, season.opens_at), updated_at=now)
                   for q in season.questions if q.key in spec["answers"]]
    db.session.add(app)


def _summary() -> dict:
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    innox = (select(func.count(Application.id)).join(Season, Season.id == Application.season_id)
             .join(Program, Program.id == Season.program_id).where(Program.slug == "innox"))
    return {
        "organisations": count(Organisation), "programs": count(Program), "seasons": count(Season),
        "questions": count(Question), "users": count(User), "startups": count(Startup),
        "applications": count(Application), "answers": count(Answer),
        "innox_applications": db.session.scalar(innox),
        "innox_selected": db.session.scalar(innox.where(Application.status == S.ACCEPTED)),
    }
