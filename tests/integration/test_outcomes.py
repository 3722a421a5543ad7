"""Recording outcomes by form and API: each kind, every bad input refused with its field (nothing
written), only for the startups a season took in (409 with the reason otherwise), a manager of another
program gets 404, recording works on a closed season, the same outcome twice is refused, delete with a
confirmation, totals per currency and in UZS with the rate shown, the season page's bounded queries."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.outcomes.models import ExchangeRate, Outcome, OutcomeKind
from incubator.programs.models import SeasonStatus
from incubator.selection.models import Offer, OfferStatus
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import startup_of
from tests.support.queries import count_queries


# --- Scenario (shared with test_outcomes_import.py) ------------------------------------------------

def days_ago(n: int) -> str:
    return (utcnow().date() - timedelta(days=n)).isoformat()


def make_application(db, season, name, status=Status.ACCEPTED, offer=None):
    user = f.UserFactory(name=f"{name} Founder")
    startup = startup_of(user, name=name)
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=user.id, status=status,
                              submitted_at=utcnow() - timedelta(days=100), decided_at=utcnow() - timedelta(days=80))
    db.session.add(application)
    db.session.flush()
    if offer is not None:
        db.session.add(Offer(application_id=application.id, season_id=season.id, status=offer,
                             deadline_at=utcnow() + timedelta(days=3)))
    db.session.commit()
    return application


def make_cohort(db, program, status=SeasonStatus.DECIDED):
    """A season that opened 120 days ago, with one application in each situation."""
    now = utcnow()
    season = f.SeasonFactory(program=program, name="Autumn 2025", status=status, opens_at=now - timedelta(days=120),
                             closes_at=now - timedelta(days=90), timezone="Asia/Tashkent")
    apps = {
        "confirmed": make_application(db, season, "Paxta AI", offer=OfferStatus.CONFIRMED),
        "no_offer": make_application(db, season, "Bozor Go"),
        "open": make_application(db, season, "Still Deciding", offer=OfferStatus.OPEN),
        "declined": make_application(db, season, "Went Elsewhere", offer=OfferStatus.DECLINED),
        "expired": make_application(db, season, "Never Answered", offer=OfferStatus.EXPIRED),
        "rejected": make_application(db, season, "Not Selected", status=Status.REJECTED),
        "waitlisted": make_application(db, season, "On The List", status=Status.WAITLISTED),
    }
    return season, apps


def season_start(season) -> str:
    return season.opens_at.astimezone(season.tz).date().isoformat()


def outcome_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Outcome))


@pytest.fixture
def cohort(db, program):
    return make_cohort(db, program)


@pytest.fixture
def headers(api_token, manager):
    return bearer(api_token(manager))


def post_outcome(client, headers, application, body):
    return client.post(f"/api/v1/applications/{application.id}/outcomes", json=body, headers=headers)


INVESTMENT = {"kind": "investment", "investor": "Investor Day fund", "round": "pre-seed",
              "money": {"amount": "20000.00", "currency": "USD"}}


# --- Recording ----------------------------------------------------------------------------------

def test_each_kind_is_recorded_by_the_api(app, db, client, cohort, headers, manager):
    season, apps = cohort
    target = apps["confirmed"]
    bodies = [
        {"kind": "product", "occurred_on": days_ago(60), "link": "https://paxta.example.uz", "note": "In the stores"},
        {**INVESTMENT, "occurred_on": days_ago(30)},
        {"kind": "grant", "name": "IT Park grant", "result": "won", "money": {"amount": "50000000", "currency": "uzs"}},
        {"kind": "jobs", "jobs": 7, "occurred_on": days_ago(1)},
    ]
    for body in bodies:
        response = post_outcome(client, headers, target, body)
        assert response.status_code == 201, response.json
    investment = response_json = post_outcome(client, headers, apps["no_offer"], {**INVESTMENT,
                                                                                 "occurred_on": days_ago(2)}).json
    assert investment["money"] == {"amount": "20000.00", "currency": "USD"} and investment["round"] == "pre-seed"

    listed = client.get(f"/api/v1/applications/{target.id}/outcomes", headers=headers).json
    assert listed["total"] == 4
    by_kind = {o["kind"]: o for o in listed["items"]}
    assert by_kind["grant"]["money"] == {"amount": "50000000.00", "currency": "UZS"}
    assert by_kind["grant"]["occurred_on"] is None
    assert by_kind["product"]["link"] == "https://paxta.example.uz" and by_kind["product"]["money"] is None
    assert by_kind["jobs"]["jobs"] == 7
    rows = db.session.scalars(select(Outcome).where(Outcome.application_id == target.id)).all()
    assert {(r.kind, r.amount, r.currency, r.recorded_by_id, r.season_id) for r in rows} == {
        (OutcomeKind.PRODUCT, None, None, manager.id, season.id),
        (OutcomeKind.INVESTMENT, Decimal("20000.00"), "USD", manager.id, season.id),
        (OutcomeKind.GRANT, Decimal("50000000.00"), "UZS", manager.id, season.id),
        (OutcomeKind.JOBS, None, None, manager.id, season.id)}
    assert response_json["application_id"] == apps["no_offer"].id


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"money": {"amount": "-5000", "currency": "USD"}}, "money.amount", "cannot be negative"),
    ({"money": {"amount": "0", "currency": "USD"}}, "money.amount", "above zero"),
    ({"money": {"amount": "20000.005", "currency": "USD"}}, "money.amount", "at most 2 decimal places"),
    ({"money": {"amount": "20,000", "currency": "USD"}}, "money.amount", "with a dot"),
    ({"money": {"amount": "lots", "currency": "USD"}}, "money.amount", "in digits"),
    ({"money": {"amount": "20000", "currency": "EUR"}}, "money.currency", "Unknown currency “EUR”: use UZS or USD"),
    ({"money": {"amount": "20000", "currency": "EUR"}}, "money.currency", "UZS or USD"),
    ({"money": None}, "money.amount", "required"),
    ({"investor": ""}, "investor", "required"),
    ({"investor": "x" * 201}, "investor", "at most 200 characters"),
    ({"occurred_on": "2025-02-30"}, "occurred_on", "does not exist"),
    ({"occurred_on": "30.06.2025"}, "occurred_on", "YYYY-MM-DD"),
    ({"link": "https://example.uz"}, "link", "leave it empty"),
    ({"jobs": 3}, "jobs", "leave it empty"),
])
def test_bad_investments_are_refused_with_the_field_named(app, db, client, cohort, headers, body, field, message):
    _, apps = cohort
    response = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(5), **body})
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert outcome_count(db) == 0


def test_dates_before_the_season_or_in_the_future_are_refused(app, db, client, cohort, headers):
    season, apps = cohort
    before = (season.opens_at.astimezone(season.tz).date() - timedelta(days=1)).isoformat()
    response = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": before})
    assert response.status_code == 422
    (message,) = response.json["errors"]["occurred_on"]
    assert f"before the season started on {season_start(season)}" in message
    response = post_outcome(client, headers, apps["confirmed"], {"kind": "jobs", "jobs": 2, "occurred_on": days_ago(-2)})
    assert response.status_code == 422 and "in the future" in response.json["errors"]["occurred_on"][0]
    # The season's first day itself is fine.
    response = post_outcome(client, headers, apps["confirmed"], {"kind": "jobs", "jobs": 2,
                                                                 "occurred_on": season_start(season)})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"kind": "product"}, "occurred_on", "required for product developed"),
    ({"kind": "product", "occurred_on": None, "link": "ftp://files.example.uz"}, "link", "http:// or https://"),
    ({"kind": "grant", "name": "Startup Cup"}, "result", "required"),
    ({"kind": "grant", "name": "Startup Cup", "result": "won", "money": {"amount": "-1", "currency": "UZS"}},
     "money.amount", "cannot be negative"),
    ({"kind": "jobs", "jobs": -3, "occurred_on": "2025-01-01"}, "jobs", "cannot be negative"),
    ({"kind": "jobs", "occurred_on": "2025-01-01"}, "jobs", "required"),
    ({"kind": "spaceship"}, "kind", "Must be one of"),
    ({"kind": "product", "occurred_on": "2025-01-01", "note": "n" * 2001}, "note", "at most 2000 characters"),
    ({"kind": "product", "occurred_on": "2025-01-01", "nonsense": 1}, "nonsense", "Unknown field"),
])
def test_other_kinds_check_their_fields(app, db, client, cohort, headers, body, field, message):
    _, apps = cohort
    response = post_outcome(client, headers, apps["confirmed"], body)
    assert response.status_code == 422, response.json
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert outcome_count(db) == 0


def test_text_that_looks_like_a_formula_is_stored_as_typed(app, db, client, cohort, headers):
    """Form and API keep what was typed; the exports neutralise it (the CSV import refuses it)."""
    _, apps = cohort
    response = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(3),
                                                                 "investor": "=HYPERLINK(\"x\")"})
    assert response.status_code == 201 and response.json["investor"] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize(("which", "reason"), [
    ("open", "has not confirmed its place yet"),
    ("declined", "declined its place"),
    ("expired", "expired without an answer"),
    ("rejected", "was not selected"),
    ("waitlisted", "on the waitlist"),
])
def test_only_the_startups_the_season_took_in_get_outcomes(app, db, client, cohort, headers, which, reason):
    _, apps = cohort
    response = post_outcome(client, headers, apps[which], {**INVESTMENT, "occurred_on": days_ago(3)})
    assert response.status_code == 409, response.json
    assert "Outcomes are recorded for the startups a season took in only" in response.json["detail"]
    assert reason in response.json["detail"]
    assert outcome_count(db) == 0


def test_recording_works_on_a_closed_season(app, db, client, program, manager, headers, login):
    season, apps = make_cohort(db, program, status=SeasonStatus.CLOSED)
    season.closed_at = utcnow() - timedelta(days=1)
    season.closed_by_id = manager.id
    db.session.commit()
    response = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(3)})
    assert response.status_code == 201, response.json
    assert client.delete(f"/api/v1/outcomes/{response.json['id']}", headers=headers).status_code == 204
    login(manager)
    path = f"/manage/applications/{apps['confirmed'].id}/outcomes"
    page = client.post(f"{path}?kind=jobs", data={"csrf_token": csrf(client, path), "jobs": "4",
                                                    "occurred_on": days_ago(2)})
    assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    assert [(o.kind, o.jobs) for o in db.session.scalars(select(Outcome))] == [(OutcomeKind.JOBS, 4)]


def test_the_same_outcome_twice_is_refused(app, db, client, cohort, headers):
    _, apps = cohort
    body = {**INVESTMENT, "occurred_on": days_ago(3)}
    assert post_outcome(client, headers, apps["confirmed"], body).status_code == 201
    again = post_outcome(client, headers, apps["confirmed"], body)
    assert again.status_code == 409 and "recorded already" in again.json["detail"]
    other_round = post_outcome(client, headers, apps["confirmed"], {**body, "round": "seed"})
    assert other_round.status_code == 201
    assert outcome_count(db) == 2


# --- Who may --------------------------------------------------------------------------------------

def test_a_manager_of_another_program_gets_404(app, db, client, cohort, headers, api_token, make_user, login):
    season, apps = cohort
    recorded = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(3)}).json
    other = make_user(email="other@example.org")
    f.grant(other, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    reviewer = make_user(email="reviewer@example.org")
    f.grant(reviewer, season.program, Role.REVIEWER)
    for user in (other, reviewer, apps["confirmed"].startup.owner):
        h = bearer(api_token(user))
        target = apps["confirmed"].id
        assert post_outcome(client, h, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(2)}).status_code == 404
        assert client.get(f"/api/v1/applications/{target}/outcomes", headers=h).status_code == 404
        assert client.get(f"/api/v1/seasons/{season.id}/outcomes", headers=h).status_code == 404
        assert client.delete(f"/api/v1/outcomes/{recorded['id']}", headers=h).status_code == 404
    assert outcome_count(db) == 1
    login(other)
    for path in (f"/manage/seasons/{season.id}/outcomes", f"/manage/applications/{apps['confirmed'].id}/outcomes",
                 f"/manage/outcomes/{recorded['id']}/delete", f"/manage/seasons/{season.id}/outcomes/import"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/applications/999999/outcomes", headers=headers).status_code == 404


# --- The pages ------------------------------------------------------------------------------------

def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_the_form_ties_each_error_to_its_field_then_records(app, db, client, cohort, manager, login):
    season, apps = cohort
    login(manager)
    path = f"/manage/applications/{apps['confirmed'].id}/outcomes?kind=investment"
    form = client.get(path).get_data(as_text=True)
    for name in ("investor", "amount", "currency", "round", "occurred_on", "note"):
        assert f'name="{name}"' in form
    assert 'name="jobs"' not in form and 'name="link"' not in form
    before = (season.opens_at.astimezone(season.tz).date() - timedelta(days=3)).isoformat()
    response = client.post(path, data={"csrf_token": csrf(client, path), "investor": "Fund", "amount": "-20000",
                                       "currency": "EUR", "occurred_on": before})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="amount-error"[^>]*>[^<]*The amount cannot be negative', page)
    assert re.search(r'id="currency-error"[^>]*>[^<]*use UZS or USD', page)
    assert re.search(rf'id="occurred_on-error"[^>]*>[^<]*before the season started on {season_start(season)}', page)
    assert 'aria-invalid="true"' in page and 'value="Fund"' in page
    assert outcome_count(db) == 0

    response = client.post(path, data={"csrf_token": csrf(client, path), "investor": "Fund", "amount": "20000",
                                       "currency": "USD", "occurred_on": days_ago(4), "round": "seed"})
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome))
    assert (outcome.investor, outcome.amount, outcome.currency) == ("Fund", Decimal("20000.00"), "USD")
    season_page = client.get(f"/manage/seasons/{season.id}").get_data(as_text=True)
    assert f'href="/manage/seasons/{season.id}/outcomes"' in season_page
    listing = client.get(f"/manage/seasons/{season.id}/outcomes").get_data(as_text=True)
    assert "20,000.00 USD" in listing and "Fund" in listing and "Paxta AI" in listing
    assert "Not Selected" not in listing and "Still Deciding" not in listing and "Went Elsewhere" not in listing


def test_a_page_for_an_application_not_taken_in_says_why(app, db, client, cohort, manager, login):
    _, apps = cohort
    login(manager)
    path = f"/manage/applications/{apps['open'].id}/outcomes"
    page = client.get(path).get_data(as_text=True)
    assert "has not confirmed its place yet" in page and 'name="occurred_on"' not in page
    response = client.post(f"{path}?kind=jobs", data={"csrf_token": csrf(client, "/"), "jobs": "3",
                                                       "occurred_on": days_ago(1)})
    assert response.status_code == 409 and "has not confirmed its place yet" in response.get_data(as_text=True)
    assert outcome_count(db) == 0


def test_delete_asks_first(app, db, client, cohort, manager, login, headers):
    _, apps = cohort
    recorded = post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(3)}).json
    login(manager)
    path = f"/manage/outcomes/{recorded['id']}/delete"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Delete this outcome?" in confirm.get_data(as_text=True)
    assert outcome_count(db) == 1
    response = client.post(path, data={"csrf_token": csrf(client, path)})
    assert response.status_code == 302 and outcome_count(db) == 0
    assert client.delete(f"/api/v1/outcomes/{recorded['id']}", headers=headers).status_code == 404


def test_totals_per_currency_and_in_uzs_with_the_rate(app, db, client, cohort, manager, headers, login):
    season, apps = cohort
    for app_key, amount, currency, day in (("confirmed", "20000.00", "USD", 30), ("no_offer", "30000", "USD", 20),
                                           ("no_offer", "1000000.50", "UZS", 10)):
        body = {**INVESTMENT, "money": {"amount": amount, "currency": currency}, "occurred_on": days_ago(day)}
        assert post_outcome(client, headers, apps[app_key], body).status_code == 201
    post_outcome(client, headers, apps["confirmed"], {"kind": "product", "occurred_on": days_ago(50)})
    post_outcome(client, headers, apps["confirmed"], {"kind": "jobs", "jobs": 5, "occurred_on": days_ago(5)})

    totals = client.get(f"/api/v1/seasons/{season.id}/outcomes", headers=headers).json["totals"]
    assert totals["totals"] == [{"amount": "1000000.50", "currency": "UZS"}, {"amount": "50000.00", "currency": "USD"}]
    assert totals["total_uzs"] is None and totals["unconverted"] == ["USD"]
    assert (totals["confirmed"], totals["developed"], totals["funded"], totals["investments"], totals["jobs"]) == (
        2, 1, 2, 3, 5)

    response = client.post(f"/api/v1/programs/{season.program_id}/exchange-rates", headers=headers, json={
        "currency": "USD", "rate": "12650.00", "valid_from": days_ago(40), "valid_to": days_ago(0)})
    assert response.status_code == 201, response.json
    totals = client.get(f"/api/v1/seasons/{season.id}/outcomes", headers=headers).json["totals"]
    # 1,000,000.50 + 50,000 x 12,650 = 633,500,000.50 UZS
    assert totals["total_uzs"] == {"amount": "633500000.50", "currency": "UZS"} and totals["unconverted"] == []
    assert totals["rates_used"] == [{"currency": "USD", "rate": "12650", "valid_from": days_ago(40),
                                     "valid_to": days_ago(0)}]
    login(manager)
    page = client.get(f"/manage/seasons/{season.id}/outcomes").get_data(as_text=True)
    assert "633,500,000.50 UZS" in page and "50,000.00 USD" in page and "1,000,000.50 UZS" in page
    assert f"1 USD = 12650 UZS ({days_ago(40)} – {days_ago(0)})" in page


def test_the_season_page_runs_the_same_queries_for_5_or_40_startups(app, db, client, cohort, manager, login):
    season, apps = cohort
    login(manager)

    def add(n):
        for i in range(n):
            application = make_application(db, season, f"Startup {len(apps)}-{i}", offer=OfferStatus.CONFIRMED)
            db.session.add(Outcome(application_id=application.id, season_id=season.id, kind=OutcomeKind.JOBS, jobs=i,
                                   occurred_on=utcnow().date()))
        db.session.commit()

    def queries():
        with count_queries() as counter:
            response = client.get(f"/manage/seasons/{season.id}/outcomes?per_page=100")
        assert response.status_code == 200
        return counter.count

    add(3)
    few = queries()
    add(35)
    assert queries() == few
    page = client.get(f"/manage/seasons/{season.id}/outcomes").get_data(as_text=True)
    assert "Page 1 of 2" in page  # 40 startups, 25 a page


def test_exchange_rates_are_in_the_totals_only_for_their_program(app, db, client, cohort, headers):
    season, apps = cohort
    other_program = f.ProgramFactory(name="Tumaris.Tech")
    db.session.add(ExchangeRate(program_id=other_program.id, currency="USD", rate=Decimal("12000"),
                                valid_from=utcnow().date() - timedelta(days=100), valid_to=utcnow().date()))
    db.session.commit()
    post_outcome(client, headers, apps["confirmed"], {**INVESTMENT, "occurred_on": days_ago(3)})
    totals = client.get(f"/api/v1/seasons/{season.id}/outcomes", headers=headers).json["totals"]
    assert totals["total_uzs"] is None and totals["unconverted"] == ["USD"]
