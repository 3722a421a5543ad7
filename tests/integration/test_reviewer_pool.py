"""A program's reviewer pool: invitations by e-mail (signed, expiring, withdrawable), accepting with an
account or creating one on the spot, expertise, languages and maximum load, taking a reviewer out;
in the pages and over the API. Another program's manager gets 404."""
from __future__ import annotations

import time
from unittest import mock

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import ProgramRole, Role, User
from incubator.core.errors import NotFound, RuleViolation
from incubator.extensions import db as _db
from incubator.notifications.models import Notification
from incubator.reviews import assigning, pools
from incubator.reviews.models import AssignmentStatus, ReviewerInvitation, ReviewerProfile
from tests.integration.test_auto_assign import (
    active, add_applications, add_reviewers, make_stage, other_manager, submit_review, text_of,
)
from tests.support import factories as f
from tests.support.factories_fixtures import bearer, csrf_from
from tests.support.mail import last_notification, link_path
from tests.support.queries import count_queries


def profile_of(program, user) -> ReviewerProfile | None:
    _db.session.expire_all()
    return _db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.program_id == program.id,
                                                            ReviewerProfile.user_id == user.id))


def invite(program, manager, email="aziz@agro.uz", **fields):
    row = pools.invite_reviewer(program, actor=manager, email=email, **{
        "expertise": ["agritech"], "languages": ["uz", "ru"], "max_load": 12, **fields})
    _db.session.commit()
    return row


def token_of(email: str) -> str:
    return link_path(last_notification("reviewer_invite", email)).rsplit("/", 1)[-1]


# --- inviting and accepting --------------------------------------------------------------------

def test_a_new_reviewer_is_invited_in_the_page_creates_an_account_and_joins(client, program, manager, login,
                                                                             post_form):
    program.default_locale = "en"  # an invitee without an account reads the program's language
    _db.session.commit()
    login(manager)
    url = f"/manage/programs/{program.id}/reviewers"
    response = post_form(url, {"email": "Aziz@Agro.uz", "expertise": ["agritech", "edtech"], "languages": ["uz"],
                               "max_load": "12"}, token_from=url, follow_redirects=True)
    assert "The invitation is on its way to aziz@agro.uz. The link works for 14 days." in text_of(response)
    assert "aziz@agro.uz" in text_of(client.get(f"{url}/invitations"))
    note = last_notification("reviewer_invite", "aziz@agro.uz")
    assert note.subject == "You are invited to review applications"
    assert f"Manager invites you to review applications for {program.name}" in note.body_text
    assert "Sectors you would review: Agriculture and food, Education." in note.body_text
    assert "At most 12 reviews per selection stage." in note.body_text
    path = link_path(note)
    assert path.startswith("/review/invitations/")

    anonymous = client.application.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200 and "You have no account yet" in text_of(page)
    assert f"/auth/register?email=aziz@agro.uz&amp;next={path}" in page.get_data(as_text=True)
    weak = anonymous.post(path, data={"csrf_token": csrf_from(anonymous, path), "name": "Aziz",
                                      "password": "short", "locale": "uz"})
    assert weak.status_code == 422 and "Use at least 10 characters." in text_of(weak)
    done = anonymous.post(path, data={"csrf_token": csrf_from(anonymous, path), "name": "Aziz Karimov",
                                      "password": f.PASSWORD, "locale": "uz"})
    assert done.status_code == 302
    user = _db.session.scalar(select(User).where(User.email == "aziz@agro.uz"))
    assert user.name == "Aziz Karimov" and user.locale == "uz" and user.is_verified
    profile = profile_of(program, user)
    assert (profile.expertise, profile.languages, profile.max_load) == (["agritech", "edtech"], ["uz"], 12)
    assert program.id in user.program_ids(Role.REVIEWER)
    assert _db.session.scalar(select(ReviewerInvitation.accepted_by_id)) == user.id
    again = anonymous.get(path)  # the page speaks the new reviewer's language: Uzbek
    from flask_babel import force_locale, gettext

    with force_locale("uz"):
        expected = gettext("You have already accepted this invitation: you review for %(program)s.",
                           program=program.name)
    assert again.status_code == 400 and expected in text_of(again)


def test_an_existing_user_is_invited_and_accepts_over_the_api(client, program, manager, make_user, api_token):
    invitee = make_user(email="malika@example.org", name="Malika")
    response = client.post(f"/api/v1/programs/{program.id}/reviewers", headers=bearer(api_token(manager)),
                           json={"email": "malika@example.org", "expertise": ["fintech"], "languages": ["en"],
                                 "max_load": 5})
    assert response.status_code == 202, response.json
    assert response.json["email"] == "malika@example.org" and response.json["accepted_at"] is None
    note = last_notification("reviewer_invite", "malika@example.org")
    assert note.user_id == invitee.id and note.via_inapp  # she has an account: in-app too
    token = token_of("malika@example.org")

    theirs = bearer(api_token(invitee))
    accepted = client.post("/api/v1/reviewer-invitations/accept", json={"token": token}, headers=theirs)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json | {"created_at": None} == {
        "user_id": invitee.id, "program_id": program.id, "name": "Malika", "email": "malika@example.org",
        "expertise": ["fintech"], "languages": ["en"], "max_load": 5, "active_assignments": 0, "created_at": None}
    reused = client.post("/api/v1/reviewer-invitations/accept", json={"token": token}, headers=theirs)
    assert reused.status_code == 422
    assert reused.json["errors"]["token"] == [f"You have already accepted this invitation: you review for {program.name}."]
    again = client.post(f"/api/v1/programs/{program.id}/reviewers", headers=bearer(api_token(manager)),
                        json={"email": "malika@example.org"})
    assert again.status_code == 422 and again.json["errors"]["email"] == [
        f"malika@example.org already reviews for {program.name}."]


def test_links_that_expired_were_altered_withdrawn_or_sent_to_someone_else_say_so(app, client, program, manager,
                                                                                  make_user, api_token):
    invitee = make_user(email="aziz@agro.uz")
    stranger = make_user(email="stranger@example.org")
    invitation = invite(program, manager)
    token = token_of("aziz@agro.uz")
    headers = bearer(api_token(stranger))
    wrong = client.post("/api/v1/reviewer-invitations/accept", json={"token": token}, headers=headers)
    assert wrong.json["errors"]["token"] == ["This invitation was sent to aziz@agro.uz; log in with that address."]
    altered = client.post("/api/v1/reviewer-invitations/accept", json={"token": token[:-3] + "abc"}, headers=headers)
    assert altered.status_code == 422 and "This invitation link is not valid." in altered.json["errors"]["token"][0]
    later = time.time() + 15 * 86400
    with mock.patch.object(time, "time", return_value=later), pytest.raises(RuleViolation) as expired:
        pools.accept_reviewer_invitation(token, actor=invitee)
    assert "This invitation has expired: invitation links work for 14 days." in expired.value.errors["token"][0]

    pools.revoke_invitation(invitation, actor=manager)
    _db.session.commit()
    page = client.get(f"/review/invitations/{token}")
    assert page.status_code == 400 and "This invitation was withdrawn." in text_of(page)
    assert profile_of(program, invitee) is None


def test_invitation_fields_are_checked_in_the_page_and_the_api(client, program, manager, login, post_form,
                                                               api_token):
    response = client.post(f"/api/v1/programs/{program.id}/reviewers", headers=bearer(api_token(manager)),
                           json={"email": "not-an-address", "expertise": ["space"], "max_load": 5000})
    assert response.status_code == 422 and set(response.json["errors"]) == {"expertise.0", "max_load"}
    response = client.post(f"/api/v1/programs/{program.id}/reviewers", headers=bearer(api_token(manager)),
                           json={"email": "not-an-address"})
    assert response.status_code == 422 and "This is not a valid e-mail address" in response.json["errors"]["email"][0]
    refused = pools.invite_reviewer
    with pytest.raises(RuleViolation) as bad:
        refused(program, actor=manager, email="x@example.org", expertise=["space"], languages=["fr"], max_load=-1)
    assert bad.value.errors == {"expertise": ["Unknown sector: space."], "languages": ["Unknown language: fr."],
                                "max_load": ["Enter a whole number of reviews from 0 to 1000."]}
    login(manager)
    url = f"/manage/programs/{program.id}/reviewers"
    page = post_form(url, {"email": "", "max_load": "abc"}, token_from=url)
    assert page.status_code == 422
    body = text_of(page)
    assert "Enter your e-mail address." in body and "Enter a whole number of reviews from 0 to 1000." in body
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == 0


# --- keeping the pool --------------------------------------------------------------------------

def test_a_manager_edits_a_reviewer_in_the_page_and_the_api(client, program, manager, login, post_form, api_token):
    reviewer, = add_reviewers(program, 1, max_load=20, languages=("en",))
    login(manager)
    url = f"/manage/programs/{program.id}/reviewers/{reviewer.id}"
    assert reviewer.name in text_of(client.get(f"/manage/programs/{program.id}/reviewers"))
    response = post_form(url, {"expertise": ["edtech"], "languages": ["ru", "uz"], "max_load": "7"}, token_from=url)
    assert response.status_code == 302
    profile = profile_of(program, reviewer)
    assert (profile.expertise, profile.languages, profile.max_load) == (["edtech"], ["ru", "uz"], 7)
    headers = bearer(api_token(manager))
    patched = client.patch(f"/api/v1/programs/{program.id}/reviewers/{reviewer.id}", json={"max_load": 3},
                           headers=headers)
    assert patched.status_code == 200 and patched.json["max_load"] == 3 and patched.json["expertise"] == ["edtech"]
    listed = client.get(f"/api/v1/programs/{program.id}/reviewers", headers=headers)
    assert listed.json["total"] == 1 and listed.json["items"][0]["user_id"] == reviewer.id
    bad = client.patch(f"/api/v1/programs/{program.id}/reviewers/{reviewer.id}", json={"languages": ["fr"]},
                       headers=headers)
    assert bad.status_code == 422 and profile_of(program, reviewer).languages == ["ru", "uz"]


def test_removing_a_reviewer_releases_open_assignments_and_keeps_submitted_reviews(client, program, manager,
                                                                                   api_token):
    stage = make_stage(program)
    first, second = add_applications(stage, 2)
    reviewer, = add_reviewers(program, 1)
    done = assigning.assign_manually(stage, first, reviewer, actor=manager)
    open_one = assigning.assign_manually(stage, second, reviewer, actor=manager)
    _db.session.commit()
    submit_review(done)
    response = client.delete(f"/api/v1/programs/{program.id}/reviewers/{reviewer.id}",
                             headers=bearer(api_token(manager)))
    assert response.status_code == 204
    assert [a.id for a in active(stage)] == [done.id]
    assert _db.session.get(type(open_one), open_one.id).status == AssignmentStatus.RELEASED
    assert profile_of(program, reviewer) is None
    assert not _db.session.scalar(select(ProgramRole.id).where(ProgramRole.user_id == reviewer.id))


def test_a_role_holder_is_added_to_the_pool_in_the_page(client, program, manager, make_user, login, post_form):
    holder = make_user(email="holder@example.org", name="Role Holder")
    f.grant(holder, program, Role.REVIEWER)
    login(manager)
    url = f"/manage/programs/{program.id}/reviewers"
    assert "Reviewers not in the pool yet" in text_of(client.get(url))
    response = post_form(f"{url}/{holder.id}/add", token_from=url, follow_redirects=True)
    assert "Role Holder is in the pool: set their expertise and languages." in text_of(response)
    assert profile_of(program, holder).max_load == pools.DEFAULT_MAX_LOAD
    stranger = make_user(email="stranger@example.org")
    with pytest.raises(RuleViolation):
        pools.add_to_pool(program, stranger, actor=manager)


def test_another_programs_manager_and_a_founder_get_404(client, program, manager, make_user, founder, api_token,
                                                        login):
    reviewer, = add_reviewers(program, 1)
    invitation = invite(program, manager)
    outsider = other_manager(make_user)
    for user in (outsider, founder):
        headers = bearer(api_token(user))
        base = f"/api/v1/programs/{program.id}"
        assert client.post(f"{base}/reviewers", json={"email": "a@b.uz"}, headers=headers).status_code == 404
        assert client.get(f"{base}/reviewers", headers=headers).status_code == 404
        assert client.get(f"{base}/reviewers/{reviewer.id}", headers=headers).status_code == 404
        assert client.patch(f"{base}/reviewers/{reviewer.id}", json={"max_load": 1}, headers=headers).status_code \
            == 404
        assert client.delete(f"{base}/reviewers/{reviewer.id}", headers=headers).status_code == 404
        assert client.get(f"{base}/reviewer-invitations", headers=headers).status_code == 404
        assert client.delete(f"{base}/reviewer-invitations/{invitation.id}", headers=headers).status_code == 404
        with pytest.raises(NotFound):
            pools.invite_reviewer(program, actor=user, email="x@example.org")
    login(outsider)
    for path in ("reviewers", "reviewers/invitations", f"reviewers/{reviewer.id}", "conflicts"):
        assert client.get(f"/manage/programs/{program.id}/{path}").status_code == 404
    assert profile_of(program, reviewer) is not None and _db.session.get(ReviewerInvitation, invitation.id)


def test_the_pool_page_runs_a_bounded_number_of_queries(client, program, manager, login):
    add_reviewers(program, 2)
    login(manager)
    url = f"/manage/programs/{program.id}/reviewers"
    client.get(url)
    _db.session.expire_all()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add_reviewers(program, 20)
    for i in range(8):
        invite(program, manager, email=f"pending{i}@example.org")
    _db.session.expire_all()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count <= small.count + 1  # + the pending invitations' page, empty before


def test_the_demo_reviewers_get_profiles_in_their_programs_once(app, program, make_user):
    from incubator.demo.reviewers import seed_reviewer_pools

    second = f.ProgramFactory(name="Tumaris.Tech")
    one = make_user(email="reviewer1@example.org")
    two = make_user(email="reviewer2@example.org")
    for user, programs in ((one, (program, second)), (two, (second,))):
        for p in programs:
            f.grant(user, p, Role.REVIEWER)
    assert seed_reviewer_pools() == 3
    _db.session.commit()
    assert seed_reviewer_pools() == 0
    first = profile_of(program, one)
    assert (first.expertise, first.languages, first.max_load) == (["agritech", "cleantech"], ["uz", "ru"], 50)
    assert profile_of(second, two).languages == ["uz", "ru", "en"]
    assert profile_of(program, two) is None
