"""The selection issue's "done when", on `make run`'s demo data: a manager takes the open InnoX
season from submissions to offers and letters, and the demo reviewers score, entirely through the
API (this file) and entirely in the web pages (the second test)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from incubator.accounts.api_tokens import issue_token
from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.demo.seed import seed_demo
from incubator.extensions import db as _db
from incubator.letters.models import LetterBatch
from incubator.notifications.models import Notification
from incubator.programs.models import Season
from incubator.reviews.models import Assignment, AssignmentStatus
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from tests.support.factories_fixtures import bearer
from tests.support.letters import run_send_batches

AUTUMN = "season-3-autumn-2025"
REVIEWERS = [f"reviewer{i}@example.org" for i in range(1, 11)]


def token_for(email: str) -> dict:
    user = _db.session.scalar(select(User).where(User.email == email))
    _, raw = issue_token(user, name="walkthrough")
    _db.session.commit()
    return bearer(raw)


def autumn() -> Season:
    return _db.session.scalar(select(Season).where(Season.slug == AUTUMN))


def score_for(assignment_id: int, position: int) -> int:
    """A spread of scores that differs by application and by reviewer."""
    return 1 + (assignment_id * 7 + position * 3) % 5


@pytest.fixture
def demo(app):
    seed_demo()
    _db.session.commit()
    return autumn()


def test_the_demo_season_goes_from_submissions_to_offers_and_letters_through_the_api(client, demo):
    manager = token_for("manager@example.org")
    reviewers = {email: token_for(email) for email in REVIEWERS}
    open_seasons = client.get("/api/v1/seasons?status=open&per_page=50").json["items"]
    season_id = next(s["id"] for s in open_seasons if s["program_name"] == "InnoX")
    stages = client.get(f"/api/v1/seasons/{season_id}").json["stages"]
    assert [s["position"] for s in stages] == [1, 2, 3]
    waiting = _db.session.scalar(select(func.count()).select_from(Application).where(
        Application.season_id == season_id, Application.status == Status.SUBMITTED))

    refused = client.post(f"/api/v1/seasons/{season_id}/start-review", headers=manager)
    assert refused.status_code == 409 and refused.json["code"] == "still_open"
    started = client.post(f"/api/v1/seasons/{season_id}/start-review", json={"close_applications_now": True},
                          headers=manager)
    assert started.status_code == 200 and started.json["moved"] == waiting > 0

    plan = [(stages[0], 60, "advance"), (stages[1], 55, "advance"), (stages[2], 50, "advance")]
    for stage, top, decision in plan:
        k = _assign_and_review(client, manager, reviewers, stage)
        board = client.get(f"/api/v1/stages/{stage['id']}/leaderboard?per_page=200", headers=manager).json
        rows = board["items"]
        assert rows and all(r["review_count"] == k for r in rows if r["status"] == "in_review")
        ranks = [r["rank"] for r in rows]
        assert ranks == sorted(ranks)
        decided = client.post(f"/api/v1/stages/{stage['id']}/decisions",
                              json={"top": top, "decision": decision, "reason": "Top of the stage"}, headers=manager)
        assert decided.status_code == 200, decided.json
        assert len(decided.json["decided"]) == top
        rest = [r["application_id"] for r in client.get(
            f"/api/v1/stages/{stage['id']}/leaderboard?per_page=200&status=in_review", headers=manager).json["items"]]
        if stage is stages[2]:
            items = [{"application_id": i, "decision": "waitlist"} for i in rest[:3]] + [
                {"application_id": i, "decision": "reject"} for i in rest[3:]]
        else:
            items = [{"application_id": i, "decision": "reject"} for i in rest]
        if items:
            below = client.post(f"/api/v1/stages/{stage['id']}/decisions", json={"items": items, "reason": "Below the line"},
                                headers=manager)
            assert below.status_code == 200, below.json

    offers = list(_db.session.scalars(select(Offer).where(Offer.season_id == season_id)))
    assert len(offers) == 50 and {o.status for o in offers} == {OfferStatus.OPEN}
    assert _db.session.scalar(select(func.count()).select_from(WaitlistEntry).where(
        WaitlistEntry.season_id == season_id)) == 3

    preview = client.post(f"/api/v1/seasons/{season_id}/letters", json={"dry_run": True, "all_unsent": True},
                          headers=manager)
    assert preview.status_code == 200 and preview.json["letters"] > 0 and preview.json["samples"]
    sent = client.post(f"/api/v1/seasons/{season_id}/letters", json={"all_unsent": True}, headers=manager)
    assert sent.status_code == 202, sent.json
    assert sent.json["batch_id"] in run_send_batches()  # what a worker does with the task the request queued
    job = client.get(f"/api/v1/jobs/{sent.json['job']['id']}", headers=manager)
    assert job.status_code == 200 and job.json["total"] == preview.json["letters"]
    batch = _db.session.get(LetterBatch, sent.json["batch_id"])
    assert batch is not None
    queued = _db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "decision_letter"))
    assert queued == preview.json["letters"]
    again = client.post(f"/api/v1/seasons/{season_id}/letters", json={"dry_run": True, "all_unsent": True},
                        headers=manager)
    assert again.json["letters"] == 0  # nothing is sent twice

    offer = offers[0]
    application = _db.session.get(Application, offer.application_id)
    founder = token_for(application.startup.owner.email)
    confirmed = client.post(f"/api/v1/applications/{application.id}/offer/confirm", headers=founder)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"


def _assign_and_review(client, manager, reviewers, stage) -> int:
    """Assign the stage automatically, then every demo reviewer scores everything in their queue."""
    # One review per application keeps the walk-through quick; the stage asks for more (tested elsewhere).
    run = client.post(f"/api/v1/stages/{stage['id']}/assignments", json={"auto": True, "reviews_per_application": 1},
                      headers=manager)
    assert run.status_code in (200, 201), run.json
    assert run.json["unfilled"] == [], run.json["unfilled"]
    k = 1
    for email, headers in reviewers.items():
        page = client.get(f"/api/v1/assignments?stage_id={stage['id']}&state=todo&per_page=200", headers=headers).json
        for item in page["items"]:
            detail = client.get(f"/api/v1/assignments/{item['id']}", headers=headers).json
            scores = {c["key"]: score_for(item["id"], i) for i, c in enumerate(detail["criteria"])}
            saved = client.put(f"/api/v1/assignments/{item['id']}/review", headers=headers, json={
                "scores": scores, "recommendation": "yes" if sum(scores.values()) > 15 else "no",
                "feedback": "Clear problem; talk to more customers.", "private_note": "Solid team.", "submit": True})
            assert saved.status_code == 200, (email, saved.json)
        after = client.get(f"/api/v1/assignments?stage_id={stage['id']}", headers=headers).json
        if after["total"]:
            assert after["progress"]["submitted"] == after["progress"]["total"] == after["total"]
    active = _db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.stage_id == stage["id"], Assignment.status == AssignmentStatus.ACTIVE))
    assert active % k == 0
    return k


@pytest.fixture
def login_as(app, client, login, post_form):
    """Log in as a demo user (the login rate limit is off: this walk-through logs in some 30 times)."""
    from incubator.extensions import limiter

    was = limiter.enabled
    limiter.enabled = False

    def _login(email: str):
        post_form("/auth/logout")
        user = _db.session.scalar(select(User).where(User.email == email))
        user.locale = "en"  # the demo staff read Uzbek or Russian; the assertions read English
        _db.session.commit()
        login(user, password=app.config["DEMO_PASSWORD"])

    yield _login
    limiter.enabled = was


def test_the_demo_season_goes_the_same_way_in_the_web_pages(client, demo, login_as, post_form):
    season = demo
    stages = sorted(season.stages, key=lambda s: s.position)
    login_as("manager@example.org")
    page = client.get(f"/manage/seasons/{season.id}/decisions").get_data(as_text=True)
    assert "Close applications now and start the review" in page
    moved = post_form(f"/manage/seasons/{season.id}/start-review", {"close_applications_now": "yes"},
                      token_from=f"/manage/seasons/{season.id}/decisions", follow_redirects=True)
    assert re.search(r"\d+ applications are now in review", moved.get_data(as_text=True))

    for stage, top in ((stages[0], 40), (stages[1], 30), (stages[2], 25)):
        login_as("manager@example.org")
        run = post_form(f"/manage/stages/{stage.id}/assignments/auto", {"reviews_per_application": "1"},
                        token_from=f"/manage/stages/{stage.id}/assignments")
        assert run.status_code == 200, run.get_data(as_text=True)[:2000]
        assert _db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.stage_id == stage.id)) > 0
        for email in REVIEWERS:
            login_as(email)
            _review_queue_in_pages(client, post_form, stage)
        login_as("manager@example.org")
        board = client.get(f"/manage/stages/{stage.id}/leaderboard?top={top}").get_data(as_text=True)
        assert "cut line" in board.lower()
        decided = post_form(f"/manage/stages/{stage.id}/decisions", {"mode": "top", "top": str(top),
                                                                       "decision": "advance",
                                                                       "reason": "Top of the stage",
                                                                       "confirm_over_quota": "yes"},
                            token_from=f"/manage/stages/{stage.id}/decisions", follow_redirects=True)
        assert decided.status_code == 200, decided.get_data(as_text=True)[:2000]

    assert _db.session.scalar(select(func.count()).select_from(Offer).where(Offer.season_id == season.id)) == 25
    url = f"/manage/seasons/{season.id}/letters"
    assert "Announce decisions" in client.get(url).get_data(as_text=True)
    confirm = post_form(url, {"all_unsent": "yes", "action": "confirm"}, token_from=url).get_data(as_text=True)
    assert "Send the letters?" in confirm
    sent = post_form(url, {"all_unsent": "yes", "action": "send"}, token_from=url)
    assert sent.status_code == 302 and "/letter-batches/" in sent.headers["Location"]
    assert run_send_batches()  # what a worker does with the task the request queued
    progress = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'id="letter-progress"' in progress
    assert _db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "decision_letter")) > 25


def _review_queue_in_pages(client, post_form, stage) -> None:
    queue = client.get(f"/review/stages/{stage.id}?state=todo&per_page=200").get_data(as_text=True)
    for assignment_id in sorted(set(int(i) for i in re.findall(r"/review/assignments/(\d+)", queue))):
        url = f"/review/assignments/{assignment_id}"
        form = client.get(url).get_data(as_text=True)
        if "score_" not in form:
            continue
        keys = sorted(set(re.findall(r'name="score_([a-z0-9_]+)"', form)))
        data = {f"score_{key}": str(score_for(assignment_id, i)) for i, key in enumerate(keys)}
        data.update(recommendation="yes", feedback="Good start.", private_note="", action="submit")
        response = post_form(url, data, token_from=url)
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:1000]
