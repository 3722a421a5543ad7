"""Decision-letter templates: saved only when they render (the refusal names the line), previewed
for a real application with the reviewers' feedback and never their names or private notes, and
kept to the program's managers."""
from __future__ import annotations

from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.letters import services
from incubator.letters.models import LetterTemplate
from incubator.notifications.models import Notification
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.letters import application_in_review, decide, offer_for, review, season_with_stages

GOOD_SUBJECT = "{{ program_name }}: about {{ startup_name }}"
GOOD_BODY = ("Dear {{ founder_name }},\n\nAfter {{ stage_name }} we cannot go on with {{ startup_name }}.\n"
             "{% for item in feedback %}\n* {{ item }}\n{% endfor %}\nThe {{ program_name }} team\n")
BROKEN_BODY = "Dear {{ founder_name }},\n\nThank you.\n{% if feedback %}\nNo end to this block\n"


def _scenario(program):
    season, screening, _ = season_with_stages(program)
    owner = f.UserFactory(name="Dilnoza Karimova", email="dilnoza@example.org")
    application = application_in_review(season, screening, owner=owner, name="AgroSense")
    alice = f.UserFactory(name="Alisher Reviewerov", email="alisher.reviewer@example.org")
    bella = f.UserFactory(name="Bella Secretname", email="bella@example.org")
    review(application, screening, reviewer=alice, feedback="Talk to more farmers before building.",
           private_note="PRIVATE: the CEO seemed unprepared")
    review(application, screening, reviewer=bella, feedback="A clear problem, well told.",
           private_note="PRIVATE: I know the CTO")
    review(application, screening, reviewer=f.UserFactory(name="Drafty McDraft"), feedback="UNSUBMITTED draft text",
           submitted=False)
    event = decide(application, Status.REJECTED, stage=screening)
    return season, application, event


# --- Saving -----------------------------------------------------------------------------------------


def test_manager_saves_a_valid_template_in_the_page(client, login, post_form, manager, program):
    login(manager)
    path = f"/manage/programs/{program.id}/letters/rejected/ru"
    page = client.get(path)
    assert page.status_code == 200
    assert "{{ founder_name }}" in page.get_data(as_text=True)  # the placeholder help
    response = post_form(path, {"subject": GOOD_SUBJECT, "body": GOOD_BODY, "action": "save"}, token_from=path)
    assert response.status_code == 302
    row = db.session.scalar(select(LetterTemplate))
    assert (row.program_id, row.kind, row.locale, row.subject) == (program.id, "rejected", "ru", GOOD_SUBJECT)
    assert row.updated_by_id == manager.id
    grid = client.get(f"/manage/programs/{program.id}/letters").get_data(as_text=True)
    assert "Program&#39;s letter" in grid or "Program's letter" in grid


def test_a_template_that_does_not_render_is_refused_with_its_line(client, login, post_form, manager, program):
    login(manager)
    path = f"/manage/programs/{program.id}/letters/rejected/en"
    response = post_form(path, {"subject": GOOD_SUBJECT, "body": BROKEN_BODY, "action": "save"}, token_from=path)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Line 5" in html or "Line 4" in html
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0


def test_api_put_refuses_an_unknown_placeholder_with_the_line(client, api_token, manager, program):
    headers = bearer(api_token(manager))
    url = f"/api/v1/programs/{program.id}/letter-templates/rejected/en"
    body = "Dear {{ founder_name }},\n\nYour score was {{ score }}.\n"
    response = client.put(url, json={"subject": GOOD_SUBJECT, "body": body}, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    message = response.json["errors"]["body"][0]
    assert message.startswith("Line 3") and "score" in message
    # A placeholder of another kind is refused too: next_stage_name belongs to "advanced" letters.
    response = client.put(url, json={"subject": "{{ next_stage_name }}", "body": GOOD_BODY}, headers=headers)
    assert response.status_code == 422 and response.json["errors"]["subject"][0].startswith("Line 1")
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0


def test_api_lists_saves_and_resets_templates(client, api_token, manager, program):
    headers = bearer(api_token(manager))
    listed = client.get(f"/api/v1/programs/{program.id}/letter-templates", headers=headers)
    assert listed.status_code == 200
    assert len(listed.json) == 6 * len(program.languages)
    assert all(t["is_default"] for t in listed.json)
    url = f"/api/v1/programs/{program.id}/letter-templates/rejected/uz"
    saved = client.put(url, json={"subject": GOOD_SUBJECT, "body": GOOD_BODY}, headers=headers)
    assert saved.status_code == 200
    assert saved.json["is_default"] is False and saved.json["subject"] == GOOD_SUBJECT
    assert "feedback" in saved.json["placeholders"] and "confirm_link" not in saved.json["placeholders"]
    again = client.put(url, json={"subject": "Changed {{ startup_name }}", "body": GOOD_BODY}, headers=headers)
    assert again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 1
    assert client.delete(url, headers=headers).status_code == 204
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0
    assert client.put(f"/api/v1/programs/{program.id}/letter-templates/bogus/en", json={
        "subject": "x", "body": "y"}, headers=headers).status_code == 404
    assert client.put(f"/api/v1/programs/{program.id}/letter-templates/rejected/fr", json={
        "subject": "x", "body": "y"}, headers=headers).status_code == 404


def test_templates_are_kept_to_the_programs_managers(client, login, api_token, make_user, founder, program):
    other_program = f.ProgramFactory(name="FoundHer")
    outsider = make_user(email="other.manager@example.org")
    f.grant(outsider, other_program, Role.MANAGER)
    for user in (outsider, founder):
        headers = bearer(api_token(user))
        assert client.get(f"/api/v1/programs/{program.id}/letter-templates", headers=headers).status_code == 404
        assert client.put(f"/api/v1/programs/{program.id}/letter-templates/rejected/en",
                          json={"subject": GOOD_SUBJECT, "body": GOOD_BODY}, headers=headers).status_code == 404
    login(outsider)
    assert client.get(f"/manage/programs/{program.id}/letters").status_code == 404
    assert client.get(f"/manage/programs/{program.id}/letters/rejected/en").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0


# --- Previewing -------------------------------------------------------------------------------------


def test_preview_for_a_real_application_has_the_feedback_and_no_names_or_private_notes(
        client, login, post_form, manager, program):
    season, application, _ = _scenario(program)
    login(manager)
    path = f"/manage/programs/{program.id}/letters/rejected/en"
    page = client.get(path).get_data(as_text=True)
    assert f'value="{application.id}"' in page  # the application is offered in the select
    response = post_form(path, {"subject": GOOD_SUBJECT, "body": GOOD_BODY, "application_id": application.id,
                                "action": "preview"}, token_from=path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Dear Dilnoza Karimova," in html
    assert "After Screening we cannot go on with AgroSense." in html
    assert "Talk to more farmers before building." in html and "A clear problem, well told." in html
    for secret in ("Alisher", "Bella", "Secretname", "PRIVATE", "UNSUBMITTED", "alisher.reviewer@"):
        assert secret not in html
    # A preview saves and sends nothing.
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_preview_of_an_offer_letter_names_the_offer_deadline_in_the_founders_language(app, manager, program):
    season, screening, interview = season_with_stages(program)
    owner = f.UserFactory(name="Nodira", locale="ru")
    application = application_in_review(season, interview, owner=owner, name="Paxta AI")
    decide(application, Status.ACCEPTED, stage=interview)
    offer_for(application)
    shown = services.preview(season, application, actor=manager)
    assert shown.kind == "accepted_offer" and shown.locale == "ru"
    assert "Здравствуйте, Nodira!" in shown.letter.text
    assert "Asia/Tashkent" in shown.letter.text  # the offer deadline, in the season's zone
    assert "/applications/" in shown.letter.text


def test_preview_of_an_unsaved_broken_template_shows_the_error(client, login, post_form, manager, program):
    _, application, _ = _scenario(program)
    login(manager)
    path = f"/manage/programs/{program.id}/letters/rejected/en"
    response = post_form(path, {"subject": GOOD_SUBJECT, "body": "Hello {{ founder_name }\n",
                                "application_id": application.id, "action": "preview"}, token_from=path)
    assert response.status_code == 422
    assert "Line 1" in response.get_data(as_text=True)
