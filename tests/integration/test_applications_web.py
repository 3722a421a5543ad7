"""The founder's journey in the web pages: apply, autosave, save without JavaScript, submit, withdraw."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incubator.applications.models import Answer, Application
from incubator.notifications.models import Notification
from tests.support import factories as f
from tests.support.journey import GOOD_ANSWERS, add_cofounder, season_with_questions, startup_of


@pytest.fixture
def journey(app, db, founder, login):
    season = season_with_questions()
    startup = startup_of(founder)
    login(founder)
    return season, startup


def _form_data(answers: dict) -> dict:
    data = {}
    for key, value in answers.items():
        data[f"q_{key}"] = value
    data["q_needs__present"] = "1"
    return data


def test_apply_autosave_submit_and_timeline(app, db, client, founder, journey, post_form):
    season, startup = journey
    page = client.get(f"/my/seasons/{season.id}/apply").get_data(as_text=True)
    assert "Paxta AI" in page and "Start the application" in page
    response = post_form(f"/my/seasons/{season.id}/apply", {"startup_id": startup.id},
                         token_from=f"/my/seasons/{season.id}/apply")
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    form_url = f"/my/applications/{application.id}/form"
    assert response.location.endswith(form_url)
    form = client.get(form_url).get_data(as_text=True)
    for label in ("One-line pitch", "The problem", "Team size", "Sector", "Support you need", "Website", "Founded"):
        assert label in form
    assert 'data-max-words="50"' in form and 'maxlength="120"' in form and 'hx-post' in form
    # Autosave of one question (what htmx sends after the founder stops typing).
    saved = post_form(f"/my/applications/{application.id}/answers/pitch", {"q_pitch": "Drones for cotton"},
                      token_from=form_url, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)
    bad = post_form(f"/my/applications/{application.id}/answers/team_size", {"q_team_size": "lots"},
                    token_from=form_url, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "Enter a number" in bad.get_data(as_text=True)
    # Reload: the autosaved answer is there.
    assert "Drones for cotton" in client.get(form_url).get_data(as_text=True)
    # Without JavaScript: the Save button posts everything.
    response = post_form(form_url, _form_data(GOOD_ANSWERS), token_from=form_url)
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.scalars(select(Answer)).all()) == 7
    assert "Submit now" in client.get(f"/my/applications/{application.id}/submit").get_data(as_text=True)
    response = post_form(f"/my/applications/{application.id}/submit", {}, token_from=form_url)
    assert response.status_code == 302
    detail = client.get(f"/my/applications/{application.id}").get_data(as_text=True)
    assert "Submitted" in detail and "Draft started" in detail and "Agritech" in detail
    assert db.session.scalar(select(Notification.kind)) == "application_submitted"
    # The form is frozen now.
    assert client.get(form_url).status_code == 302
    frozen = post_form(f"/my/applications/{application.id}/answers/pitch", {"q_pitch": "changed"},
                       token_from=f"/my/applications/{application.id}")
    assert frozen.status_code == 409 and "frozen" in frozen.get_data(as_text=True)


def test_a_second_window_overwrite_is_shown(app, db, client, founder, make_user, journey, post_form):
    season, startup = journey
    from incubator.applications import services

    application = services.start_application(startup, season, actor=founder)
    db.session.commit()
    cofounder = make_user(name="Kamola")
    add_cofounder(startup, cofounder)
    form_url = f"/my/applications/{application.id}/form"
    first = post_form(f"/my/applications/{application.id}/answers/pitch", {"q_pitch": "v1"}, token_from=form_url)
    version = re.search(r'name="version_pitch" value="([^"]*)"', first.get_data(as_text=True)).group(1)
    db.session.expire_all()
    services.save_answers(db.session.get(Application, application.id), {"pitch": "v2 from Kamola"}, actor=cofounder)
    db.session.commit()
    third = post_form(f"/my/applications/{application.id}/answers/pitch",
                      {"q_pitch": "v3", "version_pitch": version}, token_from=form_url)
    text = third.get_data(as_text=True)
    assert third.status_code == 200
    assert "changed in another window by Kamola" in text
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value)) == "v3"


def test_no_js_save_with_errors_keeps_what_was_typed(app, db, client, journey, post_form, founder):
    season, startup = journey
    from incubator.applications import services

    application = services.start_application(startup, season, actor=founder)
    db.session.commit()
    form_url = f"/my/applications/{application.id}/form"
    response = post_form(form_url, _form_data({**GOOD_ANSWERS, "team_size": "999"}), token_from=form_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The largest allowed value is 50" in page and 'value="999"' in page
    assert GOOD_ANSWERS["problem"] in page
    assert db.session.scalar(select(Answer)) is None  # nothing half-saved


def test_withdraw_needs_confirmation(app, db, client, journey, post_form, founder):
    season, startup = journey
    from incubator.applications import services

    application = services.start_application(startup, season, actor=founder)
    db.session.commit()
    url = f"/my/applications/{application.id}/withdraw"
    assert "Yes, withdraw this application" in client.get(url).get_data(as_text=True)
    post_form(url, {"reason": "changed plans"}, token_from=url)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "draft"
    post_form(url, {"reason": "changed plans", "confirm": "yes"}, token_from=url)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "withdrawn"
    assert "changed plans" in client.get(f"/my/applications/{application.id}").get_data(as_text=True)


def test_another_founders_application_pages_are_404(app, db, client, journey, make_user):
    season, _ = journey
    other = startup_of(make_user(), name="Hidden Startup")
    theirs = Application(season_id=season.id, startup_id=other.id, status="draft")
    db.session.add(theirs)
    db.session.commit()
    for path in (f"/my/applications/{theirs.id}", f"/my/applications/{theirs.id}/form",
                 f"/my/applications/{theirs.id}/submit", f"/my/applications/{theirs.id}/withdraw",
                 f"/my/applications/{theirs.id}/pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Hidden Startup" not in response.get_data(as_text=True)


def test_eligibility_is_shown_before_starting(app, db, client, founder, login):
    program = f.ProgramFactory(name="FoundHer", eligibility_rules=[{"rule": "women_led"}])
    season = season_with_questions(program=program)
    startup_of(founder, women=False)
    login(founder)
    page = client.get(f"/my/seasons/{season.id}/apply").get_data(as_text=True)
    assert "does not meet" in page and "At least one woman founder" in page
