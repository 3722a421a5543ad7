"""The season builder (managers), API and pages: create, edit, validation (each refusal names its field
and stores nothing), answered questions (relabelled, never removed nor retyped), stages with work at
them, status moves, copying, and the denials (another program's manager: 404; a founder: 403/404)."""
from __future__ import annotations

import copy
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Answer, Application, Attachment
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow, zone
from incubator.programs.models import Criterion, Question, QuestionType, Season, SeasonStatus, Stage
from incubator.reviews.models import Assignment, Review, ReviewStatus
from tests.support import factories as f
from tests.support.clock import frozen
from tests.support.factories_fixtures import bearer, csrf_from
from tests.support.journey import draft, startup_of
from tests.support.queries import count_queries

TZ = zone("Asia/Tashkent")


def _iso(days: int, hour: int = 18) -> str:
    moment = (utcnow() + timedelta(days=days)).astimezone(TZ)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def season_doc(**overrides) -> dict:
    doc = {
        "name": "InnoX Season 4", "slug": "season-4",
        "description": {"en": "Fourth call", "ru": "Четвёртый набор", "uz": "Toʻrtinchi qabul"},
        "opens_at": _iso(5), "closes_at": _iso(35), "timezone": "Asia/Tashkent", "grace_minutes": 30,
        "quota": 40, "offer_confirmation_days": 5,
        "questions": [
            {"key": "pitch", "type": "short_text", "required": True, "max_chars": 140,
             "label": {"en": "Your startup in one sentence", "ru": "Ваш стартап в одном предложении"},
             "help_text": {"en": "What, for whom, why."}},
            {"key": "sector", "type": "choice", "required": True, "label": {"en": "Sector"},
             "options": [{"value": "agritech", "label": {"en": "Agritech", "ru": "Агротех"}},
                         {"value": "edtech", "label": {"en": "Edtech"}},
                         {"value": "fintech", "label": {"en": "Fintech"}}]},
            {"key": "team_size", "type": "number", "label": {"en": "Team size"}, "min_value": "1",
             "max_value": 20, "shown_in_blind": False},
            {"key": "deck", "type": "file", "label": {"en": "Pitch deck"}},
        ],
        "stages": [
            {"position": 1, "name": {"en": "Screening", "ru": "Отбор"}, "reviews_required": 3, "is_blind": True,
             "review_deadline": _iso(45), "reviewers_see_others": False, "disagreement_threshold": "1.5",
             "criteria": [
                 {"key": "team", "label": {"en": "Team"}, "weight": "2", "scale_min": 1, "scale_max": 5},
                 {"key": "market", "label": {"en": "Market"}, "description": {"en": "Size and need"},
                  "weight": 1.5, "scale_min": 0, "scale_max": 10},
             ]},
            {"position": 2, "name": {"en": "Interview"}, "reviews_required": 2, "review_deadline": _iso(60),
             "reviewers_see_others": True, "criteria": [{"key": "pitch", "label": {"en": "Pitch"}}]},
        ],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def manager_token(api_token, manager):
    return bearer(api_token(manager))


@pytest.fixture
def other_program_manager(make_user):
    other = make_user(email="other-manager@example.org", name="Other Manager")
    f.grant(other, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    return other


def _create(client, program, headers, **overrides):
    return client.post(f"/api/v1/programs/{program.id}/seasons", json=season_doc(**overrides), headers=headers)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _answer(db, season, founder, key, value):
    """A draft application of a founder's startup answering one question."""
    startup = startup_of(founder, name=f"Startup {key}")
    application = draft(startup, season, founder)
    question = next(q for q in season.questions if q.key == key)
    db.session.add(Answer(application_id=application.id, question_id=question.id, value=value))
    db.session.commit()
    return application


# ------------------------------------------------------------------ API: create, read
def test_create_season_stores_the_whole_document(app, db, client, program, manager_token):
    response = _create(client, program, manager_token)
    assert response.status_code == 201, response.json
    body = response.json
    season = db.session.get(Season, body["id"])
    assert (season.name, season.slug, season.status, season.timezone) == (
        "InnoX Season 4", "season-4", SeasonStatus.DRAFT, "Asia/Tashkent")
    assert (season.grace_minutes, season.quota, season.offer_confirmation_days) == (30, 40, 5)
    assert season.closes_at.astimezone(TZ).hour == 18 and season.closes_at.tzinfo is not None
    assert season.description["ru"] == "Четвёртый набор"
    assert [(q.key, q.type, q.position) for q in season.questions] == [
        ("pitch", QuestionType.SHORT_TEXT, 1), ("sector", QuestionType.CHOICE, 2),
        ("team_size", QuestionType.NUMBER, 3), ("deck", QuestionType.FILE, 4)]
    assert season.questions[0].max_chars == 140 and season.questions[0].required is True
    assert season.questions[1].options[0] == {"value": "agritech", "label": {"en": "Agritech", "ru": "Агротех"}}
    assert season.questions[2].min_value == Decimal(1) and season.questions[2].shown_in_blind is False
    screening, interview = season.stages
    assert (screening.position, screening.reviews_required, screening.is_blind) == (1, 3, True)
    assert screening.disagreement_threshold == Decimal("1.5") and interview.reviewers_see_others is True
    assert [(c.key, c.weight, c.scale_min, c.scale_max) for c in screening.criteria] == [
        ("team", Decimal(2), 1, 5), ("market", Decimal("1.5"), 0, 10)]
    assert screening.criteria[1].description == {"en": "Size and need"}
    # The document answered: times with offsets, decimals as strings, which questions are answered.
    assert body["status"] == "draft" and body["slug"] == "season-4" and body["application_counts"] == {}
    assert body["questions"][1]["options"][1]["value"] == "edtech"
    assert body["questions"][0]["has_answers"] is False
    assert body["stages"][0]["criteria"][1]["weight"] == "1.500"
    assert body["stages"][0]["disagreement_threshold"] == "1.50"
    assert body["closes_at"].endswith("+00:00")


def test_slug_defaults_from_the_name(app, db, client, program, manager_token):
    doc = season_doc(name="InnoX Season 5 (2026)")
    doc.pop("slug")
    response = client.post(f"/api/v1/programs/{program.id}/seasons", json=doc, headers=manager_token)
    assert response.status_code == 201, response.json
    assert response.json["slug"] == "innox-season-5-2026"


def test_drafts_are_for_managers_only(app, db, client, program, manager_token):
    season_id = _create(client, program, manager_token).json["id"]
    assert client.get(f"/api/v1/seasons/{season_id}").status_code == 404
    mine = client.get(f"/api/v1/manage/seasons/{season_id}", headers=manager_token)
    assert mine.status_code == 200 and mine.json["name"] == "InnoX Season 4"
    listed = client.get("/api/v1/manage/seasons", headers=manager_token).json
    assert [s["id"] for s in listed["items"]] == [season_id] and listed["total"] == 1


def _drop(path):
    def change(doc):
        target = doc
        *parents, last = path
        for part in parents:
            target = target[part]
        del target[last]
    return change


def _set(path, value):
    def change(doc):
        target = doc
        *parents, last = path
        for part in parents:
            target = target[part]
        target[last] = value
    return change


INVALID = [
    ("closes before opens", _set(["closes_at"], _iso(2)), "closes_at"),
    ("time without offset", _set(["opens_at"], "2026-03-01T18:00:00"), "opens_at"),
    ("not a time", _set(["closes_at"], "next friday"), "closes_at"),
    ("unknown time zone", _set(["timezone"], "Mars/Olympus_Mons"), "timezone"),
    ("negative grace", _set(["grace_minutes"], -5), "grace_minutes"),
    ("no seats", _set(["quota"], 0), "quota"),
    ("no days to confirm an offer", _set(["offer_confirmation_days"], 0), "offer_confirmation_days"),
    ("bad slug", _set(["slug"], "Season 4!"), "slug"),
    ("weight zero", _set(["stages", 0, "criteria", 0, "weight"], "0"), "stages.0.criteria.0.weight"),
    ("weight negative", _set(["stages", 0, "criteria", 1, "weight"], -1), "stages.0.criteria.1.weight"),
    ("scale upside down", _set(["stages", 0, "criteria", 1, "scale_max"], 0), "stages.0.criteria.1.scale_max"),
    ("criterion keys twice", _set(["stages", 0, "criteria", 1, "key"], "team"), "stages.0.criteria.1.key"),
    ("criterion without label", _set(["stages", 1, "criteria", 0, "label"], {}), "stages.1.criteria.0.label"),
    ("deadline before the close", _set(["stages", 0, "review_deadline"], _iso(20)), "stages.0.review_deadline"),
    ("deadlines out of order", _set(["stages", 1, "review_deadline"], _iso(40)), "stages.1.review_deadline"),
    ("deadline without offset", _set(["stages", 1, "review_deadline"], "2030-01-01T10:00"),
     "stages.1.review_deadline"),
    ("positions twice", _set(["stages", 1, "position"], 1), "stages.1.position"),
    ("no reviews", _set(["stages", 0, "reviews_required"], 0), "stages.0.reviews_required"),
    ("stage without name", _drop(["stages", 1, "name"]), "stages.1.name"),
    ("question keys twice", _set(["questions", 1, "key"], "pitch"), "questions.1.key"),
    ("key not slug-like", _set(["questions", 0, "key"], "Your Pitch"), "questions.0.key"),
    ("question without label", _set(["questions", 3, "label"], {"en": "  "}), "questions.3.label"),
    ("label in an unknown language", _set(["questions", 0, "label", "fr"], "Pitch"), "questions.0.label.fr"),
    ("length limit of a number", _set(["questions", 2, "max_chars"], 10), "questions.2.max_chars"),
    ("length limit zero", _set(["questions", 0, "max_chars"], 0), "questions.0.max_chars"),
    ("range upside down", _set(["questions", 2, "min_value"], "50"), "questions.2.max_value"),
    ("choice without options", _set(["questions", 1, "options"], []), "questions.1.options"),
    ("options twice", _set(["questions", 1, "options", 2, "value"], "agritech"), "questions.1.options.2.value"),
    ("options on a text", _set(["questions", 0, "options"], [{"value": "a"}]), "questions.0.options"),
    ("unknown type", _set(["questions", 0, "type"], "essay"), "questions.0.type"),
]


@pytest.mark.parametrize("change,field", [(c, p) for _, c, p in INVALID], ids=[n for n, _, _ in INVALID])
def test_invalid_document_names_the_field_and_stores_nothing(app, db, client, program, manager_token, change,
                                                              field):
    doc = season_doc()
    change(doc)
    response = client.post(f"/api/v1/programs/{program.id}/seasons", json=doc, headers=manager_token)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json["errors"]
    assert _count(db, Season) == 0 and _count(db, Question) == 0 and _count(db, Stage) == 0


def test_every_broken_rule_is_reported_at_once(app, db, client, program, manager_token):
    doc = season_doc(closes_at=_iso(1))
    doc["stages"][0]["criteria"][0]["weight"] = "0"
    doc["questions"][0]["max_chars"] = 0
    errors = client.post(f"/api/v1/programs/{program.id}/seasons", json=doc, headers=manager_token).json["errors"]
    assert {"closes_at", "stages.0.criteria.0.weight", "questions.0.max_chars"} <= set(errors)


def test_slug_is_unique_in_the_program(app, db, client, program, manager_token):
    assert _create(client, program, manager_token).status_code == 201
    response = _create(client, program, manager_token, name="Again")
    assert response.status_code == 422 and "slug" in response.json["errors"]
    assert _count(db, Season) == 1


# ------------------------------------------------------------------ API: edit
def test_patch_changes_only_the_keys_given(app, db, client, program, manager_token):
    season_id = _create(client, program, manager_token).json["id"]
    response = client.patch(f"/api/v1/seasons/{season_id}", json={"quota": 25, "grace_minutes": 0},
                            headers=manager_token)
    assert response.status_code == 200, response.json
    season = db.session.get(Season, season_id)
    db.session.refresh(season)
    assert (season.quota, season.grace_minutes, season.offer_confirmation_days) == (25, 0, 5)
    assert len(season.questions) == 4 and len(season.stages) == 2 and len(season.stages[0].criteria) == 2


def test_patch_replaces_lists_matching_keys_and_stages(app, db, client, program, manager_token):
    body = _create(client, program, manager_token).json
    season_id, stage_ids = body["id"], [s["id"] for s in body["stages"]]
    question_ids = {q.key: q.id for q in db.session.get(Season, season_id).questions}
    questions = [body["questions"][1], body["questions"][0], {"key": "website", "type": "url", "label": {"en": "Site"}}]
    stages = copy.deepcopy(body["stages"])
    stages[0]["position"], stages[1]["position"] = 2, 1  # swap by id, deadlines with them
    stages[0]["review_deadline"], stages[1]["review_deadline"] = stages[1]["review_deadline"], stages[0]["review_deadline"]
    stages[1]["criteria"].append({"key": "vision", "label": {"en": "Vision"}, "weight": "0.5"})
    response = client.patch(f"/api/v1/seasons/{season_id}", json={"questions": questions, "stages": stages},
                            headers=manager_token)
    assert response.status_code == 200, response.json
    season = db.session.get(Season, season_id)
    db.session.expire_all()
    assert [q.key for q in season.questions] == ["sector", "pitch", "website"]
    assert {q.key: q.id for q in season.questions if q.key != "website"} == {
        "sector": question_ids["sector"], "pitch": question_ids["pitch"]}
    assert [(s.id, s.position) for s in season.stages] == [(stage_ids[1], 1), (stage_ids[0], 2)]
    assert [c.key for c in season.stages[0].criteria] == ["pitch", "vision"]
    assert _count(db, Question) == 3


def test_moving_the_close_past_a_review_deadline_is_refused(app, db, client, program, manager_token):
    season_id = _create(client, program, manager_token).json["id"]
    response = client.patch(f"/api/v1/seasons/{season_id}", json={"closes_at": _iso(50)}, headers=manager_token)
    assert response.status_code == 422 and "stages.0.review_deadline" in response.json["errors"]
    db.session.expire_all()
    assert db.session.get(Season, season_id).closes_at.isoformat() != _iso(50)


def test_answered_question_can_be_relabelled_not_removed_or_retyped(app, db, client, program, manager_token,
                                                                    founder):
    body = _create(client, program, manager_token).json
    season = db.session.get(Season, body["id"])
    _answer(db, season, founder, "sector", "agritech")
    _answer(db, season, founder, "pitch", None)  # an empty answer is not an answer
    questions = copy.deepcopy(body["questions"])
    url = f"/api/v1/seasons/{season.id}"

    removed = client.patch(url, json={"questions": [q for q in questions if q["key"] != "sector"]},
                           headers=manager_token)
    assert removed.status_code == 422 and "sector" in removed.json["errors"]["questions"][0]

    retyped = copy.deepcopy(questions)
    retyped[1]["type"] = "multi_choice"
    retyped[1]["label"] = {"en": "Changed with it"}
    response = client.patch(url, json={"questions": retyped}, headers=manager_token)
    assert response.status_code == 422 and "questions.1.type" in response.json["errors"]

    option_gone = copy.deepcopy(questions)
    option_gone[1]["options"] = option_gone[1]["options"][1:]
    response = client.patch(url, json={"questions": option_gone}, headers=manager_token)
    assert response.status_code == 422 and "agritech" in response.json["errors"]["questions.1.options"][0]

    db.session.expire_all()
    assert season.questions[1].label == {"en": "Sector"} and season.questions[1].type == QuestionType.CHOICE
    assert len(season.questions[1].options) == 3

    relabelled = copy.deepcopy(questions)
    relabelled[1]["label"] = {"en": "Your sector", "uz": "Sohangiz"}
    relabelled[1]["options"] = [o for o in relabelled[1]["options"] if o["value"] != "fintech"]  # unused
    relabelled = [q for q in relabelled if q["key"] != "pitch"]  # answered with nothing: may go
    response = client.patch(url, json={"questions": relabelled}, headers=manager_token)
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert [q.key for q in season.questions] == ["sector", "team_size", "deck"]
    assert season.questions[0].label == {"en": "Your sector", "uz": "Sohangiz"}
    assert [o["value"] for o in season.questions[0].options] == ["agritech", "edtech"]
    assert response.json["questions"][0]["has_answers"] is True


def test_question_with_an_uploaded_file_cannot_be_removed(app, db, client, program, manager_token, founder):
    body = _create(client, program, manager_token).json
    season = db.session.get(Season, body["id"])
    application = draft(startup_of(founder), season, founder)
    deck = next(q for q in season.questions if q.key == "deck")
    db.session.add(Attachment(application_id=application.id, question_id=deck.id, storage_key="k" * 40,
                              original_name="deck.pdf", content_type="application/pdf", extension="pdf", size=10,
                              sha256="0" * 64))
    db.session.commit()
    response = client.patch(f"/api/v1/seasons/{season.id}",
                            json={"questions": [q for q in body["questions"] if q["key"] != "deck"]},
                            headers=manager_token)
    assert response.status_code == 422 and "deck" in response.json["errors"]["questions"][0]
    assert _count(db, Question) == 4


def test_stage_with_reviews_stays_and_its_scored_criterion_too(app, db, client, program, manager_token, founder,
                                                               make_user):
    body = _create(client, program, manager_token).json
    season = db.session.get(Season, body["id"])
    application = draft(startup_of(founder), season, founder)
    reviewer = make_user(email="reviewer@example.org")
    assignment = Assignment(stage_id=season.stages[0].id, application_id=application.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, scores={"team": 4}, status=ReviewStatus.SUBMITTED))
    db.session.commit()
    url = f"/api/v1/seasons/{season.id}"
    stages = copy.deepcopy(body["stages"])

    response = client.patch(url, json={"stages": stages[1:]}, headers=manager_token)
    assert response.status_code == 422 and "stages" in response.json["errors"]

    unscored_gone = copy.deepcopy(stages)
    unscored_gone[0]["criteria"] = unscored_gone[0]["criteria"][:1]
    assert client.patch(url, json={"stages": unscored_gone}, headers=manager_token).status_code == 200

    scored_gone = copy.deepcopy(unscored_gone)
    scored_gone[0]["criteria"] = [{"key": "market", "label": {"en": "Market"}}]
    response = client.patch(url, json={"stages": scored_gone}, headers=manager_token)
    assert response.status_code == 422 and "stages.0.criteria" in response.json["errors"]

    rescaled = copy.deepcopy(unscored_gone)
    rescaled[0]["criteria"][0]["scale_max"] = 10
    response = client.patch(url, json={"stages": rescaled}, headers=manager_token)
    assert response.status_code == 422 and "stages.0.criteria.0.scale_min" in response.json["errors"]

    reweighted = copy.deepcopy(unscored_gone)
    reweighted[0]["criteria"][0]["weight"] = "3"
    assert client.patch(url, json={"stages": reweighted}, headers=manager_token).status_code == 200
    db.session.expire_all()
    assert [s.id for s in season.stages] == [s["id"] for s in stages]
    assert [(c.key, c.weight) for c in season.stages[0].criteria] == [("team", Decimal(3))]


def test_unknown_stage_id_is_refused(app, db, client, program, manager_token, open_season):
    season_id = _create(client, program, manager_token).json["id"]
    foreign = open_season.stages[0].id
    doc = season_doc()["stages"]
    doc[0]["id"] = foreign
    response = client.patch(f"/api/v1/seasons/{season_id}", json={"stages": doc}, headers=manager_token)
    assert response.status_code == 422 and "stages.0.id" in response.json["errors"]
    assert db.session.get(Stage, foreign).season_id == open_season.id


# ------------------------------------------------------------------ API: status
def test_status_moves_draft_open_reviewing_decided(app, db, client, program, manager_token, founder):
    empty = season_doc(questions=[], stages=[])
    season_id = client.post(f"/api/v1/programs/{program.id}/seasons", json=empty, headers=manager_token).json["id"]
    url = f"/api/v1/seasons/{season_id}"

    refused = client.patch(url, json={"status": "open"}, headers=manager_token)
    assert refused.status_code == 409 and "question" in refused.json["detail"]
    jump = client.patch(url, json={"status": "decided"}, headers=manager_token)
    assert jump.status_code == 409
    closed = client.patch(url, json={"status": "closed"}, headers=manager_token)
    assert closed.status_code == 422 and "status" in closed.json["errors"]

    full = season_doc()
    response = client.patch(url, json={"questions": full["questions"], "status": "open"}, headers=manager_token)
    assert response.status_code == 200 and response.json["status"] == "open"
    assert client.get(f"/api/v1/seasons/{season_id}").status_code == 200  # public now

    season = db.session.get(Season, season_id)
    application = draft(startup_of(founder), season, founder)
    application.status, application.submitted_at = Status.SUBMITTED, utcnow()
    db.session.commit()
    back = client.patch(url, json={"status": "draft"}, headers=manager_token)
    assert back.status_code == 409 and "applied" in back.json["detail"]

    no_stages = client.patch(url, json={"status": "reviewing"}, headers=manager_token)
    assert no_stages.status_code == 409
    still_open = client.patch(url, json={"stages": full["stages"], "status": "reviewing"}, headers=manager_token)
    assert still_open.status_code == 409 and "still open" in still_open.json["detail"]
    assert client.patch(url, json={"stages": full["stages"]}, headers=manager_token).status_code == 200
    with frozen(season.closes_at + timedelta(hours=1)):
        response = client.patch(url, json={"status": "reviewing"}, headers=manager_token)
    assert response.status_code == 200 and response.json["status"] == "reviewing"
    db.session.expire_all()
    assert application.status == Status.IN_REVIEW and application.current_stage_id == season.stages[0].id
    assert client.patch(url, json={"status": "open"}, headers=manager_token).status_code == 409
    assert client.patch(url, json={"status": "decided"}, headers=manager_token).json["status"] == "decided"
    db.session.expire_all()
    assert db.session.get(Season, season_id).status == SeasonStatus.DECIDED


def test_refused_status_move_keeps_the_rest_of_the_patch_out(app, db, client, program, manager_token):
    season_id = client.post(f"/api/v1/programs/{program.id}/seasons", json=season_doc(questions=[]),
                            headers=manager_token).json["id"]
    response = client.patch(f"/api/v1/seasons/{season_id}", json={"quota": 3, "status": "open"},
                            headers=manager_token)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Season, season_id).quota == 40


def test_closed_season_does_not_change(app, db, client, program, manager_token):
    season = f.SeasonFactory(program=program, status=SeasonStatus.CLOSED, closed_at=utcnow())
    response = client.patch(f"/api/v1/seasons/{season.id}", json={"quota": 3}, headers=manager_token)
    assert response.status_code == 409
    assert db.session.get(Season, season.id).quota is None


# ------------------------------------------------------------------ API: copy
def test_copy_season_takes_questions_stages_rubrics_not_applications(app, db, client, program, manager_token,
                                                                     founder):
    body = _create(client, program, manager_token).json
    source = db.session.get(Season, body["id"])
    _answer(db, source, founder, "sector", "edtech")
    response = client.post(f"/api/v1/seasons/{source.id}/copy", headers=manager_token,
                           json={"name": "InnoX Season 5", "opens_at": _iso(100), "closes_at": _iso(130)})
    assert response.status_code == 201, response.json
    copied = db.session.get(Season, response.json["id"])
    assert (copied.name, copied.slug, copied.status, copied.program_id) == (
        "InnoX Season 5", "innox-season-5", SeasonStatus.DRAFT, program.id)
    assert (copied.quota, copied.grace_minutes, copied.timezone) == (40, 30, "Asia/Tashkent")
    assert [(q.key, q.type, q.label, q.options) for q in copied.questions] == [
        (q.key, q.type, q.label, q.options) for q in source.questions]
    assert [q.id for q in copied.questions] != [q.id for q in source.questions]
    assert [(s.position, s.name, s.is_blind) for s in copied.stages] == [
        (s.position, s.name, s.is_blind) for s in source.stages]
    assert [[(c.key, c.weight) for c in s.criteria] for s in copied.stages] == [
        [(c.key, c.weight) for c in s.criteria] for s in source.stages]
    shift = copied.closes_at - source.closes_at
    assert copied.stages[0].review_deadline == source.stages[0].review_deadline + shift
    assert db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.season_id == copied.id)) == 0
    assert response.json["questions"][1]["has_answers"] is False

    again = client.post(f"/api/v1/seasons/{source.id}/copy", headers=manager_token,
                        json={"name": "InnoX Season 5", "opens_at": _iso(100), "closes_at": _iso(99)})
    assert again.status_code == 422 and {"slug", "closes_at"} & set(again.json["errors"])
    assert _count(db, Season) == 2


# ------------------------------------------------------------------ API: denials
def test_api_denies_everyone_but_the_programs_managers(app, db, client, program, manager_token, api_token,
                                                       other_program_manager, founder):
    season_id = _create(client, program, manager_token).json["id"]
    copy_body = {"name": "X", "opens_at": _iso(100), "closes_at": _iso(130)}
    for user in (other_program_manager, founder):
        headers = bearer(api_token(user))
        assert _create(client, program, headers, slug="other").status_code == 404
        assert client.patch(f"/api/v1/seasons/{season_id}", json={"quota": 1}, headers=headers).status_code == 404
        assert client.post(f"/api/v1/seasons/{season_id}/copy", json=copy_body, headers=headers).status_code == 404
        assert client.get(f"/api/v1/manage/seasons/{season_id}", headers=headers).status_code == 404
        assert client.get("/api/v1/manage/seasons", headers=headers).json["total"] == 0
    assert client.patch(f"/api/v1/seasons/{season_id}", json={"quota": 1}).status_code == 401
    assert _count(db, Season) == 1 and db.session.get(Season, season_id).quota == 40


def test_admin_may_build_any_programs_season(app, db, client, program, api_token, admin):
    response = _create(client, program, bearer(api_token(admin)))
    assert response.status_code == 201 and response.json["program_id"] == program.id


# ------------------------------------------------------------------ pages
def _page(client, path):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_manager_home_lists_my_programs_seasons_and_counts(app, db, client, login, manager, program, founder,
                                                          other_program_manager):
    season = f.SeasonFactory(program=program, name="Season 3")
    f.SeasonFactory(program=program, name="Season 4 draft", status=SeasonStatus.DRAFT)
    hidden = f.SeasonFactory(program=other_program_manager.roles[0].program, name="Someone else's season")
    application = draft(startup_of(founder), season, founder)
    application.status = Status.SUBMITTED
    draft(startup_of(founder, name="Second"), season, founder)
    db.session.commit()
    login(manager)
    status, html = _page(client, "/manage/")
    text = _text(html)
    assert status == 200
    assert "InnoX" in text and "Season 3" in text and "Season 4 draft" in text
    assert hidden.name not in text
    assert "2 in all" in text and "Submitted: 1" in text and "Draft: 1" in text
    assert f'href="/manage/seasons/{season.id}"' in html
    assert f'href="/manage/programs/{program.id}/seasons/new"' in html


def test_manager_home_runs_a_bounded_number_of_queries(app, db, client, login, manager, program, founder):
    login(manager)

    def measure():
        with count_queries() as counter:
            assert client.get("/manage/").status_code == 200
        return counter.count

    f.SeasonFactory(program=program)
    small = measure()
    for n in range(4):
        season = f.SeasonFactory(program=program)
        extra = f.ProgramFactory()
        f.grant(manager, extra, Role.MANAGER)
        f.SeasonFactory(program=extra)
        draft(startup_of(founder, name=f"S{n}"), season, founder)
    assert measure() == small


def test_founder_and_other_managers_are_kept_out_of_the_pages(app, db, client, login, program, founder,
                                                             other_program_manager, post_form):
    season = f.SeasonFactory(program=program, name="Secret season", status=SeasonStatus.DRAFT)
    stage = f.StageFactory(season=season, position=1)
    question = f.QuestionFactory(season=season, key="pitch")
    pages = [f"/manage/programs/{program.id}/seasons/new", f"/manage/seasons/{season.id}",
             f"/manage/seasons/{season.id}/questions/new", f"/manage/seasons/{season.id}/questions/{question.key}",
             f"/manage/seasons/{season.id}/stages/new", f"/manage/seasons/{season.id}/stages/{stage.id}"]
    posts = pages + [f"/manage/seasons/{season.id}/copy", f"/manage/seasons/{season.id}/status",
                     f"/manage/seasons/{season.id}/questions/pitch/move",
                     f"/manage/seasons/{season.id}/questions/pitch/remove",
                     f"/manage/seasons/{season.id}/stages/{stage.id}/move",
                     f"/manage/seasons/{season.id}/stages/{stage.id}/remove"]
    for user, home_status in ((other_program_manager, 200), (founder, 403)):
        client.post("/auth/logout", data={"csrf_token": csrf_from(client, "/")})
        login(user)
        status, html = _page(client, "/manage/")
        assert status == home_status and "Secret season" not in html
        for path in pages:
            status, html = _page(client, path)
            assert status == 404, path
            assert "Secret season" not in html
        for path in posts:
            response = post_form(path, {"status": "open", "name": "Hijack", "direction": "down"})
            assert response.status_code == 404, path
    db.session.expire_all()
    assert season.status == SeasonStatus.DRAFT and season.name == "Secret season"
    assert [q.key for q in season.questions] == ["pitch"] and len(season.stages) == 1
    assert _count(db, Season) == 1  # and no copy was made


def _local(days: int, hour: int = 18) -> str:
    moment = (utcnow() + timedelta(days=days)).astimezone(TZ)
    return moment.strftime(f"%Y-%m-%dT{hour:02d}:00")


def _settings(**overrides) -> dict:
    data = {"name": "FoundHer 2026", "slug": "", "opens_at": _local(3), "closes_at": _local(33),
            "timezone": "Asia/Tashkent", "grace_minutes": "15", "quota": "", "offer_confirmation_days": "7",
            "description_en": "For women founders", "description_ru": "", "description_uz": "Ayollar uchun"}
    data.update(overrides)
    return data


def test_new_season_page_creates_a_draft_in_the_seasons_zone(app, db, client, login, manager, program, post_form):
    login(manager)
    status, html = _page(client, f"/manage/programs/{program.id}/seasons/new")
    assert status == 200 and 'for="opens_at"' in html and 'list="season-zones"' in html
    response = post_form(f"/manage/programs/{program.id}/seasons/new", _settings())
    assert response.status_code == 302
    season = db.session.scalar(select(Season))
    assert response.headers["Location"].endswith(f"/manage/seasons/{season.id}")
    assert (season.name, season.slug, season.status, season.grace_minutes, season.quota) == (
        "FoundHer 2026", "foundher-2026", SeasonStatus.DRAFT, 15, None)
    assert season.closes_at.astimezone(TZ).strftime("%Y-%m-%dT%H:%M") == _local(33)
    assert season.description == {"en": "For women founders", "uz": "Ayollar uchun"}


def test_season_page_refusals_are_shown_at_their_fields_and_store_nothing(app, db, client, login, manager,
                                                                          program, post_form):
    login(manager)
    response = post_form(f"/manage/programs/{program.id}/seasons/new",
                         _settings(closes_at=_local(1), timezone="Nowhere/Atlantis"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The window closes after it opens." in html and "Choose a real time zone" in html
    assert 'id="closes_at-error"' in html and 'id="timezone-error"' in html
    assert _count(db, Season) == 0

    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT)
    stage = f.StageFactory(season=season, position=1, review_deadline=season.closes_at + timedelta(days=3))
    response = post_form(f"/manage/seasons/{season.id}", _settings(name="Renamed", closes_at=_local(30)))
    assert response.status_code == 422
    assert "A review deadline comes after the window closes." in response.get_data(as_text=True)
    db.session.expire_all()
    assert season.name != "Renamed" and stage.review_deadline > season.closes_at


def test_season_page_saves_the_settings(app, db, client, login, manager, program, post_form):
    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT)
    login(manager)
    status, html = _page(client, f"/manage/seasons/{season.id}")
    assert status == 200 and season.name in html and 'id="copy-name"' in html
    response = post_form(f"/manage/seasons/{season.id}", _settings(slug="foundher", quota="12",
                                                                  timezone="Asia/Samarkand"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (season.name, season.slug, season.quota, season.timezone) == (
        "FoundHer 2026", "foundher", 12, "Asia/Samarkand")


def _question_form(**overrides) -> dict:
    data = {"key": "sector", "type": "choice", "required": "y", "shown_in_blind": "y",
            "label_en": "Sector", "label_ru": "Сектор", "label_uz": "", "help_en": "Pick one", "help_ru": "",
            "help_uz": "", "options": "agritech | Agritech | Агротех\nedtech | Edtech", "max_chars": "",
            "max_words": "", "min_value": "", "max_value": ""}
    data.update(overrides)
    return data


def test_question_pages_add_edit_reorder_and_remove(app, db, client, login, manager, program, post_form):
    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT)
    f.QuestionFactory(season=season, key="pitch", position=1)
    login(manager)
    base = f"/manage/seasons/{season.id}/questions"
    assert post_form(f"{base}/new", _question_form()).status_code == 302
    db.session.expire_all()
    sector = season.questions[1]
    assert (sector.key, sector.type, sector.required, sector.label) == (
        "sector", QuestionType.CHOICE, True, {"en": "Sector", "ru": "Сектор"})
    assert sector.options == [{"value": "agritech", "label": {"en": "Agritech", "ru": "Агротех"}},
                              {"value": "edtech", "label": {"en": "Edtech"}}]

    status, html = _page(client, f"{base}/sector")
    assert status == 200 and "agritech | Agritech | Агротех" in html and "readonly" in html

    bad = post_form(f"{base}/sector", _question_form(options="a | A\na | Again", max_chars="10"))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "“a” is listed twice." in text
    assert "Only text questions have a length limit." in text and 'id="max_chars-error"' in text

    assert post_form(f"{base}/sector", _question_form(label_en="Your sector", key="hijacked")).status_code == 302
    assert post_form(f"{base}/sector/move", {"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert [q.key for q in season.questions] == ["sector", "pitch"]
    assert season.questions[0].label["en"] == "Your sector"

    assert post_form(f"{base}/pitch/remove").status_code == 302
    db.session.expire_all()
    assert [q.key for q in season.questions] == ["sector"]


def test_answered_question_page_refuses_removal_and_retyping(app, db, client, login, manager, program, post_form,
                                                             founder):
    season = f.SeasonFactory(program=program)
    question = f.QuestionFactory(season=season, key="pitch", label={"en": "Pitch"})
    _answer(db, season, founder, "pitch", "Drones for cotton")
    login(manager)
    base = f"/manage/seasons/{season.id}/questions"
    status, html = _page(client, f"/manage/seasons/{season.id}")
    assert "answered" in html and f"{base}/pitch/remove" not in html
    response = post_form(f"{base}/pitch/remove", follow_redirects=True)
    assert "has answers: it cannot be removed" in response.get_data(as_text=True)
    response = post_form(f"{base}/pitch", _question_form(key="pitch", type="long_text", options="",
                                                        label_en="New label"))
    assert response.status_code == 422 and "its type cannot change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (question.type, question.label) == (QuestionType.SHORT_TEXT, {"en": "Pitch"})
    ok = post_form(f"{base}/pitch", _question_form(key="pitch", type="short_text", options="", label_en="New label"))
    assert ok.status_code == 302
    db.session.expire_all()
    assert question.label == {"en": "New label", "ru": "Сектор"}


def _stage_form(rows: list[dict], **overrides) -> dict:
    data = {"name_en": "Screening", "name_ru": "Отбор", "name_uz": "", "reviews_required": "3", "is_blind": "y",
            "review_deadline": "", "disagreement_threshold": "1.5", "reviewers_see_others": ""}
    for i, row in enumerate(rows):
        values = {"key": "", "weight": "1", "scale_min": "1", "scale_max": "5", "order": str(i + 1),
                  "label_en": "", "label_ru": "", "label_uz": "", "description_en": "", "description_ru": "",
                  "description_uz": "", **row}
        data.update({f"criteria-{i}-{k}": v for k, v in values.items() if v is not None})
    data.update(overrides)
    return data


def test_stage_pages_build_the_rubric(app, db, client, login, manager, program, post_form):
    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT)
    login(manager)
    base = f"/manage/seasons/{season.id}/stages"
    status, html = _page(client, f"{base}/new")
    assert status == 200 and 'id="criteria-2-key"' in html
    deadline = (season.closes_at + timedelta(days=7)).astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    bad = post_form(f"{base}/new", _stage_form([{"key": "team", "label_en": "Team", "weight": "0"},
                                                {"key": "market", "label_en": "Market", "scale_max": "1"}, {}]))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="criteria-0-weight-error"' in text and 'id="criteria-1-scale_max-error"' in text
    assert _count(db, Stage) == 0 and _count(db, Criterion) == 0

    ok = post_form(f"{base}/new", _stage_form([{"key": "team", "label_en": "Team", "weight": "2"},
                                               {"key": "market", "label_en": "Market", "order": "0"}, {}],
                                              review_deadline=deadline))
    assert ok.status_code == 302
    db.session.expire_all()
    stage = season.stages[0]
    assert (stage.position, stage.name, stage.reviews_required, stage.is_blind) == (
        1, {"en": "Screening", "ru": "Отбор"}, 3, True)
    assert stage.review_deadline.astimezone(TZ).strftime("%Y-%m-%dT%H:%M") == deadline
    assert [(c.key, c.weight) for c in stage.criteria] == [("market", Decimal(1)), ("team", Decimal(2))]

    assert post_form(f"{base}/new", _stage_form([{"key": "pitch", "label_en": "Pitch"}], name_en="Demo Day",
                                                name_ru="")).status_code == 302
    edit = _stage_form([{"key": "market", "label_en": "Market", "remove": "y"},
                        {"key": "team", "label_en": "Team work", "weight": "2"}, {}], review_deadline=deadline)
    assert post_form(f"{base}/{stage.id}", edit).status_code == 302
    db.session.expire_all()
    assert [(c.key, c.label) for c in stage.criteria] == [("team", {"en": "Team work"})]

    assert post_form(f"{base}/{stage.id}/move", {"direction": "down"}).status_code == 302
    db.session.expire_all()
    assert [s.name["en"] for s in season.stages] == ["Demo Day", "Screening"]
    assert post_form(f"{base}/{stage.id}/remove").status_code == 302
    db.session.expire_all()
    assert [s.name["en"] for s in season.stages] == ["Demo Day"] and season.stages[0].position == 1


def test_status_and_copy_from_the_season_page(app, db, client, login, manager, program, post_form):
    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT, name="Season 3")
    f.QuestionFactory(season=season, key="pitch")
    stage = f.StageFactory(season=season, position=1, review_deadline=season.closes_at + timedelta(days=5))
    f.CriterionFactory(stage=stage, key="team")
    login(manager)
    status, html = _page(client, f"/manage/seasons/{season.id}")
    assert 'value="open"' in html and 'value="reviewing"' not in html
    assert post_form(f"/manage/seasons/{season.id}/status", {"status": "open"}).status_code == 302
    db.session.expire_all()
    assert season.status == SeasonStatus.OPEN
    response = post_form(f"/manage/seasons/{season.id}/status", {"status": "decided"}, follow_redirects=True)
    assert "cannot go from open to decided" in response.get_data(as_text=True)

    token = csrf_from(client, f"/manage/seasons/{season.id}")
    bad = client.post(f"/manage/seasons/{season.id}/copy", data={
        "copy-csrf_token": token, "copy-name": "Season 4", "copy-slug": "", "copy-opens_at": _local(90),
        "copy-closes_at": _local(80)})
    assert bad.status_code == 422 and 'id="copy-closes_at-error"' in bad.get_data(as_text=True)
    response = client.post(f"/manage/seasons/{season.id}/copy", data={
        "copy-csrf_token": token, "copy-name": "Season 4", "copy-slug": "", "copy-opens_at": _local(90),
        "copy-closes_at": _local(120)})
    assert response.status_code == 302
    copied = db.session.scalar(select(Season).where(Season.name == "Season 4"))
    assert copied.status == SeasonStatus.DRAFT and [q.key for q in copied.questions] == ["pitch"]
    assert [c.key for c in copied.stages[0].criteria] == ["team"]
    assert response.headers["Location"].endswith(f"/manage/seasons/{copied.id}")


def test_criteria_carry_words_for_their_points(app, db, client, program, manager_token):
    doc = season_doc()
    doc["stages"][0]["criteria"][0]["scale_labels"] = {"1": {"en": "Weak", "ru": "Слабо"}, "5": {"en": "Outstanding"}}
    response = _create(client, program, manager_token, stages=doc["stages"])
    assert response.status_code == 201, response.json
    criterion = db.session.get(Season, response.json["id"]).stages[0].criteria[0]
    assert criterion.scale_labels == {"1": {"en": "Weak", "ru": "Слабо"}, "5": {"en": "Outstanding"}}
    assert criterion.point_label(1, "ru") == "Слабо" and criterion.point_label(3, "en") == ""
    assert response.json["stages"][0]["criteria"][0]["scale_labels"]["5"] == {"en": "Outstanding"}

    doc["stages"][0]["criteria"][0]["scale_labels"] = {"9": {"en": "Off the scale"}}
    before = _count(db, Season)
    refused = _create(client, program, manager_token, slug="season-5", stages=doc["stages"])
    assert refused.status_code == 422
    assert "9 is not a point of the scale 1 to 5." in refused.json["errors"]["stages.0.criteria.0.scale_labels.9"]
    assert _count(db, Season) == before


def test_the_stage_page_takes_words_for_the_points(app, db, client, login, manager, program, post_form):
    season = f.SeasonFactory(program=program, status=SeasonStatus.DRAFT)
    login(manager)
    base = f"/manage/seasons/{season.id}/stages"
    row = {"key": "team", "label_en": "Team", "points_en": "Weak | Fair | Good | Strong | Outstanding",
           "points_ru": "Слабо |  | Хорошо", "points_uz": ""}
    assert post_form(f"{base}/new", _stage_form([row, {}])).status_code == 302
    db.session.expire_all()
    criterion = season.stages[0].criteria[0]
    assert criterion.scale_labels["1"] == {"en": "Weak", "ru": "Слабо"}
    assert criterion.scale_labels["2"] == {"en": "Fair"} and criterion.scale_labels["5"] == {"en": "Outstanding"}
    status, html = _page(client, f"{base}/{season.stages[0].id}")
    assert status == 200 and 'value="Weak | Fair | Good | Strong | Outstanding"' in html
