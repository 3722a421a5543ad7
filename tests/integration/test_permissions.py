"""Founders cannot reach administration, and nothing leaks from it."""
from __future__ import annotations

import pytest

from tests.support.factories_fixtures import bearer

ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/organisations", "/admin/programs"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(app, client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.location


def test_founder_gets_403_and_sees_no_other_user(app, client, login, founder, admin, program, make_user):
    make_user(email="secret.reviewer@example.org", name="Secret Reviewer")
    login(founder)
    for path in ADMIN_PAGES + [f"/admin/programs/{program.id}/roles"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "secret.reviewer@example.org" not in response.get_data(as_text=True)
    # Writes are refused too, and change nothing.
    from tests.support.factories_fixtures import csrf_from

    token = csrf_from(client, "/")
    assert client.post(f"/admin/users/{admin.id}/toggle", data={"csrf_token": token, "what": "admin"}).status_code == 403
    assert client.post("/admin/organisations", data={"csrf_token": token, "name": "X", "slug": "x",
                                                     "country": "UZ"}).status_code == 403
    assert admin.is_admin


def test_manager_is_not_an_admin(app, client, login, manager):
    login(manager)
    assert client.get("/admin/users").status_code == 403


def test_admin_creates_an_organisation_a_program_and_grants_a_role(app, db, client, login, admin, post_form,
                                                                    make_user):
    reviewer = make_user(email="reviewer1@example.org", name="Reviewer One")
    login(admin)
    response = post_form("/admin/organisations", {"name": "IT Park Uzbekistan", "slug": "it-park", "country": "UZ"},
                         token_from="/admin/organisations")
    assert response.status_code == 302
    dup = post_form("/admin/organisations", {"name": "Again", "slug": "it-park", "country": "UZ"},
                    token_from="/admin/organisations")
    assert "taken" in dup.get_data(as_text=True)
    from incubator.programs.models import Organisation, Program

    org = db.session.query(Organisation).one()
    response = post_form("/admin/programs", {"organisation_id": org.id, "name": "FoundHer", "slug": "foundher",
                                             "summary": "Women founders"}, token_from="/admin/programs")
    assert response.status_code == 302
    program = db.session.query(Program).one()
    roles_page = f"/admin/programs/{program.id}/roles"
    unknown = post_form(roles_page, {"email": "nobody@example.org", "role": "reviewer"}, token_from=roles_page)
    assert "No account uses this e-mail address" in unknown.get_data(as_text=True)
    granted = post_form(roles_page, {"email": reviewer.email, "role": "reviewer"}, token_from=roles_page)
    assert granted.status_code == 302
    db.session.expire_all()
    assert [(r.program_id, r.role.value) for r in reviewer.roles] == [(program.id, "reviewer")]
    from tests.support.mail import last_notification

    note = last_notification("role_granted", reviewer.email)
    assert "FoundHer" in note.body_text


def test_admin_user_list_runs_bounded_queries(app, client, login, admin, make_user, program):
    from incubator.accounts.models import Role
    from tests.support import factories as f
    from tests.support.queries import count_queries

    counts = []
    login(admin)
    for n in (3, 30):
        for _ in range(n):
            user = make_user()
            f.grant(user, program, Role.REVIEWER)
        with count_queries() as counter:
            response = client.get("/admin/users?per_page=100")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_api_me_needs_a_token_and_shows_only_oneself(app, client, founder, admin, api_token):
    me = client.get("/api/v1/me", headers=bearer(api_token(founder))).json
    assert me["email"] == founder.email and me["is_admin"] is False
    assert admin.email not in str(me)
