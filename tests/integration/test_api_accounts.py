"""Accounts over the API: register, tokens (list, revoke), me; bearer tokens only."""
from __future__ import annotations

from sqlalchemy import func, select

from incubator.accounts.models import ApiToken, Role, User
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.mail import last_notification


def test_register_sends_a_verification_email(app, db, client):
    response = client.post("/api/v1/auth/register", json={
        "email": "Aziz@Example.org", "password": "Bukhara-Dome-1991", "name": "Aziz", "locale": "ru"})
    assert response.status_code == 201
    assert response.json["email"] == "aziz@example.org" and response.json["email_verified"] is False
    assert "password" not in response.json and "password_hash" not in response.json
    note = last_notification("verify_email", "aziz@example.org")
    assert note.locale == "ru" and "/auth/verify/" in note.body_text


def test_register_errors_name_each_field_and_store_nothing(app, db, client, founder):
    response = client.post("/api/v1/auth/register", json={
        "email": "bad@", "password": "123", "name": "", "locale": "fr"})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.json["errors"]
    assert set(errors) == {"email", "password", "name", "locale"}
    assert "fr" in errors["locale"][0]
    taken = client.post("/api/v1/auth/register", json={
        "email": founder.email, "password": "Bukhara-Dome-1991", "name": "X"})
    assert taken.status_code == 422 and "already exists" in taken.json["errors"]["email"][0]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_token_lifecycle(app, db, client, founder, password):
    created = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": password,
                                                       "name": "telegram bot"})
    assert created.status_code == 201
    token = created.json["token"]
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash  # only a digest is kept
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.json["email"] == founder.email
    listed = client.get("/api/v1/auth/tokens", headers=bearer(token)).json
    assert [t["name"] for t in listed] == ["telegram bot"] and "token" not in listed[0]
    assert client.delete(f"/api/v1/auth/tokens/{created.json['id']}", headers=bearer(token)).status_code == 204
    after = client.get("/api/v1/me", headers=bearer(token))
    assert after.status_code == 401 and "revoked" in after.json["detail"]
    assert after.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_password_and_unknown_user_get_the_same_401(app, client, founder):
    a = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": "wrong-wrong-wrong"})
    b = client.post("/api/v1/auth/tokens", json={"email": "ghost@example.org", "password": "wrong-wrong-wrong"})
    assert a.status_code == b.status_code == 401
    assert a.json["detail"] == b.json["detail"] == "Invalid e-mail or password."


def test_unverified_account_gets_no_token(app, client, make_user, password):
    user = make_user(email_verified_at=None)
    response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": password})
    assert response.status_code == 403 and "Confirm your e-mail" in response.json["detail"]


def test_token_endpoint_is_rate_limited(app, client, founder):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": "x"}).status_code == 401
    limited = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": "x"})
    assert limited.status_code == 429 and limited.content_type == "application/problem+json"


def test_session_cookie_is_not_accepted_by_the_api(app, client, founder, login):
    login(founder)
    assert client.get("/account/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(app, client, founder, make_user, api_token):
    other = make_user()
    mine, theirs = api_token(founder), api_token(other)
    their_id = client.get("/api/v1/auth/tokens", headers=bearer(theirs)).json[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{their_id}", headers=bearer(mine)).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_me_lists_roles_per_program(app, client, founder, api_token):
    program = f.ProgramFactory(name="FoundHer")
    f.grant(founder, program, Role.REVIEWER)
    me = client.get("/api/v1/me", headers=bearer(api_token(founder))).json
    assert me["roles"] == [{"program_id": program.id, "program_name": "FoundHer", "role": "reviewer"}]


def test_malformed_auth_headers(app, client):
    for header in ("Basic abc", "Bearer ", "Bearer inc_not-a-real-token", "Bearer " + "x" * 5000):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.content_type == "application/problem+json"


def test_nul_characters_are_refused_with_the_field_named(app, db, client, founder, password):
    reg = client.post("/api/v1/auth/register", json={"email": "ali@example.org", "password": "Bukhara-Dome-1991",
                                                     "name": "Ali\x00"})
    assert reg.status_code == 422 and "name" in reg.json["errors"]
    tok = client.post("/api/v1/auth/tokens", json={"email": "a\x00@example.org", "password": password})
    assert tok.status_code == 422 and "email" in tok.json["errors"]
    named = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": password, "name": "x\x00"})
    assert named.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_nul_characters_in_web_forms_are_refused(app, client, post_form):
    response = post_form("/auth/login", {"email": "a\x00@example.org", "password": "x"}, token_from="/auth/login")
    assert response.status_code == 400 and "NUL" not in response.get_data(as_text=True).split("<title>")[0]
    assert client.get("/programs?page=\x00").status_code == 400


def test_internationalised_domain_registers_and_logs_in(app, db, client):
    reg = client.post("/api/v1/auth/register", json={
        "email": "founder@xn--e1afmkfd.xn--p1ai", "password": "Correct-Horse-42", "name": "Dilnoza"})
    assert reg.status_code == 201
    user = db.session.scalar(select(User))
    user.email_verified_at = user.created_at
    db.session.commit()
    for spelling in ("founder@xn--e1afmkfd.xn--p1ai", "Founder@пример.рф"):
        tok = client.post("/api/v1/auth/tokens", json={"email": spelling, "password": "Correct-Horse-42"})
        assert tok.status_code == 201, (spelling, tok.json)
    again = client.post("/api/v1/auth/register", json={
        "email": "FOUNDER@пример.рф", "password": "Correct-Horse-42", "name": "Dilnoza"})
    assert again.status_code == 422 and "already exists" in again.json["errors"]["email"][0]
