"""A closed season is read-only everywhere: every write path, through the API and through the pages,
is refused with the reason (409, code "season_closed", the season named) and nothing in the database
changes. The season is flipped to closed directly, with applications still in states that would
otherwise allow each write, so that it is the closed-season guard that refuses, not some other rule.
Outcomes are still recorded."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.applications import services as app_services
from incubator.applications.attachments import upload_attachment
from incubator.applications.models import ApplicationEvent
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.programs.models import QuestionType, SeasonStatus
from incubator.reviews.models import (
    Assignment, AssignmentStatus, ConflictOfInterest, ConflictSource, Review, ReviewerProfile, ReviewStatus,
)
from incubator.selection.models import Offer, OfferStatus
from tests.integration.test_decisions import submitted
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import startup_of
from tests.unit.test_filecheck import make_pdf

SEASON_NAME = "Autumn 2025"
REASON = f"The season “{SEASON_NAME}” is closed"
PDF = make_pdf()
# Everything a write into a season could touch.
TABLES = ("seasons", "questions", "stages", "criteria", "applications", "answers", "attachments",
          "application_events", "assignments", "reviews", "conflicts_of_interest", "offers", "waitlist_entries",
          "notifications", "letter_batches", "letter_batch_items", "jobs", "season_reports")


@dataclass
class World:
    season: object
    stage: object
    stage2: object
    founder: object           # owns the draft and a second startup
    draft: object
    attachment_id: int
    another_startup: object
    review_app: object        # in review, assigned to `reviewer` with a draft review
    second_app: object        # in review, nobody assigned
    offer_app: object         # accepted, with an open offer and an unannounced decision
    cohort_app: object        # accepted, offer confirmed
    reviewer: object
    reviewer2: object
    assignment_id: int
    conflict_id: int


def snapshot(db) -> dict:
    db.session.expire_all()
    tables = db.metadata.tables
    return {name: [tuple(row) for row in db.session.execute(
        select(tables[name]).order_by(*tables[name].primary_key.columns)).all()] for name in TABLES}


@pytest.fixture
def world(app, db, program, manager) -> World:
    now = utcnow()
    season = f.SeasonFactory(program=program, name=SEASON_NAME, status=SeasonStatus.OPEN,
                             opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=10))
    f.QuestionFactory(season=season, key="pitch", type=QuestionType.SHORT_TEXT, required=True, position=1)
    deck = f.QuestionFactory(season=season, key="deck", type=QuestionType.FILE, required=False, position=2,
                             label={"en": "Pitch deck"})
    stage = f.StageFactory(season=season, position=1, reviews_required=1, name={"en": "Screening"})
    f.CriterionFactory(stage=stage, key="team", scale_min=1, scale_max=5)
    stage2 = f.StageFactory(season=season, position=2, reviews_required=1, name={"en": "Demo Day"})
    f.CriterionFactory(stage=stage2, key="pitch", scale_min=1, scale_max=5)
    reviewers = []
    for name in ("Rustam Reviewer", "Malika Reviewer"):
        user = f.UserFactory(name=name)
        f.grant(user, program, Role.REVIEWER)
        db.session.add(ReviewerProfile(program_id=program.id, user_id=user.id, max_load=10))
        reviewers.append(user)
    db.session.commit()

    founder = f.UserFactory(name="Dilnoza Founder")
    startup = startup_of(founder, name="Draft Co")
    another = startup_of(founder, name="Another Co")
    draft = app_services.start_application(startup, season, actor=founder)
    app_services.save_answers(draft, {"pitch": "v1"}, actor=founder)
    attachment = upload_attachment(draft, deck, io.BytesIO(PDF), "deck.pdf", actor=founder)
    db.session.commit()

    review_app = submitted(db, season, "Review Co", Status.IN_REVIEW, stage)
    second_app = submitted(db, season, "Second Co", Status.IN_REVIEW, stage)
    offer_app = submitted(db, season, "Offer Co", Status.ACCEPTED, stage2)
    cohort_app = submitted(db, season, "Cohort Co", Status.ACCEPTED, stage2)
    assignment = Assignment(stage_id=stage.id, application_id=review_app.id, reviewer_id=reviewers[0].id,
                            status=AssignmentStatus.ACTIVE)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, scores={"team": 3}, status=ReviewStatus.DRAFT))
    db.session.add(ApplicationEvent(application_id=offer_app.id, actor_id=manager.id, kind="decision",
                                    from_status="in_review", to_status="accepted", stage_id=stage2.id))
    db.session.add_all([
        Offer(application_id=offer_app.id, season_id=season.id, status=OfferStatus.OPEN,
              deadline_at=now + timedelta(days=5)),
        Offer(application_id=cohort_app.id, season_id=season.id, status=OfferStatus.CONFIRMED,
              deadline_at=now + timedelta(days=5), responded_at=now)])
    conflict = ConflictOfInterest(reviewer_id=reviewers[1].id, startup_id=review_app.startup_id,
                                  application_id=review_app.id, source=ConflictSource.MANAGER, reason="")
    db.session.add(conflict)
    season.status, season.closed_at, season.closed_by_id = SeasonStatus.CLOSED, now, manager.id
    db.session.commit()
    return World(season, stage, stage2, founder, draft, attachment.id, another, review_app, second_app, offer_app,
                 cohort_app, reviewers[0], reviewers[1], assignment.id, conflict.id)


def _who(w: World, role: str, manager):
    return {"founder": w.founder, "reviewer": w.reviewer, "manager": manager,
            "offer": w.offer_app.startup.owner}[role]


# --- The API --------------------------------------------------------------------------------------
# (name, who, method, path(w), body(w) or None, multipart)

API_CASES = [
    ("answers", "founder", "patch", lambda w: f"/api/v1/applications/{w.draft.id}",
     lambda w: {"answers": {"pitch": "v2"}}),
    ("upload", "founder", "post", lambda w: f"/api/v1/applications/{w.draft.id}/attachments",
     lambda w: {"__multipart__": {"question": "deck", "file": (io.BytesIO(PDF), "deck2.pdf")}}),
    ("anonymise", "founder", "patch", lambda w: f"/api/v1/applications/{w.draft.id}/attachments/{w.attachment_id}",
     lambda w: {"is_anonymised": True}),
    ("delete file", "founder", "delete",
     lambda w: f"/api/v1/applications/{w.draft.id}/attachments/{w.attachment_id}", None),
    ("submit", "founder", "post", lambda w: f"/api/v1/applications/{w.draft.id}/submit", None),
    ("withdraw", "founder", "post", lambda w: f"/api/v1/applications/{w.draft.id}/withdraw", lambda w: {}),
    ("re-apply", "founder", "post", lambda w: f"/api/v1/seasons/{w.season.id}/applications",
     lambda w: {"startup_id": w.another_startup.id}),
    ("review save", "reviewer", "put", lambda w: f"/api/v1/assignments/{w.assignment_id}/review",
     lambda w: {"scores": {"team": 4}}),
    ("review submit", "reviewer", "put", lambda w: f"/api/v1/assignments/{w.assignment_id}/review",
     lambda w: {"scores": {"team": 4}, "recommendation": "yes", "submit": True}),
    ("declare conflict", "reviewer", "post", lambda w: f"/api/v1/assignments/{w.assignment_id}/conflict",
     lambda w: {"reason": "My cousin's startup"}),
    ("auto assign", "manager", "post", lambda w: f"/api/v1/stages/{w.stage.id}/assignments", lambda w: {"auto": True}),
    ("manual assign", "manager", "post", lambda w: f"/api/v1/stages/{w.stage.id}/assignments",
     lambda w: {"application_id": w.second_app.id, "reviewer_id": w.reviewer2.id}),
    ("remove assignment", "manager", "delete",
     lambda w: f"/api/v1/stages/{w.stage.id}/assignments/{w.assignment_id}", None),
    ("add conflict", "manager", "post", lambda w: f"/api/v1/programs/{w.season.program_id}/conflicts",
     lambda w: {"reviewer_id": w.reviewer.id, "application_id": w.second_app.id}),
    ("remove conflict", "manager", "delete",
     lambda w: f"/api/v1/programs/{w.season.program_id}/conflicts/{w.conflict_id}", None),
    ("start review", "manager", "post", lambda w: f"/api/v1/seasons/{w.season.id}/start-review", lambda w: {}),
    ("decide", "manager", "post", lambda w: f"/api/v1/stages/{w.stage.id}/decisions",
     lambda w: {"items": [{"application_id": w.second_app.id, "decision": "reject"}]}),
    ("decide top", "manager", "post", lambda w: f"/api/v1/stages/{w.stage.id}/decisions",
     lambda w: {"top": 1, "decision": "advance"}),
    ("confirm offer", "offer", "post", lambda w: f"/api/v1/applications/{w.offer_app.id}/offer/confirm", None),
    ("decline offer", "offer", "post", lambda w: f"/api/v1/applications/{w.offer_app.id}/offer/decline",
     lambda w: {"reason": "Funded"}),
    ("send letters", "manager", "post", lambda w: f"/api/v1/seasons/{w.season.id}/letters",
     lambda w: {"all_unsent": True}),
    ("season settings", "manager", "patch", lambda w: f"/api/v1/seasons/{w.season.id}",
     lambda w: {"name": "Renamed", "quota": 3}),
    ("season questions", "manager", "patch", lambda w: f"/api/v1/seasons/{w.season.id}",
     lambda w: {"questions": [{"key": "pitch", "type": "short_text", "label": {"en": "Pitch"}}]}),
    ("season stages", "manager", "patch", lambda w: f"/api/v1/seasons/{w.season.id}",
     lambda w: {"stages": [{"id": w.stage.id, "name": {"en": "Screening"},
                            "criteria": [{"key": "team", "label": {"en": "Team"}}]}]}),
    ("season status", "manager", "patch", lambda w: f"/api/v1/seasons/{w.season.id}",
     lambda w: {"status": "decided"}),
]


@pytest.mark.parametrize("name,who,method,path,body", API_CASES, ids=[c[0] for c in API_CASES])
def test_every_api_write_is_refused_on_a_closed_season(app, db, client, manager, api_token, world,
                                                       name, who, method, path, body):
    headers = bearer(api_token(_who(world, who, manager)))
    before = snapshot(db)
    payload = body(world) if body else None
    kwargs = {"headers": headers}
    if payload and "__multipart__" in payload:
        kwargs.update(data=payload["__multipart__"], content_type="multipart/form-data")
    elif payload is not None:
        kwargs["json"] = payload
    response = getattr(client, method)(path(world), **kwargs)
    assert response.status_code == 409, (name, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "season_closed", response.json
    assert REASON in response.json["detail"], response.json["detail"]
    assert snapshot(db) == before, name


# --- The pages ------------------------------------------------------------------------------------
# (name, who, path(w), form(w), token page(w))

WEB_CASES = [
    ("autosave", "founder", lambda w: f"/my/applications/{w.draft.id}/answers/pitch", lambda w: {"q_pitch": "v2"},
     lambda w: f"/my/applications/{w.draft.id}"),
    ("answers form", "founder", lambda w: f"/my/applications/{w.draft.id}/form", lambda w: {"q_pitch": "v2"},
     lambda w: f"/my/applications/{w.draft.id}"),
    ("upload", "founder", lambda w: f"/my/applications/{w.draft.id}/files/deck",
     lambda w: {"file_deck": (io.BytesIO(PDF), "deck2.pdf")},
     lambda w: f"/my/applications/{w.draft.id}"),
    ("delete file", "founder", lambda w: f"/my/applications/{w.draft.id}/files/{w.attachment_id}/delete",
     lambda w: {}, lambda w: f"/my/applications/{w.draft.id}"),
    ("anonymise", "founder", lambda w: f"/my/applications/{w.draft.id}/files/{w.attachment_id}/anonymised",
     lambda w: {"anonymised_deck": "1"}, lambda w: f"/my/applications/{w.draft.id}"),
    ("submit", "founder", lambda w: f"/my/applications/{w.draft.id}/submit", lambda w: {},
     lambda w: f"/my/applications/{w.draft.id}"),
    ("withdraw", "founder", lambda w: f"/my/applications/{w.draft.id}/withdraw", lambda w: {"confirm": "yes"},
     lambda w: f"/my/applications/{w.draft.id}"),
    ("re-apply", "founder", lambda w: f"/my/seasons/{w.season.id}/apply",
     lambda w: {"startup_id": str(w.another_startup.id)}, lambda w: f"/my/seasons/{w.season.id}/apply"),
    ("review save", "reviewer", lambda w: f"/review/assignments/{w.assignment_id}",
     lambda w: {"score_team": "4", "action": "save"}, lambda w: f"/review/assignments/{w.assignment_id}"),
    ("review submit", "reviewer", lambda w: f"/review/assignments/{w.assignment_id}",
     lambda w: {"score_team": "4", "recommendation": "yes", "action": "submit"},
     lambda w: f"/review/assignments/{w.assignment_id}"),
    ("declare conflict", "reviewer", lambda w: f"/review/assignments/{w.assignment_id}/conflict",
     lambda w: {"reason": "My cousin's startup"}, lambda w: f"/review/assignments/{w.assignment_id}"),
    ("auto assign", "manager", lambda w: f"/manage/stages/{w.stage.id}/assignments/auto",
     lambda w: {"reviews_per_application": "1"}, lambda w: f"/manage/stages/{w.stage.id}/assignments"),
    ("manual assign", "manager", lambda w: f"/manage/stages/{w.stage.id}/assignments/manual",
     lambda w: {"application_id": str(w.second_app.id), "reviewer_id": str(w.reviewer2.id)},
     lambda w: f"/manage/stages/{w.stage.id}/assignments"),
    ("remove assignment", "manager", lambda w: f"/manage/stages/{w.stage.id}/assignments/{w.assignment_id}/remove",
     lambda w: {}, lambda w: f"/manage/stages/{w.stage.id}/assignments"),
    ("add conflict", "manager", lambda w: f"/manage/programs/{w.season.program_id}/conflicts",
     lambda w: {"reviewer_id": str(w.reviewer.id), "application_id": str(w.second_app.id), "reason": ""},
     lambda w: f"/manage/programs/{w.season.program_id}/conflicts"),
    ("remove conflict", "manager", lambda w: f"/manage/programs/{w.season.program_id}/conflicts/{w.conflict_id}/remove",
     lambda w: {}, lambda w: f"/manage/programs/{w.season.program_id}/conflicts"),
    ("start review", "manager", lambda w: f"/manage/seasons/{w.season.id}/start-review", lambda w: {},
     lambda w: f"/manage/seasons/{w.season.id}/decisions"),
    ("decide", "manager", lambda w: f"/manage/stages/{w.stage.id}/decisions",
     lambda w: {"decision": "reject", "mode": "selected", "application_id": str(w.second_app.id)},
     lambda w: f"/manage/stages/{w.stage.id}/decisions"),
    ("confirm offer", "offer", lambda w: f"/my/applications/{w.offer_app.id}/offer",
     lambda w: {"action": "confirm", "sure_confirm": "yes"}, lambda w: f"/my/applications/{w.offer_app.id}/offer"),
    ("decline offer", "offer", lambda w: f"/my/applications/{w.offer_app.id}/offer",
     lambda w: {"action": "decline", "sure_decline": "yes"}, lambda w: f"/my/applications/{w.offer_app.id}/offer"),
    ("send letters", "manager", lambda w: f"/manage/seasons/{w.season.id}/letters",
     lambda w: {"action": "send", "all_unsent": "yes"}, lambda w: f"/manage/seasons/{w.season.id}/letters"),
    ("remove question", "manager", lambda w: f"/manage/seasons/{w.season.id}/questions/pitch/remove", lambda w: {},
     lambda w: f"/manage/seasons/{w.season.id}"),
    ("move question", "manager", lambda w: f"/manage/seasons/{w.season.id}/questions/pitch/move",
     lambda w: {"direction": "down"}, lambda w: f"/manage/seasons/{w.season.id}"),
    ("remove stage", "manager", lambda w: f"/manage/seasons/{w.season.id}/stages/{w.stage2.id}/remove", lambda w: {},
     lambda w: f"/manage/seasons/{w.season.id}"),
    ("season status", "manager", lambda w: f"/manage/seasons/{w.season.id}/status", lambda w: {"status": "decided"},
     lambda w: f"/manage/seasons/{w.season.id}"),
]


@pytest.mark.parametrize("name,who,path,form,token_page", WEB_CASES, ids=[c[0] for c in WEB_CASES])
def test_every_page_write_is_refused_on_a_closed_season(app, db, client, manager, login, post_form, world,
                                                        name, who, path, form, token_page):
    login(_who(world, who, manager))
    token_from = token_page(world)
    assert client.get(token_from).status_code == 200, token_from
    before = snapshot(db)
    headers = {"HX-Request": "true"} if name == "autosave" else {}
    response = post_form(path(world), form(world), token_from=token_from, follow_redirects=True, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 409, 422), (name, response.status_code)
    assert REASON in html, (name, html[:3000])
    assert snapshot(db) == before, name


# --- What is still allowed ------------------------------------------------------------------------

def test_reading_still_works_and_the_pages_say_it_is_closed(app, db, client, manager, login, api_token, world):
    token = bearer(api_token(world.reviewer))
    got = client.get(f"/api/v1/assignments/{world.assignment_id}", headers=token)
    assert got.status_code == 200
    login(world.reviewer)
    page = client.get(f"/review/assignments/{world.assignment_id}").get_data(as_text=True)
    assert "its reviews and scores can no longer change" in page


def test_outcomes_can_still_be_recorded(app, db, client, manager, api_token, world):
    if not any(rule.rule == "/api/v1/applications/<id:application_id>/outcomes" and "POST" in rule.methods
               for rule in app.url_map.iter_rules()):
        pytest.skip("the outcomes API (helper H3) is not registered yet")
    response = client.post(f"/api/v1/applications/{world.cohort_app.id}/outcomes",
                           json={"kind": "product", "occurred_on": utcnow().date().isoformat(),
                                 "link": "https://example.org/product"},
                           headers=bearer(api_token(manager)))
    assert response.status_code == 201, response.json
    assert response.json["application_id"] == world.cohort_app.id
