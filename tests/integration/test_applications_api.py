"""The founder's journey through the API: start, answer, submit, withdraw, timeline, re-apply."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from incubator.applications.models import Answer, Application, ApplicationEvent
from incubator.core.timeutil import utcnow
from incubator.notifications.models import Notification
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import GOOD_ANSWERS, add_cofounder, season_with_questions, startup_of


def _start(client, token, season, startup):
    return client.post(f"/api/v1/seasons/{season.id}/applications", json={"startup_id": startup.id},
                       headers=bearer(token))


def test_whole_journey_with_a_cofounder(app, db, client, founder, make_user, api_token):
    season = season_with_questions()
    startup = startup_of(founder)
    cofounder = make_user(name="Co Founder")
    add_cofounder(startup, cofounder)
    mine, theirs = api_token(founder), api_token(cofounder)
    started = _start(client, mine, season, startup)
    assert started.status_code == 201, started.json
    app_id = started.json["id"]
    assert started.json["status"] == "draft" and started.json["answers"] == {}
    # Two people fill different questions; neither overwrites the other.
    a = client.patch(f"/api/v1/applications/{app_id}", json={"answers": {"pitch": GOOD_ANSWERS["pitch"]}},
                     headers=bearer(mine))
    b = client.patch(f"/api/v1/applications/{app_id}", json={"answers": {
        k: v for k, v in GOOD_ANSWERS.items() if k != "pitch"}}, headers=bearer(theirs))
    assert a.status_code == b.status_code == 200
    got = client.get(f"/api/v1/applications/{app_id}", headers=bearer(mine)).json
    assert got["answers"]["pitch"] == GOOD_ANSWERS["pitch"]
    assert got["answers"]["needs"] == ["edtech"] and got["answers"]["team_size"] == "4"
    assert got["eligibility"] == []
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=bearer(theirs))
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    # Frozen now.
    frozen = client.patch(f"/api/v1/applications/{app_id}", json={"answers": {"pitch": "changed"}},
                          headers=bearer(mine))
    assert frozen.status_code == 409 and "frozen" in frozen.json["detail"]
    assert db.session.scalar(select(Answer.value).join(Answer.application).where(Application.id == app_id)
                             .where(Answer.question_id == season.questions[0].id)) == GOOD_ANSWERS["pitch"]
    # One confirmation per person of the team.
    kinds = db.session.execute(select(Notification.kind, Notification.to_email)).all()
    assert sorted(kinds) == sorted([("application_submitted", founder.email),
                                    ("application_submitted", cofounder.email)])
    timeline = client.get(f"/api/v1/applications/{app_id}/timeline", headers=bearer(mine)).json
    assert [e["kind"] for e in timeline] == ["created", "submitted"]
    assert timeline[1]["by"] == "Co Founder"
    listed = client.get("/api/v1/applications", headers=bearer(theirs)).json
    assert listed["total"] == 1 and listed["items"][0]["startup_name"] == "Paxta AI"
    withdrawn = client.post(f"/api/v1/applications/{app_id}/withdraw", json={"reason": "We joined another program"},
                            headers=bearer(mine))
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = client.post(f"/api/v1/applications/{app_id}/withdraw", json={}, headers=bearer(mine))
    assert again.status_code == 409


def test_each_invalid_answer_is_named_and_nothing_is_saved(app, db, client, founder, api_token):
    season = season_with_questions()
    startup = startup_of(founder)
    token = api_token(founder)
    app_id = _start(client, token, season, startup).json["id"]
    bad = {"pitch": "x" * 121, "problem": " ".join(["word"] * 51), "team_size": "999", "sector": "space",
           "needs": ["edtech", "mining"], "website": "not a url", "founded": "31/12/2024", "nope": "?",
           "pitch_extra": 1}
    response = client.patch(f"/api/v1/applications/{app_id}", json={"answers": bad}, headers=bearer(token))
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "121 characters, the limit is 120" in errors["pitch"][0]
    assert "51 words, the limit is 50" in errors["problem"][0]
    assert "largest allowed value is 50" in errors["team_size"][0]
    assert "Choose one of the options" in errors["sector"][0]
    assert "mining" in errors["needs"][0]
    assert "web address" in errors["website"][0]
    assert "YYYY-MM-DD" in errors["founded"][0]
    assert "no question" in errors["nope"][0]
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_submit_names_every_missing_answer_and_failed_rule(app, db, client, founder, api_token):
    program = f.ProgramFactory(name="FoundHer", eligibility_rules=[{"rule": "women_led"},
                                                                   {"rule": "founder_age", "min": 14, "max": 30}])
    season = season_with_questions(program=program)
    startup = startup_of(founder, women=False, birth_year=1980)
    token = api_token(founder)
    app_id = _start(client, token, season, startup).json["id"]
    client.patch(f"/api/v1/applications/{app_id}", json={"answers": {"pitch": "Hi"}}, headers=bearer(token))
    response = client.post(f"/api/v1/applications/{app_id}/submit", headers=bearer(token))
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"problem", "sector", "eligibility.women_led", "eligibility.founder_age"}
    assert "“The problem” is required." in errors["problem"][0]
    assert "woman" in errors["eligibility.women_led"][0]
    assert "Outside the age range" in errors["eligibility.founder_age"][0]
    assert db.session.get(Application, app_id).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_one_live_application_per_startup_and_season(app, db, client, founder, api_token):
    season = season_with_questions()
    startup = startup_of(founder)
    token = api_token(founder)
    assert _start(client, token, season, startup).status_code == 201
    second = _start(client, token, season, startup)
    assert second.status_code == 409 and "already has an application" in second.json["detail"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_another_founders_startup_and_application_are_404(app, db, client, founder, make_user, api_token):
    season = season_with_questions()
    theirs = startup_of(make_user(name="Other"), name="Secret Startup")
    other_app = Application(season_id=season.id, startup_id=theirs.id, status="draft")
    db.session.add(other_app)
    db.session.commit()
    token = api_token(founder)
    for response in (
        _start(client, token, season, theirs),
        client.get(f"/api/v1/applications/{other_app.id}", headers=bearer(token)),
        client.patch(f"/api/v1/applications/{other_app.id}", json={"answers": {"pitch": "x"}}, headers=bearer(token)),
        client.post(f"/api/v1/applications/{other_app.id}/submit", headers=bearer(token)),
        client.post(f"/api/v1/applications/{other_app.id}/withdraw", json={}, headers=bearer(token)),
        client.get(f"/api/v1/applications/{other_app.id}/timeline", headers=bearer(token)),
    ):
        assert response.status_code == 404
        assert "Secret Startup" not in response.get_data(as_text=True)
    assert client.get("/api/v1/applications", headers=bearer(token)).json["total"] == 0


def test_reapply_copies_matching_answers_not_files(app, db, client, founder, api_token):
    old_season = season_with_questions(name="Season 1")
    new_season = season_with_questions(program=old_season.program, name="Season 2")
    startup = startup_of(founder)
    token = api_token(founder)
    old_id = _start(client, token, old_season, startup).json["id"]
    client.patch(f"/api/v1/applications/{old_id}", json={"answers": GOOD_ANSWERS}, headers=bearer(token))
    response = client.post(f"/api/v1/seasons/{new_season.id}/applications",
                           json={"startup_id": startup.id, "copy_from": old_id}, headers=bearer(token))
    assert response.status_code == 201
    assert response.json["answers"] == {**GOOD_ANSWERS, "founded": "2024-03-01", "website": "https://paxta.uz"}
    kinds = db.session.scalars(select(ApplicationEvent.kind).where(
        ApplicationEvent.application_id == response.json["id"])).all()
    assert kinds == ["created", "copied"]


def test_a_closed_or_future_season_refuses_new_drafts(app, db, client, founder, api_token):
    season = season_with_questions(opens_at=utcnow() + timedelta(days=2), closes_at=utcnow() + timedelta(days=9))
    startup = startup_of(founder)
    response = _start(client, api_token(founder), season, startup)
    assert response.status_code == 409 and "opens on" in response.json["detail"]
