"""Bulk decisions at a stage: start the review, advance / reject / waitlist selected applications or
the top N, the quota, the refused cases (each named), two managers deciding at once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.notifications.models import Notification
from incubator.programs.models import SeasonStatus
from incubator.reviews.models import Assignment, Review, ReviewStatus
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import startup_of
from tests.support.queries import count_queries


# --- Scenario -------------------------------------------------------------------------------------

def make_season(program, *, stages=2, quota=None, **kwargs):
    now = utcnow()
    season = f.SeasonFactory(program=program, name="Season 3", opens_at=now - timedelta(days=40),
                             closes_at=now - timedelta(days=1), quota=quota, timezone="Asia/Tashkent", **kwargs)
    names = [{"en": "Screening"}, {"en": "Interview"}, {"en": "Demo Day"}]
    made = []
    for position in range(1, stages + 1):
        stage = f.StageFactory(season=season, position=position, name=names[position - 1], reviews_required=1)
        f.CriterionFactory(stage=stage, key="team", scale_min=1, scale_max=5)
        made.append(stage)
    return season, made


def submitted(db, season, name, status=Status.SUBMITTED, stage=None):
    user = f.UserFactory(name=f"{name} Founder")
    startup = startup_of(user, name=name)
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=user.id, status=status,
                              submitted_at=utcnow() - timedelta(days=2),
                              current_stage_id=stage.id if stage else None)
    db.session.add(application)
    db.session.commit()
    return application


def score(db, stage, application, value, reviewer=None):
    reviewer = reviewer or f.UserFactory()
    assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, scores={"team": value}, total=float(value),
                          status=ReviewStatus.SUBMITTED, submitted_at=utcnow()))
    db.session.commit()


def in_review(db, season, stage, names_scores):
    """Applications in review at `stage`, each scored (None: no review)."""
    apps = {}
    for name, value in names_scores:
        apps[name] = submitted(db, season, name, Status.IN_REVIEW, stage)
        if value is not None:
            score(db, stage, apps[name], value)
    return apps


def status_of(db, application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


def events(db, application, kinds=("advanced", "decision", "review_started")):
    return db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.kind.in_(kinds))
        .order_by(ApplicationEvent.id)).all()


@pytest.fixture
def token(api_token, manager):
    return api_token(manager)


def decide(client, token, stage, body):
    return client.post(f"/api/v1/stages/{stage.id}/decisions", json=body, headers=bearer(token))


# --- Starting the review --------------------------------------------------------------------------

def test_start_review_moves_every_submitted_application_to_the_first_stage(app, db, client, manager, program, token):
    season, (first, _) = make_season(program)
    apps = [submitted(db, season, f"Startup {i}") for i in range(3)]
    draft = submitted(db, season, "Still a draft", Status.DRAFT)
    response = client.post(f"/api/v1/seasons/{season.id}/start-review", headers=bearer(token))
    assert response.status_code == 200, response.json
    assert response.json == {"season_id": season.id, "stage_id": first.id, "moved": 3, "season_status": "reviewing"}
    for application in apps:
        row = status_of(db, application)
        assert (row.status, row.current_stage_id) == (Status.IN_REVIEW, first.id)
        (event,) = events(db, application)
        assert (event.kind, event.from_status, event.to_status, event.actor_id, event.stage_id) == (
            "review_started", "submitted", "in_review", manager.id, first.id)
    assert status_of(db, draft).status == Status.DRAFT
    again = client.post(f"/api/v1/seasons/{season.id}/start-review", headers=bearer(token))
    assert again.status_code == 200 and again.json["moved"] == 0


def test_start_review_is_refused_while_applications_are_open(app, db, client, program, token):
    season, _ = make_season(program)
    season.closes_at = utcnow() + timedelta(days=2)
    db.session.commit()
    application = submitted(db, season, "Early")
    response = client.post(f"/api/v1/seasons/{season.id}/start-review", headers=bearer(token))
    assert response.status_code == 409
    assert "still open until" in response.json["detail"] and "Asia/Tashkent (UTC+05:00)" in response.json["detail"]
    assert status_of(db, application).status == Status.SUBMITTED


def test_closing_applications_now_starts_the_review_before_the_deadline(app, db, client, program, token):
    season, (first, _) = make_season(program)
    season.closes_at = utcnow() + timedelta(days=2)
    season.grace_minutes = 30
    db.session.commit()
    early = submitted(db, season, "Early")
    draft = submitted(db, season, "Unfinished", Status.DRAFT)
    response = client.post(f"/api/v1/seasons/{season.id}/start-review", json={"close_applications_now": True},
                           headers=bearer(token))
    assert response.status_code == 200, response.json
    assert response.json["moved"] == 1 and response.json["season_status"] == "reviewing"
    db.session.expire_all()
    refreshed = db.session.get(type(season), season.id)
    assert refreshed.closes_at <= utcnow() and refreshed.grace_minutes == 0
    assert status_of(db, early).current_stage_id == first.id
    assert status_of(db, draft).status == Status.DRAFT  # a draft stays a draft, and can no longer be submitted
    assert not refreshed.is_accepting()


def test_closing_applications_now_from_the_season_page(app, db, client, manager, program, login, post_form):
    season, (first, _) = make_season(program)
    season.closes_at = utcnow() + timedelta(days=2)
    db.session.commit()
    application = submitted(db, season, "Paxta AI")
    submitted(db, season, "Draft one", Status.DRAFT)
    login(manager)
    page = client.get(f"/manage/seasons/{season.id}/decisions").get_data(as_text=True)
    assert "Close applications now and start the review" in page
    assert "1 unfinished draft can no longer be submitted" in page
    refused = post_form(f"/manage/seasons/{season.id}/start-review",
                        token_from=f"/manage/seasons/{season.id}/decisions", follow_redirects=True)
    assert "still open until" in refused.get_data(as_text=True)
    assert status_of(db, application).status == Status.SUBMITTED
    response = post_form(f"/manage/seasons/{season.id}/start-review", {"close_applications_now": "yes"},
                         token_from=f"/manage/seasons/{season.id}/decisions", follow_redirects=True)
    assert "1 application is now in review" in response.get_data(as_text=True)
    assert status_of(db, application).current_stage_id == first.id


def test_start_review_from_the_season_page(app, db, client, manager, program, login, post_form):
    season, (first, _) = make_season(program)
    application = submitted(db, season, "Paxta AI")
    login(manager)
    page = client.get(f"/manage/seasons/{season.id}/decisions")
    assert page.status_code == 200 and "1 submitted application is waiting" in page.get_data(as_text=True)
    response = post_form(f"/manage/seasons/{season.id}/start-review", token_from=f"/manage/seasons/{season.id}/decisions",
                         follow_redirects=True)
    assert "1 application is now in review" in response.get_data(as_text=True)
    assert status_of(db, application).current_stage_id == first.id


# --- Deciding -------------------------------------------------------------------------------------

def test_bulk_advance_reject_and_waitlist(app, db, client, manager, program, token):
    season, (first, second) = make_season(program)
    apps = in_review(db, season, first, [("A", 5), ("B", 4), ("C", 3), ("D", 2), ("E", 1)])
    response = decide(client, token, first, {"items": [
        {"application_id": apps["A"].id, "decision": "advance"},
        {"application_id": apps["B"].id, "decision": "advance", "reason": "Strong team"},
        {"application_id": apps["D"].id, "decision": "waitlist"},
        {"application_id": apps["E"].id, "decision": "reject"},
    ], "reason": "Screening committee, 3 March"})
    assert response.status_code == 200, response.json
    decided = {d["application_id"]: d for d in response.json["decided"]}
    assert decided[apps["A"].id]["status"] == "in_review" and decided[apps["A"].id]["current_stage_id"] == second.id
    assert decided[apps["D"].id]["waitlist_rank"] == 4.0  # fourth on the stage's leaderboard
    assert decided[apps["E"].id]["offer"] is None
    rows = {name: status_of(db, a) for name, a in apps.items()}
    assert (rows["A"].status, rows["A"].current_stage_id) == (Status.IN_REVIEW, second.id)
    assert (rows["B"].status, rows["B"].current_stage_id) == (Status.IN_REVIEW, second.id)
    assert (rows["C"].status, rows["C"].current_stage_id) == (Status.IN_REVIEW, first.id)  # untouched
    assert rows["D"].status == Status.WAITLISTED and rows["E"].status == Status.REJECTED
    assert rows["E"].decided_at is not None
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.application_id == apps["D"].id))
    assert (entry.rank, entry.stage_id, entry.promoted_at) == (4.0, first.id, None)
    (a_event,) = events(db, apps["A"], ("advanced",))
    assert (a_event.actor_id, a_event.stage_id, a_event.reason) == (manager.id, first.id, "Screening committee, 3 March")
    (b_event,) = events(db, apps["B"], ("advanced",))
    assert b_event.reason == "Strong team"
    (e_event,) = events(db, apps["E"], ("decision",))
    assert (e_event.from_status, e_event.to_status, e_event.stage_id) == ("in_review", "rejected", first.id)
    # No decision letters here, and no offer before the last stage.
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0


def test_advancing_from_the_last_stage_accepts_and_makes_an_offer(app, db, client, manager, program, token):
    season, (_, last) = make_season(program, offer_confirmation_days=5)
    apps = in_review(db, season, last, [("Paxta AI", 5)])
    before = utcnow()
    response = decide(client, token, last, [{"application_id": apps["Paxta AI"].id, "decision": "advance"}])
    assert response.status_code == 200, response.json
    (outcome,) = response.json["decided"]
    assert outcome["status"] == "accepted" and outcome["offer"]["status"] == "open"
    assert "Asia/Tashkent (UTC+05:00)" in outcome["offer"]["deadline"]
    offer = db.session.scalar(select(Offer))
    assert offer.application_id == apps["Paxta AI"].id and not offer.promoted_from_waitlist
    assert timedelta(days=5) <= offer.deadline_at - before <= timedelta(days=5, minutes=1)
    assert status_of(db, apps["Paxta AI"]).status == Status.ACCEPTED
    kinds = [e.kind for e in events(db, apps["Paxta AI"], ("decision", "offer_made"))]
    assert kinds == ["decision", "offer_made"]
    (note,) = db.session.scalars(select(Notification)).all()
    assert note.kind == "offer_made" and note.to_email == apps["Paxta AI"].startup.owner.email
    assert "Paxta AI has been offered a place" in note.body_text
    assert f"/my/applications/{offer.application_id}/offer" in note.body_text
    assert response.json["quota"] == {"quota": None, "seats_taken": 1}


def test_top_n_takes_the_best_normalised_scores(app, db, client, program, token):
    season, (first, second) = make_season(program)
    apps = in_review(db, season, first, [("Low", 1), ("Best", 5), ("Mid", 3), ("Good", 4), ("Unscored", None)])
    response = decide(client, token, first, {"top": 2, "decision": "advance", "reason": "Top two"})
    assert response.status_code == 200, response.json
    assert sorted(d["application_id"] for d in response.json["decided"]) == sorted([apps["Best"].id, apps["Good"].id])
    assert status_of(db, apps["Mid"]).current_stage_id == first.id
    # The unscored application is never in a top, however large.
    response = decide(client, token, first, {"top": 50, "decision": "reject"})
    assert {d["application_id"] for d in response.json["decided"]} == {apps["Low"].id, apps["Mid"].id}
    assert status_of(db, apps["Unscored"]).status == Status.IN_REVIEW


def test_going_over_the_quota_needs_an_explicit_confirmation(app, db, client, program, token):
    season, (_, last) = make_season(program, quota=1)
    apps = in_review(db, season, last, [("A", 5), ("B", 4)])
    body = {"items": [{"application_id": a.id, "decision": "advance"} for a in apps.values()]}
    refused = decide(client, token, last, body)
    assert refused.status_code == 409
    assert "above the quota of 1" in refused.json["detail"] and "hold 2 seats" in refused.json["detail"]
    assert all(status_of(db, a).status == Status.IN_REVIEW for a in apps.values())
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
    confirmed = decide(client, token, last, {**body, "confirm_over_quota": True})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["quota"] == {"quota": 1, "seats_taken": 2}


def test_refused_decisions_are_each_named_and_nothing_changes(app, db, client, program, token):
    season, (first, second) = make_season(program)
    other_season, (other_stage, _) = make_season(program)
    apps = in_review(db, season, first, [("Fine", 4)])
    withdrawn = submitted(db, season, "Gone", Status.WITHDRAWN, first)
    rejected = submitted(db, season, "Done", Status.REJECTED, first)
    elsewhere = submitted(db, season, "Later", Status.IN_REVIEW, second)
    waiting = submitted(db, season, "Waiting", Status.SUBMITTED)
    foreign = submitted(db, other_season, "Foreign", Status.IN_REVIEW, other_stage)
    body = [{"application_id": apps["Fine"].id, "decision": "advance"},
            {"application_id": withdrawn.id, "decision": "reject"},
            {"application_id": rejected.id, "decision": "advance"},
            {"application_id": elsewhere.id, "decision": "advance"},
            {"application_id": waiting.id, "decision": "advance"},
            {"application_id": foreign.id, "decision": "advance"},
            {"application_id": apps["Fine"].id, "decision": "reject"}]
    response = decide(client, token, first, body)
    assert response.status_code == 409
    errors = response.json["errors"]
    assert "withdrawn by its founder" in errors[f"applications.{withdrawn.id}"][0]
    assert "already has a final decision (rejected)" in errors[f"applications.{rejected.id}"][0]
    assert "is not at the stage “Screening”" in errors[f"applications.{elsewhere.id}"][0]
    assert "start the review first" in errors[f"applications.{waiting.id}"][0]
    assert "not an application of this season" in errors[f"applications.{foreign.id}"][0]
    assert "listed twice" in errors[f"applications.{apps['Fine'].id}"][0]
    assert "Nothing was changed" in response.json["detail"]
    assert status_of(db, apps["Fine"]).current_stage_id == first.id
    assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == 0


def test_a_closed_season_refuses_decisions(app, db, client, program, token):
    season, (first, _) = make_season(program)
    apps = in_review(db, season, first, [("A", 4)])
    season.status = SeasonStatus.CLOSED
    db.session.commit()
    response = decide(client, token, first, [{"application_id": apps["A"].id, "decision": "reject"}])
    assert response.status_code == 409 and "is closed" in response.json["detail"]
    assert status_of(db, apps["A"]).status == Status.IN_REVIEW
    start = client.post(f"/api/v1/seasons/{season.id}/start-review", headers=bearer(token))
    assert start.status_code == 409


def test_bad_bodies_are_422(app, db, client, program, token):
    season, (first, _) = make_season(program)
    for body in ({}, [], {"top": 2}, {"items": [{"application_id": 1, "decision": "promote"}]},
                 {"top": 2, "decision": "advance", "items": [{"application_id": 1, "decision": "reject"}]},
                 {"items": [{"application_id": "1", "decision": "reject"}]}):
        response = decide(client, token, first, body)
        assert response.status_code == 422, (body, response.json)


def test_only_the_programs_managers_may_decide(app, db, client, program, make_user, api_token, founder):
    season, (first, _) = make_season(program)
    apps = in_review(db, season, first, [("A", 4)])
    outsider = make_user(email="other-manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    body = [{"application_id": apps["A"].id, "decision": "reject"}]
    for user in (outsider, founder, apps["A"].startup.owner):
        response = decide(client, api_token(user), first, body)
        assert response.status_code == 404, response.json
        start = client.post(f"/api/v1/seasons/{season.id}/start-review", headers=bearer(api_token(user)))
        assert start.status_code == 404
    assert client.post(f"/api/v1/stages/{first.id}/decisions", json=body).status_code == 401
    assert status_of(db, apps["A"]).status == Status.IN_REVIEW


def test_two_managers_deciding_the_same_application_at_once(app, db, program, manager, make_user, api_token):
    season, (first, second) = make_season(program)
    apps = in_review(db, season, first, [("A", 4)])
    other = make_user(email="co-manager@example.org")
    f.grant(other, program, Role.MANAGER)
    tokens = [api_token(manager), api_token(other)]
    body = [{"application_id": apps["A"].id, "decision": "advance"}]
    barrier = threading.Barrier(2)
    results = []

    def post(token):
        client = app.test_client()
        with app.app_context():
            barrier.wait()
            results.append(client.post(f"/api/v1/stages/{first.id}/decisions", json=body,
                                       headers=bearer(token)).status_code)

    threads = [threading.Thread(target=post, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200, 409], results
    assert status_of(db, apps["A"]).current_stage_id == second.id
    assert len(events(db, apps["A"], ("advanced", "decision"))) == 1


# --- The page -------------------------------------------------------------------------------------

def test_the_stage_page_decides_the_selected_applications(app, db, client, manager, program, login, post_form):
    season, (first, second) = make_season(program)
    apps = in_review(db, season, first, [("Paxta AI", 5), ("Yer Suv", 2), ("Ipak Yoli", 4)])
    login(manager)
    url = f"/manage/stages/{first.id}/decisions"
    page = client.get(url).get_data(as_text=True)
    assert page.index("Paxta AI") < page.index("Ipak Yoli") < page.index("Yer Suv")
    assert "Advancing moves an application to “Interview”" in page
    response = post_form(url, {"application_id": [apps["Paxta AI"].id, apps["Ipak Yoli"].id], "decision": "advance",
                               "reason": "Committee", "mode": "selected"}, token_from=url, follow_redirects=True)
    assert "Done: 2 advanced" in response.get_data(as_text=True)
    assert status_of(db, apps["Paxta AI"]).current_stage_id == second.id
    response = post_form(url, {"decision": "waitlist", "mode": "top", "top": "1"}, token_from=url)
    assert response.status_code == 302
    assert status_of(db, apps["Yer Suv"]).status == Status.WAITLISTED


def test_the_stage_page_asks_to_confirm_over_the_quota_and_names_refusals(app, db, client, manager, program, login,
                                                                          post_form):
    season, (_, last) = make_season(program, quota=0)
    apps = in_review(db, season, last, [("Paxta AI", 5)])
    gone = submitted(db, season, "Gone", Status.WITHDRAWN, last)
    login(manager)
    url = f"/manage/stages/{last.id}/decisions"
    response = post_form(url, {"application_id": [apps["Paxta AI"].id], "decision": "advance", "mode": "selected"},
                         token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "above the quota of 0" in page and 'aria-invalid="true"' in page
    response = post_form(url, {"application_id": [apps["Paxta AI"].id, gone.id], "decision": "advance",
                               "mode": "selected", "confirm_over_quota": "yes"}, token_from=url)
    assert response.status_code == 409 and "withdrawn by its founder" in response.get_data(as_text=True)
    response = post_form(url, {"application_id": [apps["Paxta AI"].id], "decision": "advance", "mode": "selected",
                               "confirm_over_quota": "yes"}, token_from=url, follow_redirects=True)
    assert "1 accepted with an offer" in response.get_data(as_text=True)
    assert db.session.scalar(select(Offer.status)) == OfferStatus.OPEN


def test_the_stage_page_is_404_for_other_managers(app, db, client, program, make_user, login):
    season, (first, _) = make_season(program)
    in_review(db, season, first, [("Secret Startup", 5)])
    outsider = make_user(email="other-manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="FoundHer"), Role.MANAGER)
    login(outsider)
    for url in (f"/manage/stages/{first.id}/decisions", f"/manage/seasons/{season.id}/decisions"):
        response = client.get(url)
        assert response.status_code == 404 and "Secret Startup" not in response.get_data(as_text=True)


def test_the_stage_page_runs_a_bounded_number_of_queries(app, db, client, manager, program, login):
    season, (first, _) = make_season(program)
    login(manager)
    url = f"/manage/stages/{first.id}/decisions"

    def measure():
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    in_review(db, season, first, [("A", 3), ("B", None)])
    small = measure()
    in_review(db, season, first, [(f"S{i}", i % 5 + 1) for i in range(30)])
    assert measure() == small
