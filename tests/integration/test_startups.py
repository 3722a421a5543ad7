"""Startup profiles, teams and co-founder invitations: in the pages and over the API."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.errors import RuleViolation
from incubator.startups import services
from incubator.startups.models import Gender, Startup, StartupCollaborator, StartupStage, TeamMember
from tests.support import factories as f
from tests.support.factories_fixtures import bearer, csrf_from
from tests.support.mail import last_notification, link_path
from tests.support.queries import count_queries

GOOD = {"name": "Paxta AI", "pitch": "Drones that count cotton bolls", "description": "We fly over fields.",
        "sector": "agritech", "country": "UZ", "region": "fergana", "stage": "prototype",
        "founded_on": "2024-03-01", "website": "https://paxta.uz"}


# --- helpers -------------------------------------------------------------------------------------

def case_ids(cases) -> list[str]:
    return [f"{case[0]}-{i}" for i, case in enumerate(cases)]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def main_of(response) -> str:
    """The page's own content (the header's language form carries the current path)."""
    return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)


def submit(client, path: str, data: dict | None = None, *, token_from: str = "/"):
    """POST like a browser, with the session's CSRF token under every form prefix of the page."""
    token = csrf_from(client, token_from)
    payload = {"csrf_token": token, "member-csrf_token": token, "invite-csrf_token": token, **(data or {})}
    return client.post(path, data=payload)


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def make_startup(db, owner, *, name="Paxta AI", members=0, **fields) -> Startup:
    startup = Startup(owner_id=owner.id, name=name, sector=fields.pop("sector", "agritech"),
                      region=fields.pop("region", "andijan"), country=fields.pop("country", "UZ"), **fields)
    db.session.add(startup)
    db.session.flush()
    for i in range(members):
        db.session.add(TeamMember(startup_id=startup.id, name=f"Member {i}", email=f"m{i}-{startup.id}@example.org",
                                  role="CTO", gender=Gender.FEMALE if i % 2 else Gender.MALE, birth_year=1995 + i))
    db.session.commit()
    return startup


@pytest.fixture
def other_founder(make_user):
    return make_user(email="other@example.org", name="Other Founder")


@pytest.fixture
def invitee(make_user):
    return make_user(email="aziz@example.org", name="Aziz Co-founder")


# --- the dashboard -------------------------------------------------------------------------------

def test_dashboard_empty_state_points_to_a_new_startup_and_the_open_calls(app, client, founder, login):
    login(founder)
    page = client.get("/my/")
    assert page.status_code == 200
    body = text_of(page)
    assert 'id="empty-state"' in body
    assert 'href="/my/startups/new"' in body and 'href="/"' in body
    assert "You have no startup profile yet" in body
    assert "No applications yet." in body


def test_dashboard_needs_a_login(app, client):
    response = client.get("/my/")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_dashboard_lists_my_startups_and_applications(app, db, client, founder, other_founder, login):
    mine = make_startup(db, founder, name="Paxta AI", members=2, pitch="Yield from the sky")
    make_startup(db, other_founder, name="Secret Other Startup")
    season = f.SeasonFactory(name="Season 3")
    db.session.add(Application(season_id=season.id, startup_id=mine.id, created_by_id=founder.id, status=Status.DRAFT))
    db.session.commit()
    login(founder)
    body = text_of(client.get("/my/"))
    assert "Paxta AI" in body and "Yield from the sky" in body and "Andijan" in body
    assert "Agriculture and food" in body and "Member 0, Member 1" in body
    assert "Secret Other Startup" not in body
    application_id = db.session.scalar(select(Application.id))
    assert "Season 3" in body and "Draft" in body and f"/my/applications/{application_id}" in body


# --- creating and editing a startup in the pages -------------------------------------------------

def test_create_a_startup_then_edit_it(app, db, client, founder, login):
    login(founder)
    form = client.get("/my/startups/new")
    assert form.status_code == 200
    body = text_of(form)
    for label in ("Tashkent city", "Republic of Karakalpakstan", "Kazakhstan", "Prototype", "Agriculture and food"):
        assert label in body
    assert '<label class="form-label" for="name">Startup name</label>' in body

    response = submit(client, "/my/startups/new", GOOD)
    assert response.status_code == 302
    startup = db.session.scalar(select(Startup))
    assert response.location.endswith(f"/my/startups/{startup.id}#team")
    assert (startup.owner_id, startup.name, startup.region, startup.country, startup.stage) == \
        (founder.id, "Paxta AI", "fergana", "UZ", StartupStage.PROTOTYPE)
    assert startup.founded_on == date(2024, 3, 1) and startup.website == "https://paxta.uz"

    page = text_of(client.get(f"/my/startups/{startup.id}"))
    assert 'value="Paxta AI"' in page and "No one is on the team list yet." in page

    changed = {**GOOD, "name": "Paxta Vision", "country": "KZ", "region": "", "website": "paxta.kz", "stage": "revenue"}
    response = submit(client, f"/my/startups/{startup.id}", changed)
    assert response.status_code == 302 and response.location.endswith(f"/my/startups/{startup.id}")
    db.session.refresh(startup)
    assert (startup.name, startup.country, startup.region, startup.website, startup.stage) == \
        ("Paxta Vision", "KZ", None, "https://paxta.kz", StartupStage.REVENUE)
    assert "The changes to Paxta Vision are saved." in text_of(client.get(f"/my/startups/{startup.id}"))


def test_a_new_startup_goes_back_to_where_the_founder_came_from(app, db, client, founder, login):
    login(founder)
    response = submit(client, "/my/startups/new?next=/seasons/7/apply", GOOD)
    assert response.status_code == 302 and response.location.endswith("/seasons/7/apply")
    response = submit(client, "/my/startups/new?next=https://evil.example/", {**GOOD, "name": "Second"})
    assert urlsplit(response.location).netloc in ("", "localhost") and "/my/startups/" in response.location


FUTURE = (date.today() + timedelta(days=3)).isoformat()
STARTUP_ERRORS = [
    ("name", {"name": ""}, "Enter the startup's name."),
    ("name", {"name": "   "}, "Enter the startup's name."),
    ("name", {"name": "x" * 201}, "Use at most 200 characters (this has 201)."),
    ("pitch", {"pitch": "p" * 301}, "Use at most 300 characters (this has 301)."),
    ("pitch", {"pitch": "first line\nsecond line"}, "Write this on one line."),
    ("sector", {"sector": ""}, "Choose the startup's sector."),
    ("sector", {"sector": "mining"}, "Choose a sector from the list."),
    ("country", {"country": "RU"}, "Choose a country from the list: Uzbekistan, Kazakhstan, Kyrgyzstan, "
                                   "Tajikistan or Turkmenistan."),
    ("region", {"region": ""}, "Choose the region of Uzbekistan where the startup works."),
    ("region", {"region": "moscow"}, "Choose one of the 14 regions of Uzbekistan from the list."),
    ("region", {"country": "KZ", "region": "andijan"},
     "Leave the region empty for a startup outside Uzbekistan: the country is enough."),
    ("stage", {"stage": "unicorn"}, "Choose a stage: idea, prototype, MVP or revenue."),
    ("founded_on", {"founded_on": FUTURE}, "The founding date cannot be in the future."),
    ("founded_on", {"founded_on": "1989-12-31"}, "The founding date cannot be before 1990."),
    ("website", {"website": "ftp://paxta.uz"},
     "Enter the website as a full address starting with http:// or https://, e.g. https://example.uz."),
    ("website", {"website": "javascript:alert(1)"},
     "Enter the website as a full address starting with http:// or https://, e.g. https://example.uz."),
    ("website", {"website": "https://paxta uz"},
     "Enter the website as a full address starting with http:// or https://, e.g. https://example.uz."),
]


@pytest.mark.parametrize(("field", "change", "message"), STARTUP_ERRORS, ids=case_ids(STARTUP_ERRORS))
def test_each_startup_rule_in_the_page(app, db, client, founder, login, field, change, message):
    login(founder)
    response = submit(client, "/my/startups/new", {**GOOD, **change})
    assert response.status_code == 422
    body = text_of(response)
    assert message in body
    assert f'id="{field}-error"' in body and 'aria-invalid="true"' in body
    assert f'aria-describedby="{field}' in body
    assert count(db, Startup) == 0


def test_nul_characters_are_refused_by_the_pages_and_the_services(app, db, client, founder, login):
    login(founder)
    response = submit(client, "/my/startups/new", {**GOOD, "description": "a\x00b"})
    assert response.status_code == 400
    assert count(db, Startup) == 0
    nul = "This text contains a NUL character, which is not allowed."
    with pytest.raises(RuleViolation) as exc:
        services.create_startup(actor=founder, **{**GOOD, "name": "Pax\x00ta", "website": "https://x.uz/\x00",
                                                  "region": "and\x00ijan"})
    assert exc.value.errors == {"name": [nul], "website": [nul], "region": [nul]}
    startup = make_startup(db, founder)
    with pytest.raises(RuleViolation) as exc:
        services.add_member(startup, actor=founder, name="Dil\x00noza", role="C\x00EO", birth_year="19\x0090")
    assert exc.value.errors == {"name": [nul], "role": [nul], "birth_year": [nul]}
    db.session.rollback()
    assert count(db, TeamMember) == 0


def test_a_date_that_is_not_a_date_is_refused_in_the_page(app, db, client, founder, login):
    login(founder)
    response = submit(client, "/my/startups/new", {**GOOD, "founded_on": "yesterday"})
    assert response.status_code == 422 and "Not a valid date value." in text_of(response)
    assert count(db, Startup) == 0


def test_editing_with_errors_changes_nothing(app, db, client, founder, login):
    startup = make_startup(db, founder, name="Paxta AI", website="https://paxta.uz")
    login(founder)
    response = submit(client, f"/my/startups/{startup.id}", {**GOOD, "name": "", "website": "ftp://x"})
    assert response.status_code == 422
    body = text_of(response)
    assert "Enter the startup's name." in body and "starting with http:// or https://" in body
    assert "Please fix 2 fields:" in body
    db.session.expire_all()
    assert db.session.get(Startup, startup.id).name == "Paxta AI"


# --- the same over the API -----------------------------------------------------------------------

API_GOOD = {**GOOD}

API_ERRORS = [
    ("name", {"name": "   "}, "Enter the startup's name."),
    ("name", {"name": "x" * 201}, "Length must be between 1 and 200."),
    ("name", {"name": "Pax\x00ta"}, "Must not contain a NUL character."),
    ("pitch", {"pitch": "first line\nsecond line"}, "Write this on one line."),
    ("sector", {"sector": "mining"}, "Must be one of:"),
    ("region", {"region": None}, "Choose the region of Uzbekistan where the startup works."),
    ("region", {"country": "KZ", "region": "andijan"},
     "Leave the region empty for a startup outside Uzbekistan: the country is enough."),
    ("stage", {"stage": "unicorn"}, "Must be one of:"),
    ("founded_on", {"founded_on": FUTURE}, "The founding date cannot be in the future."),
    ("founded_on", {"founded_on": "1989-12-31"}, "The founding date cannot be before 1990."),
    ("founded_on", {"founded_on": "31.12.2020"}, "Not a valid date."),
    ("website", {"website": "ftp://paxta.uz"},
     "Enter the website as a full address starting with http:// or https://, e.g. https://example.uz."),
]


@pytest.mark.parametrize(("field", "change", "message"), API_ERRORS, ids=case_ids(API_ERRORS))
def test_each_startup_rule_over_the_api(app, db, client, founder, api_token, field, change, message):
    token = api_token(founder)
    response = client.post("/api/v1/startups", json={**API_GOOD, **change}, headers=bearer(token))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert count(db, Startup) == 0


def test_create_read_patch_and_list_over_the_api(app, db, client, founder, api_token):
    headers = bearer(api_token(founder))
    created = client.post("/api/v1/startups", json=API_GOOD, headers=headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["name"] == "Paxta AI" and body["region"] == "fergana" and body["founded_on"] == "2024-03-01"
    assert body["owner_id"] == founder.id and body["my_role"] == "owner" and body["members"] == []
    sid = body["id"]
    assert client.get(f"/api/v1/startups/{sid}", headers=headers).json["website"] == "https://paxta.uz"

    patched = client.patch(f"/api/v1/startups/{sid}", json={"country": "TJ", "pitch": "Now in Dushanbe"},
                           headers=headers)
    assert patched.status_code == 200, patched.json
    assert (patched.json["country"], patched.json["region"], patched.json["pitch"]) == ("TJ", None, "Now in Dushanbe")
    bad = client.patch(f"/api/v1/startups/{sid}", json={"country": "UZ"}, headers=headers)
    assert bad.status_code == 422 and bad.json["errors"]["region"] == [
        "Choose the region of Uzbekistan where the startup works."]
    db.session.expire_all()
    assert db.session.get(Startup, sid).country == "TJ"

    listed = client.get("/api/v1/startups", headers=headers)
    assert listed.status_code == 200
    assert listed.json["total"] == 1 and [s["id"] for s in listed.json["items"]] == [sid]
    assert client.get("/api/v1/startups").status_code == 401


def test_the_list_is_paginated(app, db, client, founder, api_token):
    for i in range(3):
        make_startup(db, founder, name=f"S{i}")
    headers = bearer(api_token(founder))
    page = client.get("/api/v1/startups?per_page=2&page=2", headers=headers).json
    assert (page["total"], page["pages"], page["page"], [s["name"] for s in page["items"]]) == (3, 2, 2, ["S0"])
    assert client.get("/api/v1/startups?per_page=500", headers=headers).status_code == 422


# --- the team ------------------------------------------------------------------------------------

MEMBER = {"member-name": "Dilnoza Karimova", "member-email": "dilnoza@example.org", "member-role": "CEO",
          "member-gender": "female", "member-birth_year": "2001"}


def test_add_and_remove_team_members_in_the_page(app, db, client, founder, login):
    startup = make_startup(db, founder)
    login(founder)
    response = submit(client, f"/my/startups/{startup.id}/members", MEMBER)
    assert response.status_code == 302 and response.location.endswith(f"/my/startups/{startup.id}#team")
    member = db.session.scalar(select(TeamMember))
    assert (member.name, member.email, member.role, member.gender, member.birth_year) == \
        ("Dilnoza Karimova", "dilnoza@example.org", "CEO", Gender.FEMALE, 2001)
    page = text_of(client.get(f"/my/startups/{startup.id}"))
    assert "Dilnoza Karimova is on the team." in page and "Female" in page and "2001" in page
    assert '<label class="form-label" for="member-name">Name</label>' in page

    again = submit(client, f"/my/startups/{startup.id}/members", {**MEMBER, "member-name": "Someone else",
                                                                  "member-email": "DILNOZA@example.org"})
    assert again.status_code == 422 and "dilnoza@example.org is already on the team." in text_of(again)

    gone = submit(client, f"/my/startups/{startup.id}/members/{member.id}/delete")
    assert gone.status_code == 302
    assert count(db, TeamMember) == 0
    assert "Dilnoza Karimova is no longer on the team." in text_of(client.get(f"/my/startups/{startup.id}"))


this_year = date.today().year
MEMBER_ERRORS = [
    ("name", {"member-name": ""}, "Enter the team member's name."),
    ("name", {"member-name": "n" * 121}, "Use at most 120 characters (this has 121)."),
    ("email", {"member-email": "not-an-email"}, "This is not a valid e-mail address"),
    ("role", {"member-role": "r" * 81}, "Use at most 80 characters (this has 81)."),
    ("gender", {"member-gender": "robot"}, "Choose female, male or “prefer not to say”."),
    ("birth_year", {"member-birth_year": "1900"},
     f"Enter a year of birth after 1900 and not later than {this_year}."),
    ("birth_year", {"member-birth_year": str(this_year + 1)},
     f"Enter a year of birth after 1900 and not later than {this_year}."),
]


@pytest.mark.parametrize(("field", "change", "message"), MEMBER_ERRORS, ids=case_ids(MEMBER_ERRORS))
def test_each_member_rule_in_the_page(app, db, client, founder, login, field, change, message):
    startup = make_startup(db, founder)
    login(founder)
    response = submit(client, f"/my/startups/{startup.id}/members", {**MEMBER, **change})
    assert response.status_code == 422
    body = text_of(response)
    assert message in body and f'id="member-{field}-error"' in body
    assert count(db, TeamMember) == 0


def test_team_over_the_api(app, db, client, founder, api_token):
    startup = make_startup(db, founder)
    headers = bearer(api_token(founder))
    added = client.post(f"/api/v1/startups/{startup.id}/members", headers=headers, json={
        "name": "Dilnoza", "email": "dilnoza@example.org", "role": "CEO", "gender": "female", "birth_year": 2001})
    assert added.status_code == 201, added.json
    mid = added.json["id"]
    assert added.json["gender"] == "female" and added.json["birth_year"] == 2001
    assert client.get(f"/api/v1/startups/{startup.id}", headers=headers).json["is_women_led"] is True

    patched = client.patch(f"/api/v1/startups/{startup.id}/members/{mid}", headers=headers, json={"role": "CTO"})
    assert patched.status_code == 200 and patched.json["role"] == "CTO" and patched.json["name"] == "Dilnoza"

    for body, field, message in [
        ({"name": "X", "birth_year": 1900}, "birth_year", "Must be greater than or equal to 1901"),
        ({"name": "X", "birth_year": this_year + 1}, "birth_year", "Enter a year of birth after 1900"),
        ({"name": "X", "email": "nope"}, "email", "This is not a valid e-mail address"),
        ({"name": "X", "email": "Dilnoza@Example.org"}, "email", "dilnoza@example.org is already on the team."),
        ({"name": "  "}, "name", "Enter the team member's name."),
        ({"name": "X", "gender": "robot"}, "gender", "Must be one of:"),
        ({"name": "X\x00"}, "name", "Must not contain a NUL character."),
    ]:
        response = client.post(f"/api/v1/startups/{startup.id}/members", headers=headers, json=body)
        assert response.status_code == 422, body
        assert any(message in m for m in response.json["errors"][field]), response.json
    assert count(db, TeamMember) == 1

    assert client.delete(f"/api/v1/startups/{startup.id}/members/{mid}", headers=headers).status_code == 204
    assert count(db, TeamMember) == 0
    assert client.delete(f"/api/v1/startups/{startup.id}/members/{mid}", headers=headers).status_code == 404


# --- another founder's startup: 404, never revealing it exists ----------------------------------

def test_another_founders_startup_is_a_404_in_the_pages(app, db, client, founder, other_founder, login):
    theirs = make_startup(db, other_founder, name="Their Startup", members=1)
    member_id = theirs.members[0].id
    login(founder)
    client.get("/my/")  # shows (and so clears) the welcome message
    missing = client.get("/my/startups/999999")
    assert missing.status_code == 404
    for response in (
        client.get(f"/my/startups/{theirs.id}"),
        submit(client, f"/my/startups/{theirs.id}", {**GOOD, "name": "Hijacked"}),
        submit(client, f"/my/startups/{theirs.id}/members", MEMBER),
        submit(client, f"/my/startups/{theirs.id}/members/{member_id}/delete"),
        submit(client, f"/my/startups/{theirs.id}/invite", {"invite-email": "me@example.org"}),
    ):
        assert response.status_code == 404
        assert main_of(response) == main_of(missing)
        assert "Their Startup" not in text_of(response)
    db.session.expire_all()
    assert db.session.get(Startup, theirs.id).name == "Their Startup"
    assert count(db, TeamMember) == 1
    assert last_notification("cofounder_invite", "me@example.org") is None


def test_another_founders_startup_is_a_404_over_the_api(app, db, client, founder, other_founder, api_token):
    theirs = make_startup(db, other_founder, name="Their Startup", members=1)
    member_id = theirs.members[0].id
    headers = bearer(api_token(founder))
    missing = client.get("/api/v1/startups/999999", headers=headers)
    assert missing.status_code == 404
    for response in (
        client.get(f"/api/v1/startups/{theirs.id}", headers=headers),
        client.patch(f"/api/v1/startups/{theirs.id}", json={"name": "Hijacked"}, headers=headers),
        client.post(f"/api/v1/startups/{theirs.id}/members", json={"name": "Mole"}, headers=headers),
        client.patch(f"/api/v1/startups/{theirs.id}/members/{member_id}", json={"name": "Mole"}, headers=headers),
        client.delete(f"/api/v1/startups/{theirs.id}/members/{member_id}", headers=headers),
        client.post(f"/api/v1/startups/{theirs.id}/invitations", json={"email": "me@example.org"}, headers=headers),
    ):
        assert response.status_code == 404
        assert response.json == missing.json
    assert client.get("/api/v1/startups", headers=headers).json["total"] == 0
    db.session.expire_all()
    assert db.session.get(Startup, theirs.id).name == "Their Startup"
    assert count(db, TeamMember) == 1


# --- co-founder invitations ----------------------------------------------------------------------

def _invite_in_page(client, startup, email):
    return submit(client, f"/my/startups/{startup.id}/invite", {"invite-email": email})


def test_a_cofounder_without_an_account_signs_up_accepts_and_edits(app, db, client, founder, login):
    startup = make_startup(db, founder, name="Paxta AI")
    login(founder)
    response = _invite_in_page(client, startup, "Aziz@Example.org")
    assert response.status_code == 302
    assert "The invitation is on its way to aziz@example.org. The link works for 7 days." in \
        text_of(client.get(f"/my/startups/{startup.id}"))
    note = last_notification("cofounder_invite", "aziz@example.org")
    assert note is not None and note.user_id is None and note.via_inapp is False
    assert note.subject == "You are invited to co-edit a startup"
    assert "Dilnoza Founder invites you to co-edit the startup Paxta AI" in note.body_text
    assert note.link in note.body_text and note.link in note.body_html
    path = link_path(note)
    assert path.startswith("/my/invitations/")
    client.post("/auth/logout", data={"csrf_token": csrf_from(client, "/")})

    # Anonymous: the page says what it is and sends to login or sign-up, and back here.
    page = client.get(path)
    body = text_of(page)
    assert page.status_code == 200
    assert "Dilnoza Founder invites aziz@example.org to co-edit Paxta AI" in body
    links = {urlsplit(u).path: parse_qs(urlsplit(u).query) for u in re.findall(r'href="(/auth/[^"]+)"', body)}
    assert links["/auth/login"]["next"] == [path]
    assert links["/auth/register"] == {"email": ["aziz@example.org"], "next": [path]}
    refused = client.post(path, data={"csrf_token": csrf_from(client, "/")})
    assert refused.status_code == 302 and "/auth/login" in refused.location

    # Sign up with the invited address, confirm it, log in and come back to the invitation.
    submit(client, "/auth/register", {"name": "Aziz Karimov", "email": "aziz@example.org",
                                      "password": "Samarkand-Blue-77", "locale": "en"}, token_from="/auth/register")
    client.get(link_path(last_notification("verify_email", "aziz@example.org")))
    back = submit(client, f"/auth/login?next={path}", {"email": "aziz@example.org", "password": "Samarkand-Blue-77"},
                  token_from="/auth/login")
    assert back.status_code == 302 and back.location.endswith(path)
    page = text_of(client.get(path))
    assert "Accept and join Paxta AI" in page

    accepted = submit(client, path)
    assert accepted.status_code == 302 and accepted.location.endswith(f"/my/startups/{startup.id}")
    aziz = db.session.scalar(select(User).where(User.email == "aziz@example.org"))
    collaborator = db.session.scalar(select(StartupCollaborator))
    assert (collaborator.startup_id, collaborator.user_id, collaborator.invited_by_id) == (startup.id, aziz.id, founder.id)
    member = db.session.scalar(select(TeamMember).where(TeamMember.startup_id == startup.id))
    assert (member.user_id, member.email, member.name) == (aziz.id, "aziz@example.org", "Aziz Karimov")

    # The co-founder edits the startup and sees it on their dashboard.
    edit_page = text_of(client.get(f"/my/startups/{startup.id}"))
    assert "Welcome to the team of Paxta AI" in edit_page and "Only the owner can invite co-founders." in edit_page
    edited = submit(client, f"/my/startups/{startup.id}", {**GOOD, "name": "Paxta AI", "pitch": "Edited by Aziz"})
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(Startup, startup.id).pitch == "Edited by Aziz"
    dashboard = text_of(client.get("/my/"))
    assert "Paxta AI" in dashboard and "Co-founder" in dashboard and "Dilnoza Founder" in dashboard

    # The same link again: already accepted.
    again = submit(client, path)
    assert again.status_code == 400
    assert "You have already accepted this invitation: you can edit Paxta AI." in text_of(again)
    assert count(db, StartupCollaborator) == 1


def test_an_existing_user_is_invited_and_accepts_over_the_api(app, db, client, founder, invitee, api_token):
    startup = make_startup(db, founder)
    owner = bearer(api_token(founder))
    response = client.post(f"/api/v1/startups/{startup.id}/invitations", json={"email": "aziz@example.org"},
                           headers=owner)
    assert response.status_code == 202, response.json
    assert response.json["email"] == "aziz@example.org"
    note = last_notification("cofounder_invite", "aziz@example.org")
    assert note.user_id == invitee.id and note.via_inapp is True
    assert "Log in with aziz@example.org when asked." in note.body_text
    token = link_path(note).rsplit("/", 1)[-1]

    theirs = bearer(api_token(invitee))
    assert client.get(f"/api/v1/startups/{startup.id}", headers=theirs).status_code == 404
    accepted = client.post("/api/v1/invitations/accept", json={"token": token}, headers=theirs)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["id"] == startup.id and accepted.json["my_role"] == "cofounder"
    assert [c["email"] for c in accepted.json["collaborators"]] == ["aziz@example.org"]
    assert [m["user_id"] for m in accepted.json["members"]] == [invitee.id]
    patched = client.patch(f"/api/v1/startups/{startup.id}", json={"pitch": "Co-edited"}, headers=theirs)
    assert patched.status_code == 200 and patched.json["pitch"] == "Co-edited"
    assert client.get("/api/v1/startups", headers=theirs).json["total"] == 1

    # A co-founder edits but does not hand out access.
    refused = client.post(f"/api/v1/startups/{startup.id}/invitations", json={"email": "third@example.org"},
                          headers=theirs)
    assert refused.status_code == 403 and "Only the owner" in refused.json["detail"]

    reused = client.post("/api/v1/invitations/accept", json={"token": token}, headers=theirs)
    assert reused.status_code == 422
    assert reused.json["errors"]["token"] == ["You have already accepted this invitation: you can edit Paxta AI."]


def test_an_invitation_team_member_row_is_linked_not_duplicated(app, db, founder, invitee):
    startup = make_startup(db, founder)
    services.add_member(startup, actor=founder, name="Aziz K.", email="aziz@example.org", role="CTO")
    services.invite_cofounder(startup, actor=founder, email="aziz@example.org")
    db.session.commit()
    token = link_path(last_notification("cofounder_invite", "aziz@example.org")).rsplit("/", 1)[-1]
    services.accept_invitation(token, actor=invitee)
    db.session.commit()
    members = db.session.scalars(select(TeamMember)).all()
    assert [(m.name, m.role, m.user_id) for m in members] == [("Aziz K.", "CTO", invitee.id)]


def test_an_expired_link_says_so(app, db, client, founder, invitee, login, api_token):
    startup = make_startup(db, founder)
    services.invite_cofounder(startup, actor=founder, email="aziz@example.org")
    db.session.commit()
    path = link_path(last_notification("cofounder_invite", "aziz@example.org"))
    app.config["COFOUNDER_INVITE_MAX_AGE"] = -1
    expected = "This invitation has expired: invitation links work for 1 day. " \
               "Ask the startup's owner to send you a new one."
    anonymous = client.get(path)
    assert anonymous.status_code == 400 and "This invitation has expired" in text_of(anonymous)
    login(invitee)
    page = client.get(path)
    assert page.status_code == 400 and expected in text_of(page)
    assert submit(client, path).status_code == 400
    response = client.post("/api/v1/invitations/accept", json={"token": path.rsplit("/", 1)[-1]},
                           headers=bearer(api_token(invitee)))
    assert response.status_code == 422 and response.json["errors"]["token"] == [expected]
    assert count(db, StartupCollaborator) == 0


def test_a_link_for_another_address_says_which_one(app, db, client, founder, invitee, other_founder, login,
                                                   api_token):
    startup = make_startup(db, founder)
    services.invite_cofounder(startup, actor=founder, email="aziz@example.org")
    db.session.commit()
    path = link_path(last_notification("cofounder_invite", "aziz@example.org"))
    expected = "This invitation was sent to aziz@example.org; log in with that address."
    login(other_founder)
    page = client.get(path)
    assert page.status_code == 400 and expected in text_of(page)
    assert "You are logged in as other@example.org." in text_of(page)
    posted = submit(client, path)
    assert posted.status_code == 400 and expected in text_of(posted)
    response = client.post("/api/v1/invitations/accept", json={"token": path.rsplit("/", 1)[-1]},
                           headers=bearer(api_token(other_founder)))
    assert response.status_code == 422 and response.json["errors"]["token"] == [expected]
    assert count(db, StartupCollaborator) == 0
    # The owner opening the link gets the same answer (it was not sent to them).
    owner_try = client.post("/api/v1/invitations/accept", json={"token": path.rsplit("/", 1)[-1]},
                            headers=bearer(api_token(founder)))
    assert owner_try.status_code == 422 and owner_try.json["errors"]["token"] == [expected]


def test_an_altered_link_is_not_valid(app, db, client, founder, invitee, login, api_token):
    startup = make_startup(db, founder)
    services.invite_cofounder(startup, actor=founder, email="aziz@example.org")
    db.session.commit()
    path = link_path(last_notification("cofounder_invite", "aziz@example.org"))
    login(invitee)
    page = client.get(path[:-4] + "abcd")
    assert page.status_code == 400 and "This invitation link is not valid." in text_of(page)
    # A token for a password reset or an e-mail check is not an invitation.
    from incubator.accounts.links import make_link_token

    other_kind = make_link_token("verify", invitee.id, "x")
    response = client.post("/api/v1/invitations/accept", json={"token": other_kind},
                           headers=bearer(api_token(invitee)))
    assert response.status_code == 422 and "not valid" in response.json["errors"]["token"][0]
    assert client.post("/api/v1/invitations/accept", json={"token": "a\x00b"},
                       headers=bearer(api_token(invitee))).status_code == 422
    assert count(db, StartupCollaborator) == 0


def test_removing_a_cofounder_voids_their_old_link_until_invited_again(app, db, client, founder, invitee, login):
    startup = make_startup(db, founder)
    services.invite_cofounder(startup, actor=founder, email="aziz@example.org")
    db.session.commit()
    old = link_path(last_notification("cofounder_invite", "aziz@example.org"))
    services.accept_invitation(old.rsplit("/", 1)[-1], actor=invitee)
    db.session.commit()
    collaborator = db.session.scalar(select(StartupCollaborator))

    login(founder)
    page = text_of(client.get(f"/my/startups/{startup.id}"))
    assert "Aziz Co-founder" in page and "Remove access" in page
    removed = submit(client, f"/my/startups/{startup.id}/cofounders/{collaborator.id}/delete")
    assert removed.status_code == 302
    assert count(db, StartupCollaborator) == 0
    assert "Aziz Co-founder can no longer edit Paxta AI." in text_of(client.get(f"/my/startups/{startup.id}"))

    with pytest.raises(RuleViolation) as refused:
        services.accept_invitation(old.rsplit("/", 1)[-1], actor=db.session.get(User, invitee.id))
    assert "This invitation was withdrawn" in refused.value.errors["token"][0]
    db.session.rollback()

    _invite_in_page(client, startup, "aziz@example.org")
    new = link_path(last_notification("cofounder_invite", "aziz@example.org"))
    assert new != old
    services.accept_invitation(new.rsplit("/", 1)[-1], actor=db.session.get(User, invitee.id))
    db.session.commit()
    assert count(db, StartupCollaborator) == 1
    assert count(db, TeamMember) == 1


def test_a_cofounder_can_leave(app, db, client, founder, invitee, login):
    startup = make_startup(db, founder)
    db.session.add(StartupCollaborator(startup_id=startup.id, user_id=invitee.id))
    db.session.commit()
    collaborator = db.session.scalar(select(StartupCollaborator))
    login(invitee)
    response = submit(client, f"/my/startups/{startup.id}/cofounders/{collaborator.id}/delete")
    assert response.status_code == 302 and response.location.endswith("/my/")
    assert count(db, StartupCollaborator) == 0
    assert client.get(f"/my/startups/{startup.id}").status_code == 404


def test_invitations_the_owner_cannot_send(app, db, client, founder, invitee, login):
    startup = make_startup(db, founder)
    db.session.add(StartupCollaborator(startup_id=startup.id, user_id=invitee.id))
    db.session.commit()
    login(founder)
    for email, message in [
        ("founder@example.org", "This is your own address: you already own this startup."),
        ("AZIZ@example.org", "aziz@example.org can already edit this startup."),
        ("not an address", "This is not a valid e-mail address"),
    ]:
        response = _invite_in_page(client, startup, email)
        assert response.status_code == 422
        body = text_of(response)
        assert message in body and 'id="invite-email-error"' in body
    assert last_notification("cofounder_invite", "aziz@example.org") is None

    app.config["COFOUNDER_INVITES_PER_DAY"] = 2
    for i in range(2):
        assert _invite_in_page(client, startup, f"p{i}@example.org").status_code == 302
    too_many = _invite_in_page(client, startup, "p3@example.org")
    assert too_many.status_code == 409
    assert "You have sent 2 invitations for this startup today. Try again tomorrow." in text_of(too_many)


# --- a bounded number of queries ------------------------------------------------------------------

def _portfolio(db, owner, cofounder, season, n: int) -> None:
    for i in range(n):
        startup = make_startup(db, owner, name=f"Startup {i}", members=5)
        db.session.add(StartupCollaborator(startup_id=startup.id, user_id=cofounder.id))
        db.session.add(Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id,
                                   status=Status.DRAFT))
    db.session.commit()


def _measure(db, client, path: str, headers=None) -> int:
    assert client.get(path, headers=headers).status_code == 200  # warm up (token last-used, session)
    db.session.remove()
    with count_queries() as counter:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return counter.count


def test_dashboard_and_api_list_run_the_same_queries_for_2_and_20_startups(app, db, client, founder, invitee,
                                                                          login, api_token):
    season = f.SeasonFactory()
    owner_id, cofounder_id = founder.id, invitee.id
    headers = bearer(api_token(founder))
    login(founder)
    _portfolio(db, founder, invitee, season, 2)
    few_page = _measure(db, client, "/my/")
    few_api = _measure(db, client, "/api/v1/startups?per_page=50", headers)
    _portfolio(db, db.session.get(User, owner_id), db.session.get(User, cofounder_id), season, 18)
    many_page = _measure(db, client, "/my/")
    many_api = _measure(db, client, "/api/v1/startups?per_page=50", headers)
    assert text_of(client.get("/my/")).count("Member 4") == 20
    assert len(client.get("/api/v1/startups?per_page=50", headers=headers).json["items"]) == 20
    assert few_page == many_page, (few_page, many_page)
    assert few_api == many_api, (few_api, many_api)
    assert many_page <= 12 and many_api <= 10
