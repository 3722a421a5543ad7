"""Assigning reviewers at a stage, against the database: automatic (k per application, no conflicts,
detected ones included, caps, balance, incremental, deterministic, unfilled named with why), by hand,
removal, a declared conflict releasing and refilling; the manager's page and the API; another
program's manager gets 404."""
from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db as _db
from incubator.programs.models import SeasonStatus
from incubator.reviews import assigning
from incubator.reviews.conflicts import declare_conflict
from incubator.reviews.models import (
    Assignment, AssignmentStatus, ConflictOfInterest, ConflictSource, Review, ReviewerProfile, ReviewStatus,
)
from incubator.startups.models import Startup, TeamMember
from tests.support import broker
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.queries import count_queries


# --- scenario builders (used by the other selection test modules too) ---------------------------

def make_stage(program, *, reviews_required=2, status=SeasonStatus.REVIEWING):
    season = f.SeasonFactory(program=program, status=status)
    return f.StageFactory(season=season, position=1, reviews_required=reviews_required)


def add_applications(stage, n, *, sector="agritech", locale="en", prefix="Startup", members=()):
    """n applications under review at the stage, each from its own founder (with that locale)."""
    apps = []
    for i in range(n):
        owner = f.UserFactory(locale=locale)
        startup = Startup(owner_id=owner.id, name=f"{prefix} {i + 1}", sector=sector, region="andijan")
        _db.session.add(startup)
        _db.session.flush()
        _db.session.add(TeamMember(startup_id=startup.id, user_id=owner.id, name=owner.name, email=owner.email))
        for name, email in members:
            _db.session.add(TeamMember(startup_id=startup.id, name=name, email=email))
        application = Application(season_id=stage.season_id, startup_id=startup.id, created_by_id=owner.id,
                                  status=Status.IN_REVIEW, current_stage_id=stage.id, submitted_at=utcnow())
        _db.session.add(application)
        apps.append(application)
    _db.session.commit()
    return apps


def add_reviewers(program, n, *, max_load=20, expertise=(), languages=("en",), emails=None):
    users = []
    for i in range(n):
        user = f.UserFactory(**({"email": emails[i]} if emails else {}))
        f.grant(user, program, Role.REVIEWER)
        _db.session.add(ReviewerProfile(program_id=program.id, user_id=user.id, expertise=list(expertise),
                                        languages=list(languages), max_load=max_load))
        users.append(user)
    _db.session.commit()
    return users


def active(stage) -> list[Assignment]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Assignment).where(
        Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE).order_by(Assignment.id)))


def per_app(stage) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for a in active(stage):
        out.setdefault(a.application_id, []).append(a.reviewer_id)
    return out


def submit_review(assignment):
    _db.session.add(Review(assignment_id=assignment.id, scores={"team": 4}, status=ReviewStatus.SUBMITTED,
                           submitted_at=utcnow()))
    _db.session.commit()


def other_manager(make_user):
    user = make_user(email="other-manager@example.org", name="Other Manager")
    f.grant(user, f.ProgramFactory(name="FoundHer"), Role.MANAGER)
    return user


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


# --- the automatic assignment ------------------------------------------------------------------

def test_every_application_gets_k_distinct_reviewers_balanced_within_the_maxima(app, program, manager):
    stage = make_stage(program)
    apps = add_applications(stage, 10)
    reviewers = add_reviewers(program, 4, max_load=9)
    result = assigning.auto_assign(stage, actor=manager, k=3)
    _db.session.commit()

    assignments = per_app(stage)
    assert len(result.created) == 30 and result.unfilled == []
    assert {a.id for a in apps} == set(assignments)
    assert all(len(rids) == 3 and len(set(rids)) == 3 for rids in assignments.values())
    loads = Counter(a.reviewer_id for a in active(stage))
    assert set(loads) == {r.id for r in reviewers}
    assert max(loads.values()) <= 9 and max(loads.values()) - min(loads.values()) <= 1
    row = active(stage)[0]
    assert row.is_auto and row.created_by_id == manager.id and row.reason_key == "language_match"
    assert re.fullmatch(r"language match: en; load \d+/9", row.reason)
    assert row.reason_params["max"] == 9


def test_no_reviewer_is_assigned_where_conflicted_stored_or_detected(app, program, manager):
    stage = make_stage(program)
    on_team, same_domain, declared_before, free1, free2 = add_reviewers(
        program, 5, emails=["aziz@paxta.uz", "bobur@acme.uz", "c@example.org", "d@example.org", "y@gmail.com"])
    team_app, = add_applications(stage, 1, prefix="Team", members=[("Aziz", "Aziz@Paxta.uz")])
    domain_app, = add_applications(stage, 1, prefix="Domain", members=[("Nodira", "nodira@acme.uz")])
    public_app, = add_applications(stage, 1, prefix="Gmail", members=[("X", "x@gmail.com")])
    earlier_app, = add_applications(stage, 1, prefix="Earlier")
    # A conflict declared for this startup in an earlier season holds now.
    old_season = f.SeasonFactory(program=program, status=SeasonStatus.CLOSED)
    old = Application(season_id=old_season.id, startup_id=earlier_app.startup_id, status=Status.REJECTED)
    _db.session.add(old)
    _db.session.flush()
    _db.session.add(ConflictOfInterest(reviewer_id=declared_before.id, startup_id=earlier_app.startup_id,
                                       application_id=old.id, source=ConflictSource.DECLARED, reason="my cousin"))
    _db.session.commit()

    result = assigning.auto_assign(stage, actor=manager, k=4)
    _db.session.commit()
    got = per_app(stage)
    assert on_team.id not in got[team_app.id] and len(got[team_app.id]) == 4
    assert same_domain.id not in got[domain_app.id] and len(got[domain_app.id]) == 4
    assert declared_before.id not in got[earlier_app.id] and len(got[earlier_app.id]) == 4
    assert len(got[public_app.id]) == 4
    assert result.unfilled == []
    with pytest.raises(RuleViolation) as refused:
        assigning.assign_manually(stage, domain_app, same_domain, actor=manager)
    assert refused.value.errors["reviewer_id"] == ["This reviewer has a conflict of interest with this application."]


def test_maxima_hold_and_the_short_applications_are_named_with_why(app, program, manager):
    stage = make_stage(program)
    apps = add_applications(stage, 3, prefix="Short")
    first, second = add_reviewers(program, 2, max_load=2)
    blocked, = add_applications(stage, 1, prefix="Blocked")
    for reviewer in (first, second):
        _db.session.add(ConflictOfInterest(reviewer_id=reviewer.id, startup_id=blocked.startup_id,
                                           source=ConflictSource.MANAGER))
    _db.session.commit()

    result = assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()
    loads = Counter(a.reviewer_id for a in active(stage))
    assert loads == {first.id: 2, second.id: 2}
    gaps = {g.application_id: g for g in result.unfilled}
    counts = per_app(stage)
    assert set(gaps) == {a.id for a in [*apps, blocked] if len(counts.get(a.id, [])) < 2}
    assert gaps[blocked.id].reason_key == "no_eligible_reviewers" and gaps[blocked.id].missing == 2
    assert gaps[blocked.id].startup_name == "Blocked 1"
    assert "no reviewer is free of a conflict of interest" in gaps[blocked.id].text
    short = [g for g in result.unfilled if g.application_id != blocked.id]
    assert short and all(g.reason_key == "reviewers_full" and "maximum load" in g.reason for g in short)
    assert sum(g.missing for g in short) == 3 * 2 - 4


def test_a_run_is_incremental_and_keeps_submitted_reviews(app, program, manager):
    stage = make_stage(program)
    add_applications(stage, 4)
    add_reviewers(program, 4)
    assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()
    before = {(a.id, a.application_id, a.reviewer_id) for a in active(stage)}
    submit_review(active(stage)[0])

    result = assigning.auto_assign(stage, actor=manager, k=3)
    _db.session.commit()
    after = {(a.id, a.application_id, a.reviewer_id) for a in active(stage)}
    assert before < after and len(after - before) == 4 == len(result.created)
    assert all(len(rids) == 3 for rids in per_app(stage).values())
    assert _db.session.scalar(select(Review.status)) == ReviewStatus.SUBMITTED

    again = assigning.auto_assign(stage, actor=manager, k=3)
    assert again.created == [] and again.unfilled == []


def test_the_same_input_gives_the_same_assignments(app, program, manager):
    stage = make_stage(program)
    add_applications(stage, 6, sector="edtech")
    add_applications(stage, 5, sector="agritech", locale="ru")
    add_reviewers(program, 3, expertise=("agritech",), languages=("ru",))
    add_reviewers(program, 3, expertise=("edtech",), languages=("en",))
    runs = []
    for _ in range(2):
        result = assigning.auto_assign(stage, actor=manager, k=2)
        runs.append(sorted((a.application_id, a.reviewer_id, a.reason) for a in result.created))
        _db.session.rollback()
    assert runs[0] == runs[1] and len(runs[0]) == 22


def test_sector_and_language_matches_are_preferred_and_explained(app, program, manager):
    stage = make_stage(program)
    agri, = add_applications(stage, 1, sector="agritech", locale="uz", prefix="Agri")
    edu, = add_applications(stage, 1, sector="edtech", locale="ru", prefix="Edu")
    uz_agri, = add_reviewers(program, 1, expertise=("agritech",), languages=("uz",), max_load=15)
    ru_edu, = add_reviewers(program, 1, expertise=("edtech",), languages=("ru",), max_load=15)
    assigning.auto_assign(stage, actor=manager, k=1)
    _db.session.commit()
    rows = {a.application_id: a for a in active(stage)}
    assert rows[agri.id].reviewer_id == uz_agri.id and rows[edu.id].reviewer_id == ru_edu.id
    assert rows[agri.id].reason == "sector match: agritech; language match: uz; load 1/15"
    assert rows[agri.id].reason_key == "sector_language_match"


def test_k_out_of_range_or_a_closed_season_is_refused(app, program, manager):
    stage = make_stage(program)
    with pytest.raises(RuleViolation) as bad:
        assigning.auto_assign(stage, actor=manager, k=0)
    assert "reviews_per_application" in bad.value.errors
    closed = make_stage(program, status=SeasonStatus.CLOSED)
    with pytest.raises(Conflict):
        assigning.auto_assign(closed, actor=manager, k=2)


# --- a declared conflict releases and refills --------------------------------------------------

def test_a_declared_conflict_releases_the_assignment_and_refills_the_gap(app, program, manager):
    stage = make_stage(program)
    application, = add_applications(stage, 1)
    reviewers = add_reviewers(program, 3)
    assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()
    mine = active(stage)[0]
    me = mine.reviewer

    with pytest.raises(NotFound):
        declare_conflict(mine, actor=manager, reason="not mine to declare")
    with pytest.raises(RuleViolation):
        declare_conflict(mine, actor=me, reason="   ")
    replacement = declare_conflict(mine, actor=me, reason="I mentor their CEO")
    _db.session.commit()

    _db.session.refresh(mine)
    assert mine.status == AssignmentStatus.RELEASED and mine.released_at is not None
    stored = _db.session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == me.id))
    assert (stored.source, stored.reason, stored.startup_id) == (
        ConflictSource.DECLARED, "I mentor their CEO", application.startup_id)
    left = {r.id for r in reviewers} - {me.id}
    assert replacement is not None and replacement.reviewer_id in left and replacement.is_auto
    assert sorted(per_app(stage)[application.id]) == sorted(left)
    with pytest.raises(Conflict):
        declare_conflict(mine, actor=me, reason="again")
    # Nobody left to take it: the gap stays and None comes back.
    other = active(stage)[0]
    assert declare_conflict(other, actor=other.reviewer, reason="also conflicted") is None
    _db.session.commit()
    # The next season: the stored conflicts hold for the startup.
    stage2 = make_stage(program)
    _db.session.add(Application(season_id=stage2.season_id, startup_id=application.startup_id,
                                status=Status.IN_REVIEW, current_stage_id=stage2.id))
    _db.session.commit()
    result = assigning.auto_assign(stage2, actor=manager, k=3)
    assert [a.reviewer_id for a in result.created] == sorted(left - {other.reviewer_id})
    assert result.unfilled[0].reason_key == "too_few_reviewers"


def test_a_submitted_review_cannot_be_declared_conflicted(app, program, manager):
    stage = make_stage(program)
    add_applications(stage, 1)
    add_reviewers(program, 2)
    assigning.auto_assign(stage, actor=manager, k=1)
    _db.session.commit()
    row = active(stage)[0]
    submit_review(row)
    with pytest.raises(Conflict):
        declare_conflict(row, actor=row.reviewer, reason="late")


# --- by hand, and removal ----------------------------------------------------------------------

def test_manual_assignment_applies_the_same_rules(app, program, manager, founder):
    stage = make_stage(program)
    application, = add_applications(stage, 1)
    full, free = add_reviewers(program, 2, max_load=1)
    outsider = f.UserFactory()
    other_app, = add_applications(stage, 1, prefix="Other")
    assigning.assign_manually(stage, other_app, full, actor=manager)
    _db.session.commit()

    cases = [(full, "This reviewer is at their maximum load at this stage (1/1)."),
             (outsider, "This person is not in the program's reviewer pool.")]
    for reviewer, message in cases:
        with pytest.raises(RuleViolation) as refused:
            assigning.assign_manually(stage, application, reviewer, actor=manager)
        assert refused.value.errors["reviewer_id"] == [message]
    row = assigning.assign_manually(stage, application, free, actor=manager)
    _db.session.commit()
    assert (row.reason, row.reason_key, row.is_auto) == ("assigned by hand; load 1/1", "manual", False)
    with pytest.raises(RuleViolation) as twice:
        assigning.assign_manually(stage, application, free, actor=manager)
    assert twice.value.errors["reviewer_id"] == ["This reviewer is already assigned to this application."]
    with pytest.raises(NotFound):
        assigning.assign_manually(stage, application, free, actor=founder)

    # Removed, then assigned again by hand: the same row comes back.
    assigning.remove_assignment(row, actor=manager)
    _db.session.commit()
    assert assigning.auto_assign(stage, actor=manager, k=1).unfilled[0].application_id == application.id
    again = assigning.assign_manually(stage, application, free, actor=manager)
    _db.session.commit()
    assert again.id == row.id and again.status == AssignmentStatus.ACTIVE and again.released_at is None


def test_removal_is_refused_once_the_review_is_submitted(app, program, manager, make_user):
    stage = make_stage(program)
    application, = add_applications(stage, 1)
    reviewer, = add_reviewers(program, 1)
    row = assigning.assign_manually(stage, application, reviewer, actor=manager)
    _db.session.commit()
    with pytest.raises(NotFound):
        assigning.remove_assignment(row, actor=other_manager(make_user))
    submit_review(row)
    with pytest.raises(Conflict) as refused:
        assigning.remove_assignment(row, actor=manager)
    assert "has already submitted this review" in refused.value.message


# --- the page ----------------------------------------------------------------------------------

def test_the_page_shows_reasons_and_loads_and_runs_the_assignment(client, program, manager, login, post_form):
    stage = make_stage(program)
    add_applications(stage, 3, prefix="Paxta")
    add_reviewers(program, 2, max_load=2, expertise=("agritech",))
    login(manager)
    page = client.get(f"/manage/stages/{stage.id}/assignments")
    assert page.status_code == 200 and "Paxta 1" in text_of(page) and "nobody yet" in text_of(page)

    done = post_form(f"/manage/stages/{stage.id}/assignments/auto", {"reviews_per_application": "2"},
                     token_from=f"/manage/stages/{stage.id}/assignments")
    body = text_of(done)
    assert done.status_code == 200 and "4 new assignments" in body
    assert re.search(r"\d applications? (is|are) short of reviewers", body)
    assert "all non-conflicted reviewers not yet on it are at their maximum load" in body

    page = text_of(client.get(f"/manage/stages/{stage.id}/assignments"))
    assert "sector match: Agriculture and food; language match: English; load 2/2" in page
    bad = post_form(f"/manage/stages/{stage.id}/assignments/auto", {"reviews_per_application": "99"},
                    token_from=f"/manage/stages/{stage.id}/assignments")
    assert bad.status_code == 422 and "Choose between 1 and 20 reviews per application." in text_of(bad)


def test_assign_and_remove_by_hand_in_the_page(client, program, manager, login, post_form):
    stage = make_stage(program)
    application, = add_applications(stage, 1, prefix="Paxta")
    reviewer, = add_reviewers(program, 1)
    login(manager)
    url = f"/manage/stages/{stage.id}/assignments"
    response = post_form(f"{url}/manual", {"application_id": application.id, "reviewer_id": reviewer.id},
                         token_from=url)
    assert response.status_code == 302
    assert f"{reviewer.name} now reviews Paxta 1." in text_of(client.get(url))
    row = active(stage)[0]
    response = post_form(f"{url}/{row.id}/remove", token_from=url, follow_redirects=True)
    assert f"{reviewer.name} no longer reviews Paxta 1." in text_of(response)
    assert active(stage) == []
    refused = post_form(f"{url}/manual", {"application_id": application.id, "reviewer_id": 999},
                        token_from=url, follow_redirects=True)
    assert "This person is not in the program's reviewer pool." in text_of(refused)


def test_the_page_runs_a_bounded_number_of_queries(client, program, manager, login):
    stage = make_stage(program)
    add_applications(stage, 3)
    add_reviewers(program, 2)
    assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()
    login(manager)
    url = f"/manage/stages/{stage.id}/assignments"
    client.get(url)
    _db.session.expire_all()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add_applications(stage, 30)
    add_reviewers(program, 8)
    assigning.auto_assign(stage, actor=manager, k=3)
    _db.session.commit()
    _db.session.expire_all()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count <= small.count, "\n".join(x[:90] for x in small.statements) + "\n---\n" + \
        "\n".join(x[:90] for x in large.statements)


def test_another_programs_manager_and_a_founder_get_404(client, program, manager, make_user, founder, login,
                                                        api_token, stage_api):
    stage = make_stage(program)
    application, = add_applications(stage, 1)
    reviewer, = add_reviewers(program, 1)
    row = assigning.assign_manually(stage, application, reviewer, actor=manager)
    _db.session.commit()
    outsider = other_manager(make_user)
    for user in (outsider, founder):
        with pytest.raises(NotFound):
            assigning.auto_assign(stage, actor=user, k=1)
        headers = bearer(api_token(user))
        assert stage_api.get(f"/api/v1/stages/{stage.id}/assignments", headers=headers).status_code == 404
        assert stage_api.post(f"/api/v1/stages/{stage.id}/assignments", json={"auto": True},
                              headers=headers).status_code == 404
        assert stage_api.delete(f"/api/v1/stages/{stage.id}/assignments/{row.id}",
                                headers=headers).status_code == 404
    login(outsider)
    for path in (f"/manage/stages/{stage.id}/assignments",):
        assert client.get(path).status_code == 404
    assert client.post(f"/manage/stages/{stage.id}/assignments/{row.id}/remove").status_code in (400, 404)
    assert active(stage)[0].id == row.id


# --- the API -----------------------------------------------------------------------------------

@pytest.fixture
def stage_api(client):
    """The client for /api/v1/stages/{id}/assignments (incubator.api.stage_assignments)."""
    return client


def test_the_api_assigns_automatically_by_hand_and_removes(program, manager, api_token, stage_api):
    stage = make_stage(program)
    apps = add_applications(stage, 2, prefix="Api")
    first, second = add_reviewers(program, 2, max_load=1)
    headers = bearer(api_token(manager))
    url = f"/api/v1/stages/{stage.id}/assignments"

    manual = stage_api.post(url, json={"application_id": apps[0].id, "reviewer_id": first.id}, headers=headers)
    assert manual.status_code == 201, manual.json
    assert manual.json["reason"] == "assigned by hand; load 1/1" and manual.json["reviewer_name"] == first.name
    refused = stage_api.post(url, json={"application_id": apps[1].id, "reviewer_id": first.id}, headers=headers)
    assert refused.status_code == 422
    assert refused.json["errors"]["reviewer_id"] == ["This reviewer is at their maximum load at this stage (1/1)."]
    missing = stage_api.post(url, json={"reviewer_id": first.id}, headers=headers)
    assert missing.status_code == 422 and "application_id" in missing.json["errors"]

    auto = stage_api.post(url, json={"auto": True, "reviews_per_application": 2}, headers=headers)
    assert auto.status_code == 200, auto.json
    assert auto.json["k"] == 2 and len(auto.json["created"]) == 1
    assert auto.json["loads"] == {str(first.id): 1, str(second.id): 1}
    assert {g["application_id"]: g["missing"] for g in auto.json["unfilled"]} == {apps[0].id: 1, apps[1].id: 1}
    assert all(g["reason_key"] == "reviewers_full" for g in auto.json["unfilled"])

    listed = stage_api.get(url, headers=headers)
    assert listed.status_code == 200 and listed.json["total"] == 2
    # The run's rows are written out by hand (auto_result_body): the same shape as the list gives them.
    made = auto.json["created"][0]
    assert auto.json["created_count"] == 1 and made["reviewer_name"] == second.name
    assert made == next(item for item in listed.json["items"] if item["id"] == made["id"])
    row_id = manual.json["id"]
    assert stage_api.delete(f"{url}/{row_id}", headers=headers).status_code == 204
    assert stage_api.get(f"{url}?status=released", headers=headers).json["items"][0]["id"] == row_id
    assert stage_api.delete(f"{url}/{row_id}", headers=headers).status_code == 409
    submitted = _db.session.scalar(select(Assignment).where(Assignment.stage_id == stage.id,
                                                            Assignment.status == AssignmentStatus.ACTIVE))
    submit_review(submitted)
    gone = stage_api.delete(f"{url}/{submitted.id}", headers=headers)
    assert gone.status_code == 409 and "already submitted" in gone.json["detail"]


def test_reviewers_hear_once_per_run_how_many_applications_they_got(app, program, manager, founder):
    from incubator.notifications.models import Notification

    stage = make_stage(program)
    apps = add_applications(stage, 6)
    reviewers = add_reviewers(program, 3, max_load=9)
    broker.purge("mail")
    result = assigning.auto_assign(stage, actor=manager, k=2)
    _db.session.commit()

    def messages():
        _db.session.expire_all()
        return list(_db.session.scalars(select(Notification).where(Notification.kind == "reviews_assigned")
                                        .order_by(Notification.id)))

    first = messages()
    loads = Counter(a.reviewer_id for a in result.created)
    assert sorted(m.user_id for m in first) == sorted(r.id for r in reviewers)
    for message in first:
        count = loads[message.user_id]
        assert f"{count} applications were assigned to you for review" in message.body_text
        assert "/review/stages/" in message.link and message.subject == "New applications to review"
        assert all(a.startup.name not in message.body_text + message.body_html for a in apps)
    # Sent after commit as one chunk task holding exactly the run's messages.
    assert broker.taken("mail") == [("notifications.deliver_chunk", {"notification_ids": [m.id for m in first]})]

    assigning.auto_assign(stage, actor=manager, k=2)  # nothing new: nobody hears again
    _db.session.commit()
    assert len(messages()) == len(first)

    extra = add_reviewers(program, 1, max_load=9)[0]
    target = next(a for a in apps if extra.id not in per_app(stage)[a.id])
    assigning.assign_manually(stage, target, extra, actor=manager)
    _db.session.commit()
    latest = messages()[-1]
    assert latest.user_id == extra.id and "1 application was assigned to you for review" in latest.body_text
