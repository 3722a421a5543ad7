"""Exchange rates per program: create, list, delete by API and page; every bad input refused with its
field (rate not above zero, unknown currency, UZS itself, period out of order, overlapping periods of
the same currency, naming the period in the way); a manager of another program gets 404."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.outcomes.models import ExchangeRate
from tests.support import factories as f
from tests.support.factories_fixtures import bearer


@pytest.fixture
def headers(api_token, manager):
    return bearer(api_token(manager))


def rates_path(program) -> str:
    return f"/api/v1/programs/{program.id}/exchange-rates"


def add(client, headers, program, **body):
    payload = {"currency": "USD", "rate": "12650.00", "valid_from": "2025-01-01", "valid_to": "2025-06-30", **body}
    return client.post(rates_path(program), json=payload, headers=headers)


def rate_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ExchangeRate))


def test_create_list_and_delete(app, db, client, program, manager, headers):
    response = add(client, headers, program, rate="12650.123456")
    assert response.status_code == 201, response.json
    assert {k: response.json[k] for k in ("currency", "rate", "valid_from", "valid_to", "program_id")} == {
        "currency": "USD", "rate": "12650.123456", "valid_from": "2025-01-01", "valid_to": "2025-06-30",
        "program_id": program.id}
    # The next period may start the day after the last one ends; "usd" is read as USD.
    assert add(client, headers, program, currency="usd", rate="12800", valid_from="2025-07-01",
               valid_to="2025-12-31").status_code == 201
    listed = client.get(rates_path(program), headers=headers).json
    assert [(r["valid_from"], r["rate"]) for r in listed] == [("2025-07-01", "12800"), ("2025-01-01", "12650.123456")]
    row = db.session.get(ExchangeRate, response.json["id"])
    assert (row.rate, row.valid_from, row.created_by_id) == (Decimal("12650.123456"), date(2025, 1, 1), manager.id)
    assert client.delete(f"/api/v1/exchange-rates/{row.id}", headers=headers).status_code == 204
    assert rate_count(db) == 1


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"rate": "0"}, "rate", "A rate is above zero"),
    ({"rate": "-12650"}, "rate", "A rate is above zero"),
    ({"rate": "12650.1234567"}, "rate", "at most 6 decimal places"),
    ({"rate": "twelve"}, "rate", "in digits"),
    ({"currency": "EUR"}, "currency", "Unknown currency “EUR”: use USD"),
    ({"currency": "UZS"}, "currency", "converts another currency into UZS"),
    ({"currency": ""}, "currency", "Choose the currency"),
    ({"valid_to": "2024-12-31"}, "valid_to", "ends before it starts: choose a last day on or after 2025-01-01"),
    ({"valid_from": "01/01/2025"}, "valid_from", "YYYY-MM-DD"),
    ({"valid_from": "1999-01-01"}, "valid_from", "between the years 2000 and 2100"),
])
def test_bad_rates_are_refused_with_the_field_named(app, db, client, program, headers, body, field, message):
    response = add(client, headers, program, **body)
    assert response.status_code == 422, response.json
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert rate_count(db) == 0


def test_overlapping_periods_of_a_currency_are_refused(app, db, client, program, manager, headers):
    assert add(client, headers, program).status_code == 201
    for start, end in (("2025-06-30", "2025-09-30"), ("2024-12-01", "2025-01-01"), ("2025-02-01", "2025-03-01"),
                       ("2024-01-01", "2026-01-01")):
        response = add(client, headers, program, valid_from=start, valid_to=end, rate="13000")
        assert response.status_code == 422, (start, end)
        (message,) = response.json["errors"]["valid_from"]
        assert "overlaps the USD rate for 2025-01-01 – 2025-06-30 (12650 UZS)" in message
    # Another program's periods are its own.
    other = f.ProgramFactory(name="Tumaris.Tech")
    f.grant(manager, other, Role.MANAGER)
    assert add(client, headers, other).status_code == 201
    assert rate_count(db) == 2


def test_a_manager_of_another_program_gets_404(app, db, client, program, headers, api_token, make_user, login):
    rate = add(client, headers, program).json
    other = make_user(email="other@example.org")
    f.grant(other, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    founder = make_user(email="founder2@example.org")
    for user in (other, founder):
        h = bearer(api_token(user))
        assert client.get(rates_path(program), headers=h).status_code == 404
        assert add(client, h, program, valid_from="2026-01-01", valid_to="2026-02-01").status_code == 404
        assert client.delete(f"/api/v1/exchange-rates/{rate['id']}", headers=h).status_code == 404
    assert rate_count(db) == 1
    login(other)
    assert client.get(f"/manage/programs/{program.id}/exchange-rates").status_code == 404
    assert client.get(f"/manage/exchange-rates/{rate['id']}/delete").status_code == 404


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_the_page_adds_ties_errors_to_fields_and_deletes_after_asking(app, db, client, program, manager, login):
    login(manager)
    path = f"/manage/programs/{program.id}/exchange-rates"
    assert "No rate yet" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf(client, path), "currency": "USD", "rate": "-1",
                                       "valid_from": "2025-03-01", "valid_to": "2025-02-01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="rate-error"[^>]*>[^<]*A rate is above zero', page)
    assert re.search(r'id="valid_to-error"[^>]*>[^<]*ends before it starts', page)
    assert rate_count(db) == 0

    response = client.post(path, data={"csrf_token": csrf(client, path), "currency": "USD", "rate": "12650",
                                       "valid_from": "2025-01-01", "valid_to": "2025-06-30"})
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "1 USD = 12650 UZS from 2025-01-01 to 2025-06-30" in page  # the flash
    assert "2025-01-01 – 2025-06-30" in page
    rate = db.session.scalar(select(ExchangeRate))
    delete_path = f"/manage/exchange-rates/{rate.id}/delete"
    assert "Delete this rate?" in client.get(delete_path).get_data(as_text=True) and rate_count(db) == 1
    assert client.post(delete_path, data={"csrf_token": csrf(client, delete_path)}).status_code == 302
    assert rate_count(db) == 0
