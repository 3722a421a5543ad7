"""TOTP two-factor login: enrolment, the login step, replay, and REQUIRE_STAFF_2FA."""
from __future__ import annotations

import re

import pyotp

from tests.support.factories_fixtures import bearer


def _enrol(client, post_form, user):
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="token-value">([A-Z2-7]{16,})</code>', page).group(1)
    assert '<svg role="img"' in page and "<title>QR code to add this account to your authenticator app</title>" in page
    assert "style=" not in page.split('<svg role="img"', 1)[1].split("</svg>", 1)[0]  # the CSP forbids inline style
    wrong = post_form("/account/two-factor/enable", {"code": "000000"}, token_from="/account/two-factor")
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    ok = post_form("/account/two-factor/enable", {"code": pyotp.TOTP(secret).now()},
                   token_from="/account/two-factor")
    assert ok.status_code == 302
    return secret


def test_enrol_then_login_needs_the_code(app, db, client, post_form, login, founder, password):
    login(founder)
    secret = _enrol(client, post_form, founder)
    db.session.refresh(founder)
    assert founder.has_2fa
    client.post("/auth/logout", data={"csrf_token": __import__("tests.support.factories_fixtures",
                                                               fromlist=["x"]).csrf_from(client, "/")})
    step1 = post_form("/auth/login", {"email": founder.email, "password": password}, token_from="/auth/login")
    assert step1.status_code == 302 and step1.location.endswith("/auth/login/2fa")
    assert client.get("/account/").status_code == 302  # not logged in yet
    wrong = post_form("/auth/login/2fa", {"code": "123456"}, token_from="/auth/login/2fa")
    assert "not right" in wrong.get_data(as_text=True)
    # The code used to enrol cannot be replayed; the next one works.
    totp = pyotp.TOTP(secret)
    next_code = totp.at(totp.timecode(__import__("datetime").datetime.now()) * 30 + 30)
    ok = post_form("/auth/login/2fa", {"code": next_code}, token_from="/auth/login/2fa")
    assert ok.status_code == 302
    assert client.get("/account/").status_code == 200


def test_api_token_needs_the_code_and_refuses_replay(app, db, client, founder, password):
    secret = pyotp.random_base32()
    from incubator.accounts.twofactor import enable_2fa

    totp = pyotp.TOTP(secret)
    import datetime

    now_step = totp.timecode(datetime.datetime.now())
    enable_2fa(founder, secret=secret, code=totp.at(now_step * 30 - 30))  # enrolled with the previous step
    db.session.commit()
    missing = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": password})
    assert missing.status_code == 422 and "otp" in missing.json["errors"]
    code = totp.now()
    ok = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": password, "otp": code})
    assert ok.status_code == 201
    replay = client.post("/api/v1/auth/tokens", json={"email": founder.email, "password": password, "otp": code})
    assert replay.status_code == 422 and "already used" in replay.json["errors"]["otp"][0]


def test_required_staff_2fa_blocks_managers_until_enrolled(app, db, client, post_form, login, manager, founder,
                                                          password, api_token):
    app.config["REQUIRE_STAFF_2FA"] = True
    login(manager)
    response = client.get("/account/")
    assert response.status_code == 302 and response.location.endswith("/account/two-factor")
    token = client.post("/api/v1/auth/tokens", json={"email": manager.email, "password": password})
    assert token.status_code == 403 and "two-factor" in token.json["detail"]
    # Founders are not staff: nothing changes for them.
    assert client.get("/api/v1/me", headers=bearer(api_token(founder))).status_code == 200
    _enrol(client, post_form, manager)
    assert client.get("/account/").status_code == 200
