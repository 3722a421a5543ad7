"""Who must NOT see an application under review: a reviewer not assigned to it, a conflicted one
(declared, added by a manager, or detected: on the team, or sharing a private e-mail domain), one
whose assignment was released, a reviewer of another program, a founder, a stranger. Each gets 404
(never 403) on the page, the API, the review, the conflict form and the downloads, and finds the
application in no list and no count."""
from __future__ import annotations

import pytest

from incubator.accounts.models import Role
from incubator.applications.states import Status
from incubator.reviews.models import AssignmentStatus, ConflictSource
from incubator.startups.models import TeamMember
from tests.integration.test_reviewing import add_application, assign, conflict, make_world
from tests.support import factories as f
from tests.support.factories_fixtures import bearer

SECRET = "Hidden Startup"


@pytest.fixture
def scene(app, db, tmp_path):
    """One stage with the secret application (assigned to its rightful reviewer) and a harmless one."""
    app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), UPLOAD_TMP_FOLDER=str(tmp_path / "spool"))
    world = make_world(db)
    secret = add_application(db, world, name=SECRET, member_email="cto@hidden-startup.uz")
    harmless = add_application(db, world, name="Visible Startup", member_email="cto@visible.uz")
    rightful = assign(db, world, secret)
    return world, secret, harmless, rightful


def _reviewer(db, world, email):
    user = f.UserFactory(email=email, name="Someone Else")
    f.grant(user, world.program, Role.REVIEWER)
    return user


def assert_hidden(client, db, login, post_form, api_token, user, world, assignment, *, own_count: int):
    """`user` gets 404 for `assignment` everywhere, and lists and counts `own_count` assignments only."""
    secret = assignment.application
    attachment_id = secret.attachments[0].id
    token = api_token(user)
    h = bearer(token)
    base = f"/api/v1/assignments/{assignment.id}"
    api_calls = [
        client.get(base, headers=h),
        client.put(f"{base}/review", json={"scores": {"team": 3}}, headers=h),
        client.post(f"{base}/conflict", json={"reason": "just looking"}, headers=h),
        client.get(f"{base}/attachments/{attachment_id}", headers=h),
    ]
    for response in api_calls:
        assert response.status_code == 404, (response.request.path, response.status_code)
        assert SECRET not in response.get_data(as_text=True)
    listing = client.get("/api/v1/assignments", headers=h).json
    assert listing["total"] == own_count and assignment.id not in [a["id"] for a in listing["items"]]
    staged = client.get(f"/api/v1/assignments?stage_id={world.stage.id}", headers=h).json
    assert staged["total"] == own_count and (staged["progress"] or {}).get("total", 0) == own_count
    assert SECRET not in str(listing) + str(staged)

    post_form("/auth/logout", {}, token_from="/")  # whoever was logged in before
    login(user)
    page = f"/review/assignments/{assignment.id}"
    for response in (client.get(page), client.get(f"{page}/files/{attachment_id}"), client.get(f"{page}/logo"),
                     post_form(page, {"score_team": "3", "action": "save"}, token_from="/review/"),
                     post_form(f"{page}/conflict", {"reason": "x"}, token_from="/review/")):
        assert response.status_code == 404, (response.request.path, response.status_code)
        assert SECRET not in response.get_data(as_text=True)
    index = client.get("/review/").get_data(as_text=True)
    assert SECRET not in index
    queue = client.get(f"/review/stages/{world.stage.id}")
    if own_count:
        text = queue.get_data(as_text=True)
        assert queue.status_code == 200 and SECRET not in text
        assert f"0 of {own_count} reviewed" in text and f"0 of {own_count} reviewed" in index
    else:
        assert queue.status_code == 404
    assert db.session.get(type(assignment), assignment.id).review is None


def test_an_unassigned_reviewer_gets_404(client, db, scene, login, post_form, api_token):
    world, secret, harmless, rightful = scene
    other = _reviewer(db, world, "unassigned@example.org")
    assign(db, world, harmless, reviewer=other)
    assert_hidden(client, db, login, post_form, api_token, other, world, rightful, own_count=1)


def test_a_reviewer_with_no_assignment_at_all_gets_404(client, db, scene, login, post_form, api_token):
    world, secret, harmless, rightful = scene
    other = _reviewer(db, world, "idle@example.org")
    assert_hidden(client, db, login, post_form, api_token, other, world, rightful, own_count=0)


@pytest.mark.parametrize("source", list(ConflictSource))
def test_a_conflicted_reviewer_gets_404_and_no_count(client, db, scene, login, post_form, api_token, source):
    world, secret, harmless, rightful = scene
    conflicted = _reviewer(db, world, "conflicted@example.org")
    mine = assign(db, world, secret, reviewer=conflicted)
    assign(db, world, harmless, reviewer=conflicted)
    conflict(db, conflicted, secret, source=source)
    assert_hidden(client, db, login, post_form, api_token, conflicted, world, mine, own_count=1)


def test_a_reviewer_on_the_team_or_sharing_its_private_domain_is_conflicted(client, db, scene, login, post_form,
                                                                          api_token):
    world, secret, harmless, rightful = scene
    on_team = _reviewer(db, world, "mentor@example.org")
    db.session.add(TeamMember(startup_id=secret.startup_id, name="Mentor", email="MENTOR@example.org", role="Advisor"))
    db.session.commit()
    mine = assign(db, world, secret, reviewer=on_team)
    assert_hidden(client, db, login, post_form, api_token, on_team, world, mine, own_count=0)

    colleague = _reviewer(db, world, "boss@hidden-startup.uz")
    theirs = assign(db, world, secret, reviewer=colleague)
    assign(db, world, harmless, reviewer=colleague)
    assert_hidden(client, db, login, post_form, api_token, colleague, world, theirs, own_count=1)


def test_a_released_assignment_is_gone(client, db, scene, login, post_form, api_token):
    world, secret, harmless, rightful = scene
    released = _reviewer(db, world, "released@example.org")
    gone = assign(db, world, secret, reviewer=released, status=AssignmentStatus.RELEASED)
    assign(db, world, harmless, reviewer=released)
    assert_hidden(client, db, login, post_form, api_token, released, world, gone, own_count=1)


def test_a_reviewer_of_another_program_gets_404_even_with_a_stray_assignment(client, db, scene, login, post_form,
                                                                           api_token):
    world, secret, harmless, rightful = scene
    elsewhere = make_world(db, program=f.ProgramFactory(name="FoundHer"),
                           reviewer=f.UserFactory(email="elsewhere@example.org"))
    outsider = elsewhere.reviewer
    stray = assign(db, world, secret, reviewer=outsider)  # no reviewer role in this program
    assert_hidden(client, db, login, post_form, api_token, outsider, world, stray, own_count=0)
    assert_hidden(client, db, login, post_form, api_token, outsider, world, rightful, own_count=0)


def test_a_withdrawn_application_leaves_the_queue(client, db, scene, login, post_form, api_token):
    world, secret, harmless, rightful = scene
    assign(db, world, harmless)
    secret.status = Status.WITHDRAWN
    db.session.commit()
    assert_hidden(client, db, login, post_form, api_token, world.reviewer, world, rightful, own_count=1)


def test_the_founder_and_a_stranger_get_404(client, db, scene, login, post_form, api_token):
    world, secret, harmless, rightful = scene
    founder = secret.startup.owner
    assert_hidden(client, db, login, post_form, api_token, founder, world, rightful, own_count=0)
    stranger = f.UserFactory(email="stranger@example.org")
    assert_hidden(client, db, login, post_form, api_token, stranger, world, rightful, own_count=0)


def test_without_a_login_the_api_says_401_and_the_page_asks_to_log_in(client, scene):
    world, secret, harmless, rightful = scene
    assert client.get(f"/api/v1/assignments/{rightful.id}").status_code == 401
    assert client.get("/api/v1/assignments").status_code == 401
    response = client.get(f"/review/assignments/{rightful.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
