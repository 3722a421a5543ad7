"""Small scenario builders for the founder's journey (the smallest valid graph)."""
from __future__ import annotations

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.programs.models import QuestionType
from incubator.startups.models import Gender, Startup, StartupCollaborator, TeamMember
from tests.support import factories as f

CHOICES = [{"value": "agritech", "label": {"en": "Agritech", "ru": "Агротех", "uz": "Agrotexnologiya"}},
           {"value": "edtech", "label": {"en": "Edtech", "ru": "Эдтех", "uz": "Taʼlim texnologiyalari"}}]


def season_with_questions(program=None, **season_kwargs):
    season = f.SeasonFactory(program=program or f.ProgramFactory(name="InnoX"), **season_kwargs)
    f.QuestionFactory(season=season, key="pitch", type=QuestionType.SHORT_TEXT, required=True, max_chars=120,
                      label={"en": "One-line pitch", "ru": "Питч одной строкой", "uz": "Bir qatorli pitch"})
    f.QuestionFactory(season=season, key="problem", type=QuestionType.LONG_TEXT, required=True, max_words=50,
                      label={"en": "The problem", "ru": "Проблема", "uz": "Muammo"})
    f.QuestionFactory(season=season, key="team_size", type=QuestionType.NUMBER, required=False,
                      min_value=1, max_value=50, label={"en": "Team size"})
    f.QuestionFactory(season=season, key="sector", type=QuestionType.CHOICE, required=True, options=CHOICES,
                      label={"en": "Sector"})
    f.QuestionFactory(season=season, key="needs", type=QuestionType.MULTI_CHOICE, required=False, options=CHOICES,
                      label={"en": "Support you need"})
    f.QuestionFactory(season=season, key="website", type=QuestionType.URL, required=False, label={"en": "Website"})
    f.QuestionFactory(season=season, key="founded", type=QuestionType.DATE, required=False, label={"en": "Founded"})
    return season


GOOD_ANSWERS = {"pitch": "Drones that count cotton bolls", "problem": "Farmers guess their yield.",
                "team_size": "4", "sector": "agritech", "needs": ["edtech"], "website": "https://paxta.uz",
                "founded": "2024-03-01"}


def startup_of(user, *, name="Paxta AI", women=True, birth_year=2001, region="andijan"):
    startup = Startup(owner_id=user.id, name=name, sector="agritech", region=region, pitch="Yield from the sky")
    db.session.add(startup)
    db.session.flush()
    db.session.add(TeamMember(startup_id=startup.id, user_id=user.id, name=user.name, email=user.email,
                              role="CEO", gender=Gender.FEMALE if women else Gender.MALE, birth_year=birth_year))
    db.session.commit()
    return startup


def add_cofounder(startup, user):
    db.session.add(StartupCollaborator(startup_id=startup.id, user_id=user.id))
    db.session.commit()
    db.session.expire(startup)


def draft(startup, season, user):
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=user.id, status=Status.DRAFT)
    db.session.add(application)
    db.session.commit()
    return application
