"""Languages: en, ru, uz; the user's setting, then ?lang= kept in the session, then Accept-Language."""
from __future__ import annotations

import pytest

LOGIN = {"en": "Log in", "ru": "Войти", "uz": "Kirish"}
OPEN_CALLS = {"en": "Open calls", "ru": "Открытые наборы", "uz": "Ochiq qabullar"}


@pytest.mark.parametrize("lang", ["en", "ru", "uz"])
def test_the_same_page_in_each_language(app, client, lang):
    page = client.get(f"/auth/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert f">{LOGIN[lang]}</h1>" in page
    assert OPEN_CALLS[lang] in page
    for other in {"en", "ru", "uz"} - {lang}:
        assert f">{LOGIN[other]}</h1>" not in page


def test_lang_choice_is_kept_in_the_session(app, client):
    client.get("/?lang=ru")
    assert OPEN_CALLS["ru"] in client.get("/programs").get_data(as_text=True)


def test_accept_language_is_the_fallback(app, client):
    page = client.get("/", headers={"Accept-Language": "uz,ru;q=0.8"}).get_data(as_text=True)
    assert '<html lang="uz">' in page


def test_the_users_setting_wins(app, client, make_user, login):
    user = make_user(locale="ru")
    login(user)
    page = client.get("/programs?lang=uz", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page


def test_switching_language_when_logged_in_saves_it(app, db, client, make_user, login, post_form):
    user = make_user(locale="en")
    login(user)
    response = post_form("/language", {"lang": "uz", "next": "/programs"})
    assert response.status_code == 302 and response.location.endswith("/programs")
    db.session.refresh(user)
    assert user.locale == "uz"
    assert '<html lang="uz">' in client.get("/programs").get_data(as_text=True)


def test_unknown_language_code_is_explained(app, client):
    page = client.get("/?lang=klingon").get_data(as_text=True)
    assert "Unknown language code" in page and '<html lang="en">' in page


def test_deadlines_are_shown_in_the_season_time_zone(app, client, open_season):
    page = client.get(f"/seasons/{open_season.id}").get_data(as_text=True)
    assert "Asia/Tashkent (UTC+05:00)" in page
