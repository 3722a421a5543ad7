"""The program dashboard: the demo reproduces InnoX's published figures (503 applications, 140
selected, 82 developed, 29 funded with 8.31 billion UZS, the June 2025 Investor Day in USD) on the
page (in English and Russian) and in the API; it stays with the program's managers; its number of
queries does not grow with the seasons; "what predicted success" shows its figures from 20 selected
startups with outcomes on, and says how many more are needed below that.

The demo is seeded as `flask seed` does (incubator.demo.seed.seed_demo) on the migrated test database."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role, User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.demo.seed import seed_demo
from incubator.extensions import db as database
from incubator.outcomes.models import ExchangeRate, Outcome, OutcomeKind
from incubator.programs.models import Program, SeasonStatus
from incubator.reviews.models import Assignment, Review, ReviewStatus
from incubator.startups.models import Gender, Startup, TeamMember
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.queries import count_queries


@pytest.fixture
def demo(app):
    started = time.perf_counter()
    seed_demo()
    seconds = time.perf_counter() - started
    manager = database.session.scalar(select(User).where(User.email == "manager@example.org"))
    innox = database.session.scalar(select(Program).where(Program.slug == "innox"))
    return {"manager": manager, "innox": innox, "password": app.config["DEMO_PASSWORD"], "seconds": seconds}


def _set_locale(user: User, locale: str) -> None:
    user.locale = locale
    database.session.commit()


def _text(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, element_id
    return match.group(1).strip()


# --- The demo -------------------------------------------------------------------------------------------


def test_demo_api_has_the_published_figures(client, demo, api_token):
    _set_locale(demo["manager"], "en")
    token = api_token(demo["manager"], password=demo["password"])
    response = client.get(f"/api/v1/programs/{demo['innox'].id}/dashboard", headers=bearer(token))
    assert response.status_code == 200, response.json
    data = response.json

    total = data["total"]
    assert (total["applications"], total["selected"], total["developed"], total["funded"]) == (503, 140, 82, 29)
    assert total["confirmed"] == 140
    assert total["total_uzs"] == {"amount": "8310000000.00", "currency": "UZS"}
    assert {m["currency"]: m["amount"] for m in total["totals"]} == {"UZS": "7421000000.00", "USD": "70000.00"}
    assert total["unconverted"] == [] and total["grants"] > 0 and total["jobs"] > 0
    assert data["rates_used"] == [{"currency": "USD", "rate": "12700.000000", "valid_from": "2025-06-01",
                                   "valid_to": "2025-06-30"}]

    seasons = data["seasons"]
    assert [s["name"] for s in seasons] == ["Season 1 (2024)", "Season 2 (spring 2025)", "Season 3 (autumn 2025)"]
    assert [s["applications"] for s in seasons] == [170, 180, 153]
    assert [s["selected"] for s in seasons] == [70, 70, 0]
    assert [s["developed"] for s in seasons] == [41, 41, 0]
    assert sum(s["funded"] for s in seasons) == 29
    assert sum(Decimal(s["total_uzs"]["amount"]) for s in seasons) == Decimal("8310000000.00")

    # Shares: counts of submitted applications; no count below 5 anywhere.
    for table in (data["regions"], data["women_led"]):
        assert table["applied_total"] == total["submitted"] and table["selected_total"] == 140
        for row in table["rows"]:
            for cell in (row["applied"], row["selected"]):
                assert cell["suppressed"] or cell["count"] >= 5
                assert not cell["suppressed"] or (cell["count"] is None and cell["share"] is None)
    assert len(data["regions"]["rows"]) >= 14

    prediction = data["prediction"]
    assert prediction["ready"] and prediction["needed"] == 0
    assert prediction["message"] == "Based on 29 funded and 111 not funded startups from 2 seasons."
    keys = [row["key"] for row in prediction["rows"]]
    assert keys[0] == "normalised_score" and "criterion:traction" in keys
    for row in prediction["rows"]:
        assert row["n"] == 140 and row["funded"] == 29 and 0 <= row["auc"] <= 1 and -1 <= row["spearman"] <= 1
        assert row["note"]


def test_demo_investor_day_in_usd(demo):
    rows = database.session.execute(select(Outcome.amount, Outcome.occurred_on).where(
        Outcome.kind == OutcomeKind.INVESTMENT, Outcome.currency == "USD")).all()
    assert sorted(amount for amount, _ in rows) == [Decimal("20000.00"), Decimal("20000.00"), Decimal("30000.00")]
    assert {on for _, on in rows} == {date(2025, 6, 20)}
    rate = database.session.scalar(select(ExchangeRate).where(ExchangeRate.program_id == demo["innox"].id))
    assert rate.valid_from <= date(2025, 6, 20) <= rate.valid_to
    # Every outcome belongs to an accepted application of a closed season.
    statuses = set(database.session.execute(
        select(Application.status).join(Outcome, Outcome.application_id == Application.id)).scalars())
    assert statuses == {Status.ACCEPTED}


def test_demo_outcomes_are_seeded_once(demo):
    before = {model: database.session.scalar(select(database.func.count()).select_from(model))
              for model in (Outcome, ExchangeRate, Assignment, Review)}
    seed_demo()
    after = {model: database.session.scalar(select(database.func.count()).select_from(model))
             for model in (Outcome, ExchangeRate, Assignment, Review)}
    assert after == before and before[Outcome] > 0 and before[Review] > 0


@pytest.mark.parametrize("locale, money, words", [
    ("en", "8.31 bn UZS", ["Program dashboard", "What predicted success", "Investment in total"]),
    ("ru", "8,31", []),
    ("uz", "8,31", []),
])
def test_demo_page_shows_the_published_figures(client, demo, login, locale, money, words):
    manager = demo["manager"]
    _set_locale(manager, locale)
    login(manager, password=demo["password"])
    home = client.get("/manage/").get_data(as_text=True)
    assert f'/manage/programs/{demo["innox"].id}/dashboard' in home

    response = client.get(f"/manage/programs/{demo['innox'].id}/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _text(page, "total-applications") == "503"
    assert _text(page, "total-selected") == "140"
    assert _text(page, "total-developed") == "82"
    assert _text(page, "total-funded") == "29"
    assert _text(page, "total-investment").startswith(money)
    for word in words:
        assert word in page
    # Strict CSP: no inline styles or scripts; each chart is an image with its text alternative.
    assert 'style="' not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert page.count('role="img"') == 2
    assert page.count("<desc id=") == 2 and "Season 1 (2024)" in page
    assert 'id="prediction-message"' in page


# --- Who may see it ---------------------------------------------------------------------------------------


def test_dashboard_belongs_to_the_programs_managers(client, demo, make_user, login, api_token):
    other = f.ProgramFactory(name="Elsewhere")
    stranger = make_user(email="other-manager@example.org")
    f.grant(stranger, other, Role.MANAGER)
    token = api_token(stranger)
    innox = demo["innox"].id
    assert client.get(f"/api/v1/programs/{innox}/dashboard", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/programs/{other.id}/dashboard", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/programs/2147483648/dashboard", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/programs/{innox}/dashboard").status_code == 401
    login(stranger)
    assert client.get(f"/manage/programs/{innox}/dashboard").status_code == 404
    assert client.get(f"/manage/programs/{other.id}/dashboard").status_code == 200


# --- Built by hand: queries, and "what predicted success" below and above 20 ----------------------------


def _season(program, owner, reviewer, *, n: int, outcomes: int, funded: int, year: int):
    """A closed season with n accepted startups, `outcomes` of them with a product, the first
    `funded` of those with an investment, and one submitted review each at its one stage."""
    opens = utcnow().replace(year=year, month=3, day=1)
    season = f.SeasonFactory(program=program, status=SeasonStatus.CLOSED, opens_at=opens,
                             closes_at=opens + timedelta(days=30))
    stage = f.StageFactory(season=season, position=1, reviews_required=1)
    f.CriterionFactory(stage=stage, key="team", scale_min=1, scale_max=5)
    for i in range(n):
        startup = Startup(owner_id=owner.id, name=f"S{season.id}-{i}", sector="agritech", region="andijan")
        startup.members = [TeamMember(name="Lead", gender=Gender.FEMALE if i % 2 else Gender.MALE)]
        application = Application(season_id=season.id, startup=startup, status=Status.ACCEPTED,
                                  submitted_at=opens + timedelta(days=1), current_stage_id=stage.id)
        database.session.add(application)
        database.session.flush()
        score = 5 if i < funded else 1 + i % 4
        assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
        assignment.review = Review(scores={"team": score}, total=float(score), status=ReviewStatus.SUBMITTED,
                                   submitted_at=opens + timedelta(days=35))
        database.session.add(assignment)
        on = (opens + timedelta(days=90)).date()
        if i < outcomes:
            database.session.add(Outcome(application_id=application.id, season_id=season.id,
                                         kind=OutcomeKind.PRODUCT, occurred_on=on))
        if i < funded:
            database.session.add(Outcome(application_id=application.id, season_id=season.id,
                                         kind=OutcomeKind.INVESTMENT, amount=Decimal("150000000.00"),
                                         currency="UZS", occurred_on=on, investor="Angel"))
    database.session.commit()
    return season


def _api_count(client, token, program) -> tuple[int, dict]:
    client.get(f"/api/v1/programs/{program.id}/dashboard", headers=bearer(token))  # warm: token use, caches
    with count_queries() as counter:
        response = client.get(f"/api/v1/programs/{program.id}/dashboard", headers=bearer(token))
    assert response.status_code == 200, response.json
    return counter.count, response.json


def test_needs_20_startups_with_outcomes_then_shows_the_figures(client, manager, program, make_user, api_token):
    owner, reviewer = make_user(email="owner@example.org"), make_user(email="rev@example.org")
    token = api_token(manager)
    _season(program, owner, reviewer, n=12, outcomes=8, funded=3, year=2023)

    data = _api_count(client, token, program)[1]
    prediction = data["prediction"]
    assert not prediction["ready"] and prediction["with_outcomes"] == 8 and prediction["needed"] == 12
    assert "So far 8 have: record outcomes for 12 more." in prediction["message"]
    assert prediction["rows"] == []
    assert data["total"]["total_uzs"] == {"amount": "450000000.00", "currency": "UZS"}
    women = {row["key"]: row for row in data["women_led"]["rows"]}
    assert women["women_led"]["applied"]["count"] == 6 and women["not_women_led"]["applied"]["count"] == 6

    _season(program, owner, reviewer, n=16, outcomes=12, funded=4, year=2024)
    prediction = _api_count(client, token, program)[1]["prediction"]
    assert prediction["ready"] and prediction["with_outcomes"] == 20
    assert prediction["message"] == "Based on 7 funded and 21 not funded startups from 2 seasons."
    assert [row["key"] for row in prediction["rows"]] == ["normalised_score", "criterion:team"]
    row = prediction["rows"][0]
    assert (row["n"], row["funded"], row["not_funded"]) == (28, 7, 21)
    assert row["auc"] > 0.8  # the funded startups got the top score


def test_query_count_does_not_grow_with_seasons(client, manager, program, make_user, api_token, login):
    owner, reviewer = make_user(email="owner@example.org"), make_user(email="rev@example.org")
    token = api_token(manager)
    _season(program, owner, reviewer, n=25, outcomes=22, funded=6, year=2021)
    one, data = _api_count(client, token, program)
    assert data["prediction"]["ready"]
    for year in (2022, 2023, 2024):
        _season(program, owner, reviewer, n=25, outcomes=22, funded=6, year=year)
    four, data = _api_count(client, token, program)
    assert len(data["seasons"]) == 4 and data["total"]["selected"] == 100
    assert one == four, (one, four)
    assert four <= 12, four

    login(manager)
    with count_queries() as counter:
        assert client.get(f"/manage/programs/{program.id}/dashboard").status_code == 200
    assert counter.count <= 20, counter.statements
