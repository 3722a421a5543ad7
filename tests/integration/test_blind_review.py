"""Blind review: a canary string in every identifying field and file name never reaches the reviewer,
in any page, API response, download (body or headers) or e-mail they can get.

The canary is in the startup's name, pitch, description, website and logo, the team's names and
e-mails, the founder's and a co-founder's names and e-mails, the answer to a question hidden in blind
review, and the original names of the files (an anonymised deck, a file not marked anonymised, and an
anonymised file answering a question hidden in blind review). The other reviewer's private note
carries a second canary: private notes are for the committee only."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.applications.models import Attachment
from incubator.notifications.models import Notification
from incubator.programs.models import QuestionType
from incubator.reviews.models import Review
from incubator.reviews.reminders import send_review_reminders
from incubator.startups.models import StartupCollaborator
from incubator.storage import get_storage
from tests.integration.test_reviewing import PDF, add_application, assign, make_world
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.unit.test_filecheck import make_png

CANARY = "CANARY-7f3a"
PRIVATE = "PRIVATE-9c1e"


def _file(db, application, question, name, anonymised):
    key = get_storage().save(io.BytesIO(PDF))
    attachment = Attachment(application_id=application.id, question_id=question.id, storage_key=key,
                            original_name=name, content_type="application/pdf", extension="pdf", size=len(PDF),
                            sha256="1" * 64, is_anonymised=anonymised)
    db.session.add(attachment)
    db.session.commit()
    return attachment


@pytest.fixture
def blind(app, db, tmp_path, make_user):
    app.config.update(UPLOAD_FOLDER=str(tmp_path / "uploads"), UPLOAD_TMP_FOLDER=str(tmp_path / "spool"))
    world = make_world(db, blind=True, see_others=True)
    photo = f.QuestionFactory(season=world.season, key="photo", type=QuestionType.FILE, position=4, required=False,
                              shown_in_blind=True, label={"en": "Team photo"})
    cv = f.QuestionFactory(season=world.season, key="cv", type=QuestionType.FILE, position=5, required=False,
                           shown_in_blind=False, label={"en": "CVs"})
    founder = make_user(email=f"{CANARY.lower()}@founder.uz", name=f"Founder {CANARY}")
    application = add_application(
        db, world, name=f"{CANARY} Labs", founder=founder, problem="Farmers guess their yield.",
        founders_text=f"We are {CANARY} and friends.", deck_name=f"{CANARY} deck.pdf", anonymised=True,
        member_name=f"Member {CANARY}", member_email=f"member.{CANARY.lower()}@team.uz",
        pitch=f"Pitch {CANARY}", website=f"https://{CANARY.lower()}.uz")
    startup = application.startup
    startup.description = f"About {CANARY}"
    startup.logo_key = get_storage().save(io.BytesIO(make_png()))
    startup.logo_content_type = "image/png"
    cofounder = make_user(email=f"co.{CANARY.lower()}@founder.uz", name=f"Cofounder {CANARY}")
    db.session.add(StartupCollaborator(startup_id=startup.id, user_id=cofounder.id))
    db.session.commit()
    photo_file = _file(db, application, photo, f"{CANARY} photo.pdf", anonymised=False)
    cv_file = _file(db, application, cv, f"{CANARY} cv.pdf", anonymised=True)
    mine = assign(db, world, application)

    colleague = make_user(email="colleague@example.org", name="Kamola Colleague")
    f.grant(colleague, world.program, Role.REVIEWER)
    theirs = assign(db, world, application, reviewer=colleague)
    db.session.add(Review(assignment_id=theirs.id, scores={"team": 2, "market": 3}, total=7 / 3, status="submitted",
                          recommendation="no", feedback="Needs a CTO.", private_note=f"{PRIVATE} knows them"))
    db.session.commit()
    deck = next(a for a in application.attachments if a.question_id == world.questions["deck"].id)
    return world, mine, deck, photo_file, cv_file


def _clean(text: str, where: str) -> None:
    lowered = text.lower()
    assert CANARY.lower() not in lowered, f"the canary leaked in {where}"
    assert PRIVATE.lower() not in lowered, f"a private note leaked in {where}"


def _check(response, where: str) -> None:
    assert response.status_code < 500, where
    _clean(response.get_data().decode("utf-8", errors="replace"), where)  # downloads are bytes
    _clean(" ".join(f"{k}: {v}" for k, v in response.headers.items()), f"the headers of {where}")


def test_the_canary_never_reaches_a_blind_reviewer(app, client, db, blind, login, post_form, api_token):
    world, mine, deck, photo_file, cv_file = blind
    reviewer = world.reviewer
    token = api_token(reviewer)
    h = bearer(token)
    form = f"/review/assignments/{mine.id}"

    # The API.
    responses = {
        "the API list": client.get("/api/v1/assignments", headers=h),
        "the API list of the stage": client.get(f"/api/v1/assignments?stage_id={world.stage.id}", headers=h),
        "the API detail": client.get(f"/api/v1/assignments/{mine.id}", headers=h),
        "a refused API review": client.put(f"/api/v1/assignments/{mine.id}/review", json={"scores": {"team": 9}},
                                           headers=h),
        "the API review": client.put(f"/api/v1/assignments/{mine.id}/review", headers=h, json={
            "scores": {"team": 4, "market": 3}, "submit": True, "feedback": "Clear problem.", "private_note": "ok"}),
        "the API detail with the others' reviews": client.get(f"/api/v1/assignments/{mine.id}", headers=h),
        "the API download": client.get(f"/api/v1/assignments/{mine.id}/attachments/{deck.id}", headers=h),
    }
    for other in (photo_file, cv_file):
        responses[f"the API download of {other.id}"] = client.get(
            f"/api/v1/assignments/{mine.id}/attachments/{other.id}", headers=h)
    detail = responses["the API detail with the others' reviews"].json
    assert detail["is_blind"] is True and detail["application"]["id"] is None
    assert [a["key"] for a in detail["answers"]] == ["problem"]
    assert [a["name"] for a in detail["attachments"]] == [f"deck-{mine.id}.pdf"]
    assert detail["other_reviews"][0]["feedback"] == "Needs a CTO."
    assert responses["the API download"].status_code == 200 and responses["the API download"].data == PDF
    assert f'filename="deck-{mine.id}.pdf"' in responses["the API download"].headers["Content-Disposition"]
    assert responses[f"the API download of {photo_file.id}"].status_code == 404
    assert responses[f"the API download of {cv_file.id}"].status_code == 404

    # The pages.
    login(reviewer)
    responses.update({
        "my stages": client.get("/review/"),
        "the queue": client.get(f"/review/stages/{world.stage.id}"),
        "the queue, submitted": client.get(f"/review/stages/{world.stage.id}?state=submitted"),
        "the review form": client.get(form),
        "a refused form": post_form(form, {"score_team": "7", "action": "save"}, token_from=form),
        "the saved form": post_form(form, {"score_team": "5", "score_market": "4", "action": "save"},
                                    token_from=form, follow_redirects=True),
        "the page download": client.get(f"{form}/files/{deck.id}"),
        "the logo": client.get(f"{form}/logo"),
    })
    for other in (photo_file, cv_file):
        responses[f"the page download of {other.id}"] = client.get(f"{form}/files/{other.id}")
    page = responses["the review form"].get_data(as_text=True)
    assert "Farmers guess their yield." in page and f"deck-{mine.id}.pdf" in page and "Needs a CTO." in page
    assert f"Anonymous application A-{mine.id}" in page
    assert responses["the page download"].status_code == 200
    assert f'filename="deck-{mine.id}.pdf"' in responses["the page download"].headers["Content-Disposition"]
    assert responses["the logo"].status_code == 404
    assert responses[f"the page download of {photo_file.id}"].status_code == 404
    assert responses[f"the page download of {cv_file.id}"].status_code == 404

    # The e-mail: a reminder before the deadline (the reviewer's review is submitted by now, so
    # give them a second, open assignment in the same stage).
    second = add_application(db, world, name=f"Second {CANARY}", member_email=f"x.{CANARY.lower()}@b.uz")
    assign(db, world, second)
    assert send_review_reminders(now=world.stage.review_deadline - timedelta(hours=20))["queued"] == 1
    db.session.expire_all()
    note = db.session.scalar(select(Notification).where(Notification.kind == "review_reminder"))
    _clean(f"{note.subject}\n{note.body_text}\n{note.body_html}\n{note.link}", "the reminder e-mail")
    responses["my notifications"] = client.get("/notifications/")
    responses["my notifications (API)"] = client.get("/api/v1/notifications", headers=h)
    responses["the queue with two"] = client.get(f"/review/stages/{world.stage.id}")

    for where, response in responses.items():
        _check(response, where)


def test_an_open_stage_shows_identity_but_never_team_e_mails(app, client, db, blind, api_token, login):
    world, mine, deck, photo_file, cv_file = blind
    world.stage.is_blind = False
    db.session.commit()
    token = api_token(world.reviewer)
    body = client.get(f"/api/v1/assignments/{mine.id}", headers=bearer(token)).get_data(as_text=True)
    assert f"{CANARY} Labs" in body and f"Member {CANARY}" in body and f"{CANARY} photo.pdf" in body
    assert f"member.{CANARY.lower()}@team.uz" not in body and f"{CANARY.lower()}@founder.uz" not in body
    assert PRIVATE not in body
    login(world.reviewer)
    page = client.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    assert f"{CANARY} Labs" in page and f"member.{CANARY.lower()}@team.uz" not in page
    assert client.get(f"/review/assignments/{mine.id}/logo").status_code == 200
