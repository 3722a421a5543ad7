"""Reviewing end to end: the reviewer's queue with progress and "next unreviewed", the review form
(rubric radios, live total, feedback, private note, recommendation; draft, submit, edit until the
deadline), the API, the files, others' reviews, and the reminders before the review deadline.

Assignments are built directly with the models (Assignment(stage_id, application_id, reviewer_id)),
not through the auto-assign code. The clock is frozen only where the review deadline is the point."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Answer, Application, Attachment
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.notifications.models import Notification
from incubator.programs.models import QuestionType, SeasonStatus
from incubator.reviews.models import (
    Assignment, AssignmentStatus, ConflictOfInterest, ConflictSource, Review, ReviewStatus,
)
from incubator.reviews.reminders import send_review_reminders
from incubator.startups.models import Gender, Startup, TeamMember
from incubator.storage import get_storage
from tests.support import factories as f
from tests.support.clock import frozen
from tests.support.factories_fixtures import bearer
from tests.support.queries import count_queries
from tests.unit.test_filecheck import make_pdf, make_png

PDF = make_pdf()


# --- Scenario -------------------------------------------------------------------------------------

@dataclass
class World:
    program: object
    season: object
    stage: object
    questions: dict
    reviewer: object
    applications: list = field(default_factory=list)
    assignments: list = field(default_factory=list)


def make_world(db, *, blind=False, deadline_in=timedelta(days=2), see_others=False, program=None,
               reviewer=None, season_status=SeasonStatus.REVIEWING) -> World:
    """A season in review with three questions (a text shown in blind, a text hidden in blind, a deck),
    a stage with two criteria (team weight 2, market weight 1, both 1..5), and a reviewer."""
    now = utcnow().replace(microsecond=0)
    program = program or f.ProgramFactory(name="InnoX")
    season = f.SeasonFactory(program=program, name="Season 3", status=season_status,
                             opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=5))
    questions = {
        "problem": f.QuestionFactory(season=season, key="problem", type=QuestionType.LONG_TEXT, position=1,
                                     shown_in_blind=True, label={"en": "The problem"}),
        "founders": f.QuestionFactory(season=season, key="founders", type=QuestionType.LONG_TEXT, position=2,
                                      shown_in_blind=False, label={"en": "About the founders"}),
        "deck": f.QuestionFactory(season=season, key="deck", type=QuestionType.FILE, position=3, required=False,
                                  shown_in_blind=True, label={"en": "Pitch deck"}),
    }
    stage = f.StageFactory(season=season, position=1, is_blind=blind, reviews_required=2,
                           review_deadline=now + deadline_in if deadline_in is not None else None,
                           reviewers_see_others=see_others, name={"en": "Screening"})
    f.CriterionFactory(stage=stage, key="team", position=1, weight=Decimal("2"), scale_min=1, scale_max=5,
                       label={"en": "Team"}, description={"en": "Can they build it?"})
    f.CriterionFactory(stage=stage, key="market", position=2, weight=Decimal("1"), scale_min=1, scale_max=5,
                       label={"en": "Market"})
    if reviewer is None:
        reviewer = f.UserFactory(email=f"reviewer-{season.id}@example.org", name="Rustam Reviewer")
    f.grant(reviewer, program, Role.REVIEWER)
    db.session.refresh(stage)
    return World(program, season, stage, questions, reviewer)


def add_application(db, world: World, *, name="Paxta AI", founder=None, problem="Farmers guess their yield.",
                    founders_text="We met at school.", deck_name="deck.pdf", anonymised=True,
                    member_name="Dilnoza Karimova", member_email="dilnoza@paxta.uz", pitch="Yield from the sky",
                    website="https://paxta.uz", status=Status.IN_REVIEW) -> Application:
    founder = founder or f.UserFactory()
    startup = Startup(owner_id=founder.id, name=name, sector="agritech", region="andijan", pitch=pitch,
                      website=website, description=f"{name} counts cotton.")
    db.session.add(startup)
    db.session.flush()
    db.session.add(TeamMember(startup_id=startup.id, user_id=founder.id, name=founder.name, email=founder.email,
                              role="CEO", gender=Gender.FEMALE))
    db.session.add(TeamMember(startup_id=startup.id, name=member_name, email=member_email, role="CTO",
                              gender=Gender.FEMALE))
    application = Application(season_id=world.season.id, startup_id=startup.id, created_by_id=founder.id,
                              status=status, current_stage_id=world.stage.id, submitted_at=utcnow())
    db.session.add(application)
    db.session.flush()
    db.session.add(Answer(application_id=application.id, question_id=world.questions["problem"].id, value=problem))
    db.session.add(Answer(application_id=application.id, question_id=world.questions["founders"].id,
                          value=founders_text))
    if deck_name:
        key = get_storage().save(io.BytesIO(PDF))
        db.session.add(Attachment(application_id=application.id, question_id=world.questions["deck"].id,
                                  storage_key=key, original_name=deck_name, content_type="application/pdf",
                                  extension="pdf", size=len(PDF), sha256="0" * 64, is_anonymised=anonymised))
    db.session.commit()
    world.applications.append(application)
    return application


def assign(db, world: World, application, reviewer=None, status=AssignmentStatus.ACTIVE) -> Assignment:
    assignment = Assignment(stage_id=world.stage.id, application_id=application.id,
                            reviewer_id=(reviewer or world.reviewer).id, status=status)
    db.session.add(assignment)
    db.session.commit()
    world.assignments.append(assignment)
    return assignment


def conflict(db, reviewer, application, source=ConflictSource.DECLARED):
    db.session.add(ConflictOfInterest(reviewer_id=reviewer.id, startup_id=application.startup_id,
                                      application_id=application.id, source=source, reason="my cousin"))
    db.session.commit()


@pytest.fixture
def uploads(app, tmp_path):
    app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), UPLOAD_TMP_FOLDER=str(tmp_path / "spool"))
    return tmp_path


@pytest.fixture
def world(app, db, uploads):
    w = make_world(db)
    first = add_application(db, w, name="Paxta AI")
    second = add_application(db, w, name="Suv Tech", member_name="Aziz Tursunov", member_email="aziz@suv.uz")
    assign(db, w, first)
    assign(db, w, second)
    return w


@pytest.fixture
def token(api_token, world):
    return api_token(world.reviewer)


def put_review(client, token, assignment_id, **body):
    return client.put(f"/api/v1/assignments/{assignment_id}/review", json=body, headers=bearer(token))


def reviews(db) -> list[Review]:
    db.session.expire_all()
    return db.session.scalars(select(Review).order_by(Review.id)).all()


# --- The API: list, read ----------------------------------------------------------------------------

def test_the_list_holds_my_assignments_with_progress_and_the_next_unreviewed(client, db, world, token, make_user):
    other = make_user(email="other-reviewer@example.org")
    f.grant(other, world.program, Role.REVIEWER)
    assign(db, world, world.applications[0], reviewer=other)
    first, second = world.assignments[:2]

    body = client.get(f"/api/v1/assignments?stage_id={world.stage.id}", headers=bearer(token)).json
    assert [item["id"] for item in body["items"]] == [first.id, second.id]
    assert body["total"] == 2
    assert body["progress"] == {"total": 2, "submitted": 0, "drafts": 0}
    assert body["next_unreviewed_id"] == first.id
    assert body["items"][0]["label"] == "Paxta AI" and body["items"][0]["review_state"] == "none"

    assert put_review(client, token, first.id, scores={"team": 4, "market": 2}, submit=True).status_code == 200
    body = client.get(f"/api/v1/assignments?stage_id={world.stage.id}", headers=bearer(token)).json
    assert body["progress"] == {"total": 2, "submitted": 1, "drafts": 0}
    assert body["next_unreviewed_id"] == second.id
    todo = client.get(f"/api/v1/assignments?stage_id={world.stage.id}&state=todo", headers=bearer(token)).json
    assert [item["id"] for item in todo["items"]] == [second.id]
    done = client.get(f"/api/v1/assignments?season_id={world.season.id}&state=submitted", headers=bearer(token)).json
    assert [(item["id"], item["review_state"], item["total"]) for item in done["items"]] == [(first.id, "submitted",
                                                                                            pytest.approx(10 / 3))]
    assert client.get(f"/api/v1/assignments?season_id={world.season.id + 1000}", headers=bearer(token)).json[
        "total"] == 0


def test_an_open_stage_shows_the_startup_and_team_without_e_mails(client, world, token):
    body = client.get(f"/api/v1/assignments/{world.assignments[0].id}", headers=bearer(token)).json
    assert body["is_blind"] is False and body["label"] == "Paxta AI"
    assert body["startup"]["name"] == "Paxta AI" and body["startup"]["website"] == "https://paxta.uz"
    assert [m["name"] for m in body["startup"]["team"]][1] == "Dilnoza Karimova"
    assert "dilnoza@paxta.uz" not in str(body) and "@example.org" not in str(body)
    assert [a["key"] for a in body["answers"]] == ["problem", "founders"]
    assert body["attachments"][0]["name"] == "deck.pdf"
    assert body["application"]["id"] == world.applications[0].id
    assert [(c["key"], c["weight"], c["scale_min"], c["scale_max"]) for c in body["criteria"]] == [
        ("team", "2.000", 1, 5), ("market", "1.000", 1, 5)]
    assert body["review"] is None and body["can_edit"] is True


# --- The API: reviewing ------------------------------------------------------------------------------

def test_a_draft_then_a_submission_computes_the_weighted_total(client, db, world, token):
    assignment = world.assignments[0]
    response = put_review(client, token, assignment.id, scores={"team": 4}, feedback="  Strong team.  ",
                          private_note="Knows the market.", recommendation="yes")
    assert response.status_code == 200, response.json
    assert response.json["review"]["status"] == "draft" and response.json["review"]["total"] is None
    (review,) = reviews(db)
    assert (review.scores, review.total, review.feedback, review.status) == ({"team": 4}, None, "Strong team.",
                                                                               "draft")

    response = put_review(client, token, assignment.id, scores={"team": 4, "market": 1}, submit=True)
    assert response.status_code == 200, response.json
    (review,) = reviews(db)
    assert review.status == "submitted" and review.submitted_at is not None
    assert review.total == pytest.approx((2 * 4 + 1 * 1) / 3)
    # Left-out fields keep their saved values.
    assert (review.recommendation, review.feedback, review.private_note) == ("yes", "Strong team.",
                                                                               "Knows the market.")

    # A submitted review can change until the deadline, and stays submitted and complete.
    assert put_review(client, token, assignment.id, scores={"team": 5, "market": 5}).status_code == 200
    assert reviews(db)[0].total == 5 and reviews(db)[0].status == "submitted"
    response = put_review(client, token, assignment.id, scores={"team": 5, "market": None})
    assert response.status_code == 422 and "scores.market" in response.json["errors"]
    assert reviews(db)[0].scores == {"team": 5, "market": 5}


@pytest.mark.parametrize(("body", "field"), [
    ({"scores": {"team": 6}}, "scores.team"),
    ({"scores": {"team": 0}}, "scores.team"),
    ({"scores": {"team": 3.5}}, "scores.team"),
    ({"scores": {"team": "4"}}, "scores.team"),
    ({"scores": {"team": True}}, "scores.team"),
    ({"scores": {"vision": 3}}, "scores.vision"),
    ({"scores": {"team": 3}, "submit": True}, "scores.market"),
    ({"scores": {"team": 3, "market": 3}, "recommendation": "definitely"}, "recommendation"),
    ({"scores": [3, 3]}, "scores"),
])
def test_bad_reviews_are_refused_with_the_field_named_and_nothing_saved(client, db, world, token, body, field):
    response = put_review(client, token, world.assignments[0].id, **body)
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in response.json["errors"], response.json
    assert reviews(db) == []


def test_reviewing_after_the_stage_deadline_is_refused(client, db, world, token):
    assignment = world.assignments[0]
    assert put_review(client, token, assignment.id, scores={"team": 3}).status_code == 200
    with frozen(world.stage.review_deadline + timedelta(seconds=1)):
        response = put_review(client, token, assignment.id, scores={"team": 5, "market": 5}, submit=True)
        assert response.status_code == 409
        assert "deadline" in response.json["detail"]
        detail = client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(token)).json
        assert detail["can_edit"] is False and "deadline" in detail["locked_reason"]
    assert reviews(db)[0].scores == {"team": 3} and reviews(db)[0].status == "draft"
    with frozen(world.stage.review_deadline - timedelta(seconds=1)):
        assert put_review(client, token, assignment.id, scores={"team": 5, "market": 5},
                          submit=True).status_code == 200


def test_a_decided_application_or_a_closed_season_takes_no_more_reviews(client, db, world, token):
    first, second = world.assignments[:2]
    world.applications[0].status = Status.REJECTED
    world.season.status = SeasonStatus.REVIEWING
    db.session.commit()
    assert put_review(client, token, first.id, scores={"team": 3}).status_code == 409
    world.season.status = SeasonStatus.CLOSED
    db.session.commit()
    assert put_review(client, token, second.id, scores={"team": 3}).status_code == 409
    assert reviews(db) == []


def test_others_reviews_show_after_submitting_only_where_the_stage_allows_and_never_private_notes(
        client, db, world, token, make_user, api_token):
    colleague = make_user(email="colleague@example.org", name="Kamola Colleague")
    f.grant(colleague, world.program, Role.REVIEWER)
    theirs = assign(db, world, world.applications[0], reviewer=colleague)
    assert put_review(client, api_token(colleague), theirs.id, scores={"team": 2, "market": 3}, submit=True,
                      feedback="Needs a CTO.", private_note="SECRET-NOTE-x1").status_code == 200
    mine = world.assignments[0]

    def others():
        return client.get(f"/api/v1/assignments/{mine.id}", headers=bearer(token)).json["other_reviews"]

    assert others() == []  # the stage does not allow it
    world.stage.reviewers_see_others = True
    db.session.commit()
    assert others() == []  # not before my own review is submitted
    response = put_review(client, token, mine.id, scores={"team": 4, "market": 4}, submit=True)
    assert response.status_code == 200
    (other,) = others()
    assert other["feedback"] == "Needs a CTO." and other["scores"] == {"team": 2, "market": 3}
    body = client.get(f"/api/v1/assignments/{mine.id}", headers=bearer(token)).get_data(as_text=True)
    assert "SECRET-NOTE-x1" not in body and "Kamola" not in body and "colleague@" not in body


def test_the_api_download_is_an_attachment_with_the_original_name_in_an_open_stage(client, world, token):
    assignment = world.assignments[0]
    attachment_id = client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(token)).json[
        "attachments"][0]["id"]
    response = client.get(f"/api/v1/assignments/{assignment.id}/attachments/{attachment_id}", headers=bearer(token))
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith('attachment; filename="deck.pdf"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    other_file = world.applications[1].attachments[0].id
    assert client.get(f"/api/v1/assignments/{assignment.id}/attachments/{other_file}",
                      headers=bearer(token)).status_code == 404


def test_declaring_a_conflict_releases_the_assignment(client, db, world, token):
    pytest.importorskip("incubator.reviews.conflicts")
    assignment = world.assignments[0]
    response = client.post(f"/api/v1/assignments/{assignment.id}/conflict", json={"reason": "I mentor them"},
                           headers=bearer(token))
    assert response.status_code == 200, response.json
    assert response.json == {"assignment_id": assignment.id, "status": "released"}
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).status == AssignmentStatus.RELEASED
    row = db.session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == world.reviewer.id))
    assert row.startup_id == world.applications[0].startup_id and row.reason == "I mentor them"
    assert client.get(f"/api/v1/assignments/{assignment.id}", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/assignments", headers=bearer(token)).json["total"] == 1
    assert client.post(f"/api/v1/assignments/{assignment.id}/conflict", json={"reason": "again"},
                       headers=bearer(token)).status_code == 404
    second = world.assignments[1]
    assert client.post(f"/api/v1/assignments/{second.id}/conflict", json={}, headers=bearer(token)).status_code == 422
    put_review(client, token, second.id, scores={"team": 3, "market": 3}, submit=True)
    response = client.post(f"/api/v1/assignments/{second.id}/conflict", json={"reason": "late"}, headers=bearer(token))
    assert response.status_code == 409 and db.session.get(Assignment, second.id).status == AssignmentStatus.ACTIVE


# --- Pages --------------------------------------------------------------------------------------------

def test_my_stages_and_the_queue_show_progress_filters_and_the_next_one(client, db, world, login, token):
    first, second = world.assignments[:2]
    put_review(client, token, first.id, scores={"team": 4, "market": 2}, submit=True)
    login(world.reviewer)
    page = client.get("/review/").get_data(as_text=True)
    assert "Screening" in page and "1 of 2 reviewed" in page and "InnoX: Season 3" in page

    page = client.get(f"/review/stages/{world.stage.id}").get_data(as_text=True)
    assert "1 of 2 reviewed" in page and "Paxta AI" in page and "Suv Tech" in page
    assert f'id="next-unreviewed" href="/review/assignments/{second.id}"' in page
    assert page.count("Declare a conflict") == 1 and 'name="reason"' in page
    assert "3.33" in page  # the submitted total

    todo = client.get(f"/review/stages/{world.stage.id}?state=todo").get_data(as_text=True)
    assert "Suv Tech" in todo and "Paxta AI" not in todo
    assert client.get(f"/review/stages/{world.stage.id}?state=bogus").status_code == 200


def test_the_review_form_saves_a_draft_then_submits_and_moves_on(client, db, world, login, post_form):
    first, second = world.assignments[:2]
    login(world.reviewer)
    url = f"/review/assignments/{first.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Paxta AI" in page and "The problem" in page and "Farmers guess their yield." in page
    assert 'type="radio" name="score_team"' in page and "5 · Excellent" in page and "1 · Poor" in page
    assert 'data-weight="2.000"' in page and 'id="review-total"' in page
    assert "/static/js/review.js" in page and "<script>" not in page
    assert "Feedback for the founder" in page and "Private note for the committee" in page

    response = post_form(url, {"score_team": "4", "feedback": "Good.", "recommendation": "maybe", "action": "save"},
                         token_from=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    (review,) = reviews(db)
    assert (review.status, review.scores, review.recommendation) == ("draft", {"team": 4}, "maybe")
    assert "Your draft is saved" in client.get(url).get_data(as_text=True)

    response = post_form(url, {"score_team": "4", "action": "submit"}, token_from=url)
    assert response.status_code == 422
    assert "Score this criterion before submitting." in response.get_data(as_text=True)
    assert reviews(db)[0].status == "draft"

    response = post_form(url, {"score_team": "4", "score_market": "2", "recommendation": "yes", "feedback": "Good.",
                               "private_note": "Note.", "action": "submit"}, token_from=url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/review/assignments/{second.id}")
    review = reviews(db)[0]
    assert review.status == "submitted" and review.total == pytest.approx(10 / 3) and review.private_note == "Note."
    page = client.get(url).get_data(as_text=True)
    assert "Save the changes" in page and "3.33" in page


@pytest.mark.parametrize("value", ["9", "x", "-1"])
def test_the_form_refuses_scores_off_the_scale(client, db, world, login, post_form, value):
    login(world.reviewer)
    url = f"/review/assignments/{world.assignments[0].id}"
    response = post_form(url, {"score_team": value, "action": "save"}, token_from=url)
    assert response.status_code == 422
    assert "Give a whole number from 1 to 5." in response.get_data(as_text=True)
    response = post_form(url, {"score_vision": "3", "action": "save"}, token_from=url)
    assert response.status_code == 422 and "There is no criterion “vision”" in response.get_data(as_text=True)
    assert reviews(db) == []


def test_after_the_deadline_the_form_is_read_only(client, db, world, login, post_form, token):
    assignment = world.assignments[0]
    put_review(client, token, assignment.id, scores={"team": 3}, feedback="Kept as it was.")
    login(world.reviewer)
    url = f"/review/assignments/{assignment.id}"
    token_page = client.get(url)
    assert token_page.status_code == 200
    with frozen(world.stage.review_deadline + timedelta(minutes=1)):
        page = client.get(url).get_data(as_text=True)
        assert "The review deadline of this stage has passed" in page
        assert "Submit the review" not in page and "Kept as it was." in page
        response = post_form(url, {"score_team": "5", "score_market": "5", "action": "submit"}, token_from="/review/")
        assert response.status_code == 409
    assert reviews(db)[0].scores == {"team": 3}


def test_page_downloads_and_the_logo_in_an_open_stage(client, db, world, login):
    assignment = world.assignments[0]
    startup = world.applications[0].startup
    startup.logo_key = get_storage().save(io.BytesIO(make_png()))
    startup.logo_content_type = "image/png"
    db.session.commit()
    login(world.reviewer)
    page = client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    attachment = world.applications[0].attachments[0]
    link = f"/review/assignments/{assignment.id}/files/{attachment.id}"
    assert link in page and f"/review/assignments/{assignment.id}/logo" in page
    response = client.get(link)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith('attachment; filename="deck.pdf"')
    assert client.get(f"/review/assignments/{assignment.id}/logo").status_code == 200
    other = world.applications[1].attachments[0].id
    assert client.get(f"/review/assignments/{assignment.id}/files/{other}").status_code == 404


def test_the_page_declares_a_conflict_before_opening(client, db, world, login, post_form):
    pytest.importorskip("incubator.reviews.conflicts")
    first, second = world.assignments[:2]
    login(world.reviewer)
    queue = f"/review/stages/{world.stage.id}"
    response = post_form(f"/review/assignments/{first.id}/conflict", {"reason": ""}, token_from=queue)
    assert response.status_code == 302 and db.session.get(Assignment, first.id).status == AssignmentStatus.ACTIVE
    response = post_form(f"/review/assignments/{first.id}/conflict", {"reason": "My brother's startup"},
                         token_from=queue)
    assert response.status_code == 302 and response.headers["Location"].endswith(queue)
    page = client.get(queue).get_data(as_text=True)
    assert "Conflict declared" in page and "Paxta AI" not in page and "0 of 1 reviewed" in page
    assert client.get(f"/review/assignments/{first.id}").status_code == 404


def _queries_before_and_after_12_more(client, db, world, url: str):
    """The statements of one request for `url`, before and after the reviewer gets 12 more
    applications (each request as a fresh one: nothing cached in the test's session)."""
    client.get(url)
    db.session.expire_all()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for n in range(12):
        assign(db, world, add_application(db, world, name=f"Startup {n}", member_email=f"m{n}@x.uz"))
    db.session.expire_all()
    with count_queries() as large:
        page = client.get(url)
    assert page.status_code == 200 and "0 of 14 reviewed" in page.get_data(as_text=True)
    return small, large


def test_the_queue_page_runs_a_bounded_number_of_queries(client, db, world, login):
    login(world.reviewer)
    small, large = _queries_before_and_after_12_more(client, db, world, f"/review/stages/{world.stage.id}")
    assert large.count == small.count, (small.statements, large.statements)
    with count_queries() as index_large:
        assert client.get("/review/").status_code == 200
    assert index_large.count <= 12
    with count_queries() as index_large:
        assert client.get("/review/").status_code == 200
    assert index_large.count <= 12


def test_the_review_form_runs_a_bounded_number_of_queries(client, db, world, login):
    login(world.reviewer)
    url = f"/review/assignments/{world.assignments[0].id}"
    small, large = _queries_before_and_after_12_more(client, db, world, url)
    assert large.count == small.count <= 12, (small.statements, large.statements)


def test_what_a_reviewer_may_see_is_read_once_per_request_and_never_stale(app, db, world):
    """reviewer_queries.visible_assignments is read once per request (every list, count and check
    of the page filters on it), and read again as soon as the session holds a change to what the
    rule reads, flushed or not, or rolls back."""
    from incubator.reviews import reviewer_queries as rq

    first, second = world.assignments
    reviewer, stage = world.reviewer, world.stage
    for row in (first, second, reviewer, stage):
        db.session.refresh(row)  # loaded before counting (the fixtures' commits expired them)
    with app.test_request_context("/"):
        with count_queries() as reads:
            assert list(rq.visible_assignments(reviewer, stage.id)) == [first.id, second.id]
            assert rq.stage_progress(reviewer, stage) == rq.Progress(2, 0, 0)
            assert rq.may_review(reviewer, first) and rq.next_unreviewed(reviewer, stage).id == first.id
            assert rq.stage_for_reviewer(reviewer, stage.id).id == stage.id
        assert len(reads.statements) == 2, reads.statements  # the assignments, then their applications

        db.session.add(TeamMember(startup_id=first.application.startup_id, name="Rustam",
                                  email=reviewer.email.upper(), role="Advisor"))  # not flushed yet
        assert list(rq.visible_assignments(reviewer, stage.id)) == [second.id]
        assert not rq.may_review(reviewer, first)
        db.session.rollback()
        assert list(rq.visible_assignments(reviewer, stage.id)) == [first.id, second.id]

        db.session.add(Review(assignment_id=first.id, status=ReviewStatus.SUBMITTED, scores={"team": 3, "market": 4}))
        assert rq.stage_progress(reviewer, stage) == rq.Progress(2, 1, 0)
        assert rq.next_unreviewed(reviewer, stage).id == second.id
        assert rq.next_unreviewed(reviewer, stage, after=second.id) is None
        db.session.rollback()


def test_the_api_list_runs_a_bounded_number_of_queries(client, db, world, token):
    url = f"/api/v1/assignments?stage_id={world.stage.id}"
    client.get(url, headers=bearer(token))
    db.session.expire_all()  # as in a fresh request: nothing cached in the test's session
    with count_queries() as small:
        client.get(url, headers=bearer(token))
    for n in range(10):
        assign(db, world, add_application(db, world, name=f"Startup {n}", member_email=f"m{n}@x.uz"))
    db.session.expire_all()
    with count_queries() as large:
        body = client.get(url, headers=bearer(token)).json
    assert body["total"] == 12 and large.count == small.count


# --- Reminders ----------------------------------------------------------------------------------------

def _review_reminders(db):
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.kind == "review_reminder")
                              .order_by(Notification.id)).all()


def test_reviewers_with_open_assignments_hear_72_and_24_hours_before_once_each(app, client, db, world, token,
                                                                             make_user):
    done = make_user(email="done@example.org", name="Done Reviewer")
    f.grant(done, world.program, Role.REVIEWER)
    finished = assign(db, world, world.applications[0], reviewer=done)
    put_review(client, token, world.assignments[0].id, scores={"team": 3})  # a draft is still open

    db.session.add(Review(assignment_id=finished.id, scores={"team": 3, "market": 3}, total=3.0, status="submitted",
                          submitted_at=utcnow()))
    db.session.commit()
    deadline = world.stage.review_deadline

    assert send_review_reminders(now=deadline - timedelta(hours=80))["queued"] == 0
    assert send_review_reminders(now=deadline - timedelta(hours=71)) == {"due": 1, "queued": 1, "already_sent": 0}
    assert send_review_reminders(now=deadline - timedelta(hours=50))["queued"] == 0
    assert send_review_reminders(now=deadline - timedelta(hours=23))["queued"] == 1
    assert send_review_reminders(now=deadline - timedelta(hours=2))["queued"] == 0
    assert send_review_reminders(now=deadline + timedelta(hours=1))["queued"] == 0
    notes = _review_reminders(db)
    assert [n.dedupe_key for n in notes] == [f"review_reminder:{world.stage.id}:{world.reviewer.id}:72",
                                            f"review_reminder:{world.stage.id}:{world.reviewer.id}:24"]
    note = notes[0]
    assert note.to_email == world.reviewer.email
    assert note.subject == "The review deadline is near: you have reviews to finish"
    assert "You have 2 reviews to finish" in note.body_text and "71 hours left" in note.body_text
    assert "Screening" in note.body_text and "InnoX: Season 3" in note.body_text
    assert note.link.endswith(f"/review/stages/{world.stage.id}") and note.link in note.body_html
    assert "Paxta AI" not in note.body_text + note.body_html


def test_no_reminder_for_finished_conflicted_or_released_work(app, client, db, world, token):
    first, second = world.assignments[:2]
    put_review(client, token, first.id, scores={"team": 3, "market": 3}, submit=True)
    conflict(db, world.reviewer, world.applications[1])
    assert send_review_reminders(now=world.stage.review_deadline - timedelta(hours=10))["queued"] == 0
    db.session.execute(ConflictOfInterest.__table__.delete())
    second.status = AssignmentStatus.RELEASED
    db.session.commit()
    assert send_review_reminders(now=world.stage.review_deadline - timedelta(hours=10))["queued"] == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


# --- The live total, in a real browser under the strict CSP -----------------------------------------

@pytest.mark.browser
def test_the_weighted_total_updates_live_in_a_browser(app, db, world, password):
    import os

    from tests.e2e.test_browser_register import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS
    from tests.support.live_server import LiveServer

    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    playwright = pytest.importorskip("playwright.sync_api")
    assignment_id = world.assignments[0].id
    with LiveServer(app) as server, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="en-US").new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            errors = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.goto(f"{server.url}/auth/login")
            page.get_by_label("E-mail").fill(world.reviewer.email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/auth/login" not in url)
            page.goto(f"{server.url}/review/assignments/{assignment_id}")
            total = page.locator("#review-total")
            playwright.expect(total).to_have_text("— (0 of 2 criteria scored)")
            page.get_by_label("4 · Very good").first.check()
            playwright.expect(total).to_have_text("— (1 of 2 criteria scored)")
            page.locator("#score-market-1").check()
            playwright.expect(total).to_have_text("3.00")  # (2 * 4 + 1 * 1) / 3
            page.locator("#score-team-5").check()
            playwright.expect(total).to_have_text("3.67")
            page.get_by_role("button", name="Submit the review").click()
            page.wait_for_url(lambda url: url.endswith(f"/review/assignments/{world.assignments[1].id}"))
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    review = reviews(db)[0]
    assert review.status == "submitted" and review.total == pytest.approx(11 / 3)


def test_the_form_shows_the_managers_words_for_the_points(client, db, world, login):
    team = next(c for c in world.stage.criteria if c.key == "team")
    team.scale_labels = {"1": {"en": "Weak"}, "5": {"en": "Outstanding"}}
    db.session.commit()
    login(world.reviewer)
    page = client.get(f"/review/assignments/{world.assignments[0].id}").get_data(as_text=True)
    assert "1 · Weak" in page and "5 · Outstanding" in page and "5 · Excellent" in page  # market keeps the defaults
