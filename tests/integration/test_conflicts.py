"""Conflicts of interest: detected (on the team by account or e-mail, a shared non-public e-mail
domain), declared by the reviewer, added or removed by a manager; the same answer from every
reader (detect_conflicts, is_conflicted, the SQL subquery); reasons for managers only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from incubator.applications.models import Application
from incubator.core.errors import NotFound, RuleViolation
from incubator.extensions import db as _db
from incubator.reviews import assigning, conflicts
from incubator.reviews.models import AssignmentStatus, ConflictOfInterest, ConflictSource
from incubator.startups.models import StartupCollaborator
from tests.integration.test_auto_assign import (
    active, add_applications, add_reviewers, make_stage, other_manager, per_app, text_of,
)
from tests.support.factories_fixtures import bearer


def conflicted_ids(reviewer) -> set[int]:
    return set(_db.session.scalars(select(Application.startup_id).where(
        Application.startup_id.in_(conflicts.conflicted_startup_ids(reviewer)))))


def test_detection_team_by_account_or_e_mail_and_shared_private_domains_only(app, program, manager):
    stage = make_stage(program)
    owner_rev, cofounder_rev, member_rev, domain_rev, gmail_rev, example_rev = add_reviewers(
        program, 6, emails=["owner@x.org", "co@studio.uz", "Member@Corp.uz", "boss@acme.uz", "me@gmail.com",
                            "me2@example.org"])
    owned, = add_applications(stage, 1, prefix="Owned")
    with_cofounder, = add_applications(stage, 1, prefix="Cofounded")
    with_member, = add_applications(stage, 1, prefix="Member", members=[("M", "member@corp.uz")])
    same_domain, = add_applications(stage, 1, prefix="Acme", members=[("N", "nodira@ACME.uz")])
    public, = add_applications(stage, 1, prefix="Public", members=[("G", "other@gmail.com"),
                                                                    ("E", "other@example.org")])
    owned.startup.owner_id = owner_rev.id
    _db.session.add(StartupCollaborator(startup_id=with_cofounder.startup_id, user_id=cofounder_rev.id))
    _db.session.commit()

    found = {(rid, app_id): why.key for rid, app_id, why in conflicts.detect_conflicts(stage)}
    assert found == {(owner_rev.id, owned.id): "on_team", (cofounder_rev.id, with_cofounder.id): "on_team",
                     (member_rev.id, with_member.id): "on_team", (domain_rev.id, same_domain.id): "shared_domain"}
    for (rid, app_id) in found:
        application = _db.session.get(Application, app_id)
        assert conflicts.is_conflicted(rid, application.startup_id)
        assert conflicted_ids(_db.session.get(type(owner_rev), rid)) == {application.startup_id}
    for reviewer in (gmail_rev, example_rev):
        assert not conflicts.is_conflicted(reviewer.id, public.startup_id)
        assert conflicted_ids(reviewer) == set()
    assert conflicts.is_public_domain("mail.ru") and not conflicts.is_public_domain("acme.uz")
    app.config["CONFLICT_PUBLIC_EMAIL_DOMAINS"] = ["acme.uz"]
    assert not conflicts.is_conflicted(domain_rev.id, same_domain.startup_id)


def test_a_declared_reason_must_be_given_and_sane(app, program, manager):
    stage = make_stage(program)
    add_applications(stage, 1)
    add_reviewers(program, 2)
    assigning.auto_assign(stage, actor=manager, k=1)
    _db.session.commit()
    row = active(stage)[0]
    for reason, message in (("", "Say in a few words why you are conflicted."),
                            ("a\x00b", "The reason must not contain a NUL character."),
                            ("x" * 2001, "Keep the reason under 2000 characters.")):
        with pytest.raises(RuleViolation) as bad:
            conflicts.declare_conflict(row, actor=row.reviewer, reason=reason)
        assert bad.value.errors["reason"][0].startswith(message)
    assert active(stage)[0].id == row.id


def test_a_manager_adds_a_conflict_in_the_page_which_releases_and_refills(client, program, manager, login,
                                                                          post_form):
    stage = make_stage(program)
    application, = add_applications(stage, 1, prefix="Paxta")
    first, second, third = add_reviewers(program, 3)
    assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()
    held = per_app(stage)[application.id]
    target = next(r for r in (first, second, third) if r.id in held)
    login(manager)
    url = f"/manage/programs/{program.id}/conflicts"
    page = client.get(url)
    assert page.status_code == 200 and f"Paxta 1 — {stage.season.name} (#{application.id})" in text_of(page)
    response = post_form(url, {"reviewer_id": target.id, "application_id": application.id,
                               "reason": "Board member of the startup"}, token_from=url, follow_redirects=True)
    body = text_of(response)
    assert "Recorded." in body and "Board member of the startup" in body and "added by a manager" in body
    now = per_app(stage)[application.id]
    assert target.id not in now and len(now) == 2
    stored = _db.session.scalar(select(ConflictOfInterest))
    assert (stored.source, stored.reviewer_id, stored.created_by_id) == (ConflictSource.MANAGER, target.id, manager.id)

    twice = post_form(url, {"reviewer_id": target.id, "application_id": application.id}, token_from=url)
    assert twice.status_code == 422 and "is already recorded as conflicted with Paxta 1" in text_of(twice)
    nobody = post_form(url, {"reviewer_id": "", "application_id": application.id}, token_from=url)
    assert nobody.status_code == 422 and "Choose a reviewer of this program." in text_of(nobody)

    removed = post_form(f"{url}/{stored.id}/remove", token_from=url, follow_redirects=True)
    assert "The conflict was removed." in text_of(removed)
    assert _db.session.scalar(select(ConflictOfInterest)) is None


def test_detected_conflicts_are_listed_for_managers(client, program, manager, login):
    stage = make_stage(program)
    reviewer, = add_reviewers(program, 1, emails=["boss@acme.uz"])
    add_applications(stage, 1, prefix="Acme", members=[("N", "nodira@acme.uz")])
    login(manager)
    body = text_of(client.get(f"/manage/programs/{program.id}/conflicts"))
    assert "shares the e-mail domain acme.uz with the team" in body and reviewer.name in body


def test_conflicts_over_the_api_and_their_reasons_stay_with_the_programs_managers(
        client, program, manager, make_user, founder, api_token):
    stage = make_stage(program)
    application, = add_applications(stage, 1, prefix="Paxta")
    reviewer, spare = add_reviewers(program, 2)
    assigning.assign_manually(stage, application, reviewer, actor=manager)
    _db.session.commit()
    row = active(stage)[0]
    conflicts.declare_conflict(row, actor=reviewer, reason="My sister's company")
    _db.session.commit()
    assert [a.reviewer_id for a in active(stage)] == [spare.id]

    base = f"/api/v1/programs/{program.id}/conflicts"
    headers = bearer(api_token(manager))
    listed = client.get(base, headers=headers)
    assert listed.status_code == 200 and listed.json["total"] == 1
    item = listed.json["items"][0]
    assert (item["reviewer_id"], item["startup_name"], item["source"], item["reason"]) == (
        reviewer.id, "Paxta 1", "declared", "My sister's company")

    added = client.post(base, json={"reviewer_id": spare.id, "application_id": application.id, "reason": "Investor"},
                        headers=headers)
    assert added.status_code == 201 and added.json["source"] == "manager"
    assert active(stage) == [] and _db.session.get(type(row), row.id).status == AssignmentStatus.RELEASED
    unknown = client.post(base, json={"reviewer_id": founder.id, "application_id": application.id}, headers=headers)
    assert unknown.status_code == 422 and unknown.json["errors"]["reviewer_id"] == ["Choose a reviewer of this program."]

    for user in (other_manager(make_user), reviewer, founder):
        theirs = bearer(api_token(user))
        assert client.get(base, headers=theirs).status_code == 404
        assert client.post(base, json={"reviewer_id": spare.id, "application_id": application.id},
                           headers=theirs).status_code == 404
        assert client.delete(f"{base}/{added.json['id']}", headers=theirs).status_code == 404
        with pytest.raises(NotFound):
            conflicts.add_conflict_by_manager(program, actor=user, reviewer_id=spare.id,
                                              application_id=application.id)
    assert client.delete(f"{base}/{added.json['id']}", headers=headers).status_code == 204
    assert client.get(base, headers=headers).json["total"] == 1


def test_the_conflicts_page_runs_a_bounded_number_of_queries(client, program, manager, login):
    from tests.support.queries import count_queries

    stage = make_stage(program)
    reviewers = add_reviewers(program, 2, emails=["a@acme.uz", "b@corp.uz"])
    add_applications(stage, 1, prefix="Acme", members=[("N", "n@acme.uz")])
    other, = add_applications(stage, 1)
    _db.session.add(ConflictOfInterest(reviewer_id=reviewers[1].id, startup_id=other.startup_id,
                                       source=ConflictSource.MANAGER, reason="x"))
    _db.session.commit()
    login(manager)
    url = f"/manage/programs/{program.id}/conflicts"
    client.get(url)
    _db.session.expire_all()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    more = add_reviewers(program, 5, emails=[f"r{i}@corp.uz" for i in range(5)])
    corp = add_applications(stage, 12, prefix="Corp", members=[("C", "c@corp.uz")])
    for reviewer, app_row in zip([*more, reviewers[0]], corp, strict=False):
        _db.session.add(ConflictOfInterest(reviewer_id=reviewer.id, startup_id=app_row.startup_id,
                                           source=ConflictSource.DECLARED, reason="r"))
    _db.session.commit()
    _db.session.expire_all()
    with count_queries() as large:
        body = client.get(url)
    assert body.status_code == 200 and "shares the e-mail domain corp.uz with the team" in text_of(body)
    assert large.count <= small.count


def test_the_stored_email_domain_follows_every_write_and_detection_follows_it(app, program, manager):
    """email_domain (indexed; detection looks people up by it) is set on every write: the ORM (new
    rows, a changed or cleared address) and Core bulk inserts that leave it out."""
    from sqlalchemy import insert

    from incubator.accounts.models import User
    from incubator.startups import services as startup_services
    from incubator.startups.models import TeamMember

    stage = make_stage(program)
    boss, = add_reviewers(program, 1, emails=["boss@acme.uz"])
    acme, = add_applications(stage, 1, prefix="Acme", members=[("N", "Nodira@ACME.uz ")])
    member = _db.session.scalar(select(TeamMember).where(TeamMember.startup_id == acme.startup_id,
                                                         TeamMember.name == "N"))
    assert member.email_domain == "acme.uz"
    assert conflicted_ids(boss) == {acme.startup_id}

    startup_services.update_member(member, actor=acme.startup.owner, email="nodira@elsewhere.uz")
    _db.session.commit()
    assert _db.session.scalar(select(TeamMember.email_domain).where(TeamMember.id == member.id)) == "elsewhere.uz"
    assert conflicted_ids(boss) == set() and not conflicts.is_conflicted(boss.id, acme.startup_id)
    member.email = None
    _db.session.commit()
    assert _db.session.scalar(select(TeamMember.email_domain).where(TeamMember.id == member.id)) is None

    boss.email = "Boss@Elsewhere.UZ"
    _db.session.commit()
    assert _db.session.scalar(select(User.email_domain).where(User.id == boss.id)) == "elsewhere.uz"
    _db.session.execute(insert(TeamMember), [{"startup_id": acme.startup_id, "name": "Bulk",
                                              "email": "bulk@ELSEWHERE.uz", "role": ""}])
    _db.session.commit()
    assert _db.session.scalar(select(TeamMember.email_domain).where(TeamMember.name == "Bulk")) == "elsewhere.uz"
    assert conflicted_ids(boss) == {acme.startup_id}
    found = {(rid, app_id): why.key for rid, app_id, why in conflicts.detect_conflicts(stage)}
    assert found == {(boss.id, acme.id): "shared_domain"}
