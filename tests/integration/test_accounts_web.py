"""Registration, verification, login, logout, password reset and change, in the web pages."""
from __future__ import annotations

from sqlalchemy import func, select

from incubator.accounts.models import User
from tests.support.mail import last_notification, link_path


def _count_users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _register(post_form, **overrides):
    data = {"name": "Dilnoza Karimova", "email": "dilnoza@example.org", "password": "Fergana-Silk-2025",
            "locale": "en", **overrides}
    return post_form("/auth/register", data, token_from="/auth/register")


def test_register_verify_and_log_in(app, db, client, post_form):
    page = _register(post_form).get_data(as_text=True)
    assert "dilnoza@example.org" in page
    user = db.session.scalar(select(User).where(User.email == "dilnoza@example.org"))
    assert user.locale == "en" and not user.is_verified
    note = last_notification("verify_email", "dilnoza@example.org")
    assert note is not None and note.subject == "Confirm your e-mail address"
    # Not verified yet: login says so, without logging in.
    response = post_form("/auth/login", {"email": "dilnoza@example.org", "password": "Fergana-Silk-2025"},
                         token_from="/auth/login")
    assert response.status_code == 200 and "/auth/verify/resend" in response.get_data(as_text=True)
    response = client.get(link_path(note))
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    db.session.refresh(user)
    assert user.is_verified
    # The same link again: already used, said plainly.
    again = client.get(link_path(note))
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    response = post_form("/auth/login", {"email": "Dilnoza@Example.org ", "password": "Fergana-Silk-2025"},
                         token_from="/auth/login")
    assert response.status_code == 302
    assert "Dilnoza Karimova" in client.get("/").get_data(as_text=True)


def test_registration_language_is_kept_for_the_email(app, db, post_form):
    _register(post_form, locale="uz")
    assert db.session.scalar(select(User.locale)) == "uz"
    note = last_notification("verify_email", "dilnoza@example.org")
    assert note.locale == "uz"
    assert note.subject != "Confirm your e-mail address"  # written in Uzbek
    assert "Dilnoza Karimova" in note.body_text


def test_register_with_a_taken_email_marks_the_field(app, db, post_form, founder):
    before = _count_users(db)
    page = _register(post_form, email="FOUNDER@example.org").get_data(as_text=True)
    assert "already exists" in page and 'aria-invalid="true"' in page
    assert _count_users(db) == before


def test_register_with_a_weak_password_or_bad_email(app, db, post_form):
    page = _register(post_form, password="password123").get_data(as_text=True)
    assert "too easy to guess" in page
    page = _register(post_form, password="short").get_data(as_text=True)
    assert "at least 10 characters" in page
    page = _register(post_form, email="not-an-email").get_data(as_text=True)
    assert "not a valid e-mail address" in page
    assert _count_users(db) == 0


def test_expired_and_tampered_verification_links(app, db, client, post_form):
    _register(post_form)
    path = link_path(last_notification("verify_email", "dilnoza@example.org"))
    tampered = client.get(path[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    app.config["VERIFY_TOKEN_MAX_AGE"] = -1
    expired = client.get(path)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert not db.session.scalar(select(User)).is_verified


def test_wrong_password_and_unknown_email_get_the_same_message(app, client, post_form, founder):
    wrong = post_form("/auth/login", {"email": founder.email, "password": "nope-nope-nope"},
                      token_from="/auth/login").get_data(as_text=True)
    unknown = post_form("/auth/login", {"email": "ghost@example.org", "password": "nope-nope-nope"},
                        token_from="/auth/login").get_data(as_text=True)
    assert "Invalid e-mail or password." in wrong and "Invalid e-mail or password." in unknown


def test_login_is_rate_limited(app, client, post_form, founder):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = None
    for _ in range(3):
        response = post_form("/auth/login", {"email": founder.email, "password": "wrong-wrong"},
                             token_from="/auth/login")
        assert response.status_code == 200
    response = post_form("/auth/login", {"email": founder.email, "password": "wrong-wrong"},
                         token_from="/auth/login")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    del token


def test_logout_ends_the_sessions_on_other_devices(app, db, founder, password):
    from tests.support.factories_fixtures import csrf_from

    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        r = c.post("/auth/login", data={"csrf_token": csrf_from(c), "email": founder.email, "password": password})
        assert r.status_code == 302
    assert laptop.get("/account/").status_code == 200
    phone.post("/auth/logout", data={"csrf_token": csrf_from(phone, "/account/")})
    response = laptop.get("/account/")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_password_change_keeps_this_session_and_ends_the_others(app, db, founder, password):
    from tests.support.factories_fixtures import csrf_from

    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        c.post("/auth/login", data={"csrf_token": csrf_from(c), "email": founder.email, "password": password})
    wrong = laptop.post("/account/password", data={"csrf_token": csrf_from(laptop, "/account/"),
                                                   "pw-current_password": "not-it-at-all",
                                                   "pw-new_password": "Brand-New-Secret-9"})
    assert wrong.status_code == 422 and "current password is not right" in wrong.get_data(as_text=True)
    response = laptop.post("/account/password", data={"csrf_token": csrf_from(laptop, "/account/"),
                                                      "pw-current_password": password,
                                                      "pw-new_password": "Brand-New-Secret-9"})
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302


def test_password_reset_flow(app, db, client, post_form, founder, password):
    page = post_form("/auth/reset", {"email": "ghost@example.org"}, token_from="/auth/reset").get_data(as_text=True)
    assert "If an account uses this address" in page
    assert last_notification("password_reset", "ghost@example.org") is None
    post_form("/auth/reset", {"email": founder.email}, token_from="/auth/reset")
    path = link_path(last_notification("password_reset", founder.email))
    weak = post_form(path, {"password": "short"}, token_from=path)
    assert "at least 10 characters" in weak.get_data(as_text=True)
    done = post_form(path, {"password": "Khiva-Minaret-1869"}, token_from=path)
    assert done.status_code == 302
    reused = client.get(path)
    assert reused.status_code == 400 and "already been used" in reused.get_data(as_text=True)
    old = post_form("/auth/login", {"email": founder.email, "password": password}, token_from="/auth/login")
    assert "Invalid e-mail or password." in old.get_data(as_text=True)
    new = post_form("/auth/login", {"email": founder.email, "password": "Khiva-Minaret-1869"},
                    token_from="/auth/login")
    assert new.status_code == 302


def test_forms_without_csrf_are_refused(app, client, founder, password):
    response = client.post("/auth/login", data={"email": founder.email, "password": password})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_next_parameter_cannot_leave_the_site(app, client, post_form, founder, password):
    response = post_form("/auth/login?next=https://evil.example/x", {"email": founder.email, "password": password},
                         token_from="/auth/login")
    assert response.status_code == 302 and "evil.example" not in response.location
