"""The demo seed (`flask seed`): the published InnoX figures, the demo accounts, every region, and that
a second run creates nothing.

Uses the `app` fixture: a Flask app on a migrated, empty database, with an app context pushed."""
from __future__ import annotations

from sqlalchemy import func, select

from incubator.accounts.models import ProgramRole, Role, User
from incubator.accounts.passwords import verify_password
from incubator.applications.models import Answer, Application, ApplicationEvent
from incubator.startups.models import REGIONS, Startup, TeamMember
from incubator.applications.states import Status
from incubator.demo.seed import seed_demo
from incubator.extensions import db
from incubator.programs.models import Criterion, Organisation, Program, Question, Season, SeasonStatus, Stage

ALL_MODELS = (Organisation, Program, Season, Question, Stage, Criterion, User, ProgramRole, Startup,
              TeamMember, Application, Answer, ApplicationEvent)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _innox_seasons() -> list[Season]:
    return list(db.session.scalars(
        select(Season).join(Program).where(Program.slug == "innox").order_by(Season.opens_at)))


def test_seed_builds_the_published_innox_figures(app):
    summary = seed_demo()

    assert summary["organisations"] == 2 and summary["programs"] == 3 and summary["seasons"] == 5
    assert summary["innox_applications"] == 503
    assert summary["innox_selected"] == 140
    seasons = _innox_seasons()
    assert [s.name for s in seasons] == [
        "Season 1 (2024)", "Season 2 (spring 2025)", "Season 3 (autumn 2025)"]
    assert sum(_count(Application, Application.season_id == s.id) for s in seasons) == 503

    closed, current = seasons[:2], seasons[2]
    for season in closed:
        assert season.status == SeasonStatus.CLOSED and season.closed_at is not None
        assert season.closes_at.year in (2024, 2025)
        in_season = Application.season_id == season.id
        assert _count(Application, in_season, Application.status == Status.ACCEPTED) == 70
        # A closed season is final: nothing is left waiting for a decision.
        assert _count(Application, in_season, Application.status.in_(
            [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW])) == 0
    assert current.status == SeasonStatus.OPEN
    assert current.is_accepting()
    assert current.timezone == "Asia/Tashkent" and current.grace_minutes == 15 and current.quota == 50
    assert _count(Application, Application.season_id == current.id,
                  Application.status == Status.SUBMITTED) > 0

    # The women's programs' open seasons are accepting too, with women-led applicants only.
    for slug in ("tumaris-tech", "foundher"):
        season = db.session.scalar(select(Season).join(Program).where(Program.slug == slug))
        assert season.is_accepting()
        apps = db.session.scalars(select(Application).where(Application.season_id == season.id)).all()
        assert apps and all(a.startup.members[0].gender == "female" for a in apps)

    # Every status change is on the timeline, and decided applications say when.
    accepted = db.session.scalars(select(Application).where(
        Application.season_id == closed[0].id, Application.status == Status.ACCEPTED)).all()
    for application in accepted:
        assert application.decided_at is not None and application.current_stage_id is not None
        assert application.events[-1].to_status == "accepted"
        assert application.answers


def test_seed_makes_the_demo_accounts_and_every_region(app):
    seed_demo()
    password = app.config["DEMO_PASSWORD"]
    programs = db.session.scalars(select(Program)).all()

    admin = _user("admin@example.org")
    assert admin.is_admin and admin.is_verified
    assert verify_password(admin.password_hash, password)

    manager = _user("manager@example.org")
    assert manager.program_ids(Role.MANAGER) == {p.id for p in programs}
    for number in range(1, 13):
        reviewer = _user(f"reviewer{number}@example.org")
        assert reviewer.program_ids(Role.REVIEWER) and not reviewer.is_admin
    for program in programs:
        assert _count(ProgramRole, ProgramRole.program_id == program.id,
                      ProgramRole.role == Role.REVIEWER) >= 3

    founder = _user("founder@example.org")
    assert founder.is_verified and verify_password(founder.password_hash, password)
    startups = db.session.scalars(select(Startup).where(Startup.owner_id == founder.id)).all()
    assert len(startups) == 1
    draft = db.session.scalar(select(Application).where(
        Application.startup_id == startups[0].id, Application.season_id == _innox_seasons()[2].id))
    assert draft is not None and draft.status == Status.DRAFT and draft.answers
    assert verify_password(_user("founder0001@example.org").password_hash, password)

    regions = set(db.session.scalars(select(Startup.region).distinct()))
    assert set(REGIONS) <= regions
    genders = set(db.session.scalars(select(TeamMember.gender).distinct()))
    assert {"female", "male"} <= {str(g) for g in genders}


def test_seed_twice_creates_nothing(app):
    first = seed_demo()
    before = {model.__name__: _count(model) for model in ALL_MODELS}

    second = seed_demo()

    assert second == first
    assert {model.__name__: _count(model) for model in ALL_MODELS} == before
    assert second["innox_applications"] == 503
