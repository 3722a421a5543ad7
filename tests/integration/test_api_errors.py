"""Every API failure is an RFC 9457 problem, never a 500."""
from __future__ import annotations

from pathlib import Path



def _is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_not_found_and_ids_past_any_integer_range(app, client):
    _is_problem(client.get("/api/v1/programs/12345"), 404)
    _is_problem(client.get("/api/v1/programs/99999999999999999999999"), 404)
    _is_problem(client.get("/api/v1/seasons/-1"), 404)
    _is_problem(client.get("/api/v1/no-such-thing"), 404)


def test_method_not_allowed_says_which_are(app, client):
    response = client.put("/api/v1/programs", json={})
    _is_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_wrong_media_type_and_invalid_fields(app, client):
    body = _is_problem(client.post("/api/v1/auth/register", data="{not json", content_type="application/json"), 400)
    assert "JSON" in str(body)
    _is_problem(client.post("/api/v1/auth/register", data="<x/>", content_type="application/xml"), 415)
    body = _is_problem(client.post("/api/v1/auth/register", json={"email": 5}), 422)
    assert {"email", "password", "name"} <= set(body["errors"])
    body = _is_problem(client.get("/api/v1/seasons?status=nonsense&per_page=1000"), 422)
    assert set(body["errors"]) == {"status", "per_page"}


def test_too_large_body_names_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    body = _is_problem(client.post("/api/v1/auth/register", data=b"x" * (3 * 1024 * 1024),
                                   content_type="application/json"), 413)
    assert "2 MB" in body["detail"]


def test_public_program_and_season_endpoints(app, client, open_season):
    programs = client.get("/api/v1/programs").json
    assert programs["total"] == 1 and programs["items"][0]["name"] == "InnoX"
    seasons = client.get("/api/v1/seasons?status=open").json
    assert [s["name"] for s in seasons["items"]] == ["Season 3"]
    assert seasons["items"][0]["accepting_applications"] is True
    detail = client.get(f"/api/v1/seasons/{open_season.id}").json
    assert detail["timezone"] == "Asia/Tashkent" and detail["closes_at"].endswith("+00:00")
    assert detail["questions"][0]["label"]["uz"] == "Sizning pitchingiz"
    assert detail["stages"][0]["criteria"][0]["key"] == "team"


def test_draft_seasons_and_private_programs_are_not_public(app, db, client, open_season, program):
    from incubator.programs.models import SeasonStatus
    from tests.support import factories as f

    draft = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT, name="Secret draft")
    _is_problem(client.get(f"/api/v1/seasons/{draft.id}"), 404)
    assert "Secret draft" not in client.get("/api/v1/seasons").get_data(as_text=True)
    hidden = f.ProgramFactory(name="Hidden", is_public=False)
    _is_problem(client.get(f"/api/v1/programs/{hidden.id}"), 404)
    assert "Hidden" not in client.get("/api/v1/programs").get_data(as_text=True)
    assert "Secret draft" not in client.get(f"/seasons/{draft.id}").get_data(as_text=True)


def test_lists_are_paginated_with_a_total(app, client):
    from tests.support import factories as f

    for _ in range(7):
        f.ProgramFactory()
    page = client.get("/api/v1/programs?per_page=3&page=3").json
    assert page["total"] == 7 and page["pages"] == 3 and len(page["items"]) == 1


def test_openapi_document_is_served(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/auth/register", "/api/v1/auth/tokens", "/api/v1/auth/tokens/{token_id}", "/api/v1/me",
                 "/api/v1/programs", "/api/v1/programs/{program_id}", "/api/v1/seasons",
                 "/api/v1/seasons/{season_id}", "/api/v1/notifications"):
        assert path in doc["paths"], path


def test_healthz_reports_database_and_broker(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(app, monkeypatch):
    from config import celery_settings
    from incubator import create_app
    from tests.support.smtp import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery prefers this variable to its config
    broken = create_app("testing", CELERY=celery_settings(dead, Path(app.instance_path)))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["broker"] == "down" and response.json["database"] == "ok"
