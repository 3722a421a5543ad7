"""Named fixtures that build scenarios."""
from __future__ import annotations

import re

import pytest

from incubator.accounts.models import Role
from tests.support import factories as f


@pytest.fixture
def password():
    return f.PASSWORD


@pytest.fixture
def make_user(app):
    def _make(**kwargs):
        return f.UserFactory(**kwargs)

    return _make


@pytest.fixture
def founder(make_user):
    return make_user(email="founder@example.org", name="Dilnoza Founder")


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", name="Admin", is_admin=True)


@pytest.fixture
def program(app):
    return f.ProgramFactory(name="InnoX")


@pytest.fixture
def manager(make_user, program):
    user = make_user(email="manager@example.org", name="Manager")
    f.grant(user, program, Role.MANAGER)
    return user


@pytest.fixture
def open_season(program):
    season = f.SeasonFactory(program=program, name="Season 3")
    f.QuestionFactory(season=season)
    stage = f.StageFactory(season=season, position=1)
    f.CriterionFactory(stage=stage, key="team")
    return season


CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_from(client, path: str = "/auth/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def post_form(client):
    """POST a form the way a browser does: with the CSRF token of the session."""
    def _post(path: str, data: dict | None = None, *, token_from: str = "/", **kwargs):
        payload = {"csrf_token": csrf_from(client, token_from), **(data or {})}
        return client.post(path, data=payload, **kwargs)

    return _post


@pytest.fixture
def login(client, post_form):
    def _login(user, password=f.PASSWORD):
        response = post_form("/auth/login", {"email": user.email, "password": password}, token_from="/auth/login")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def api_token(client):
    def _token(user, password=f.PASSWORD, **extra):
        response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": password, **extra})
        assert response.status_code == 201, response.json
        return response.json["token"]

    return _token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
