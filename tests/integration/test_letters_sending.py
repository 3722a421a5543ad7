"""Announcing decisions: which decisions can be announced and with which letter, one outbox row per
recipient in their language, nothing sent twice, the pages (choose, sample, confirm, progress).

The request records the choice (a batch and its job, and the letters still to send); the
`letters.send_batch` task it publishes writes the letters: the tests take that message from the
real broker and run the task here (tests.support.letters.run_send_batches)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.applications.states import Status
from incubator.core.errors import RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.letters import services
from incubator.letters.dispatch import dispatch_batch
from incubator.letters.models import LetterBatch, LetterBatchItem
from incubator.letters.progress import batch_progress
from incubator.letters.queueing import send_letters
from incubator.notifications.delivery import deliver_notification
from incubator.notifications.models import DeliveryStatus, Notification
from tests.support import broker, clock
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import add_cofounder
from tests.support.letters import (
    application_in_review, decide, offer_for, rejected_applications, review, run_send_batches, season_with_stages,
)
from tests.support.queries import count_queries, count_rows


@pytest.fixture(autouse=True)
def _empty_broker(app):
    broker.purge()  # the tasks earlier tests published


@pytest.fixture
def season_setup(program):
    return season_with_stages(program)


def test_each_decision_gets_its_letter_kind_and_superseded_ones_are_left_out(app, manager, season_setup):
    season, screening, interview = season_setup
    advanced = application_in_review(season, screening, name="Advanced")
    decide(advanced, Status.IN_REVIEW, stage=screening, kind="advanced", next_stage=interview)
    rejected = application_in_review(season, screening, name="Rejected")
    decide(rejected, Status.REJECTED, stage=screening)
    waitlisted = application_in_review(season, interview, name="Waitlisted")
    decide(waitlisted, Status.WAITLISTED, stage=interview)
    accepted = application_in_review(season, interview, name="Accepted")
    decide(accepted, Status.ACCEPTED, stage=interview)
    offer_for(accepted)
    promoted = application_in_review(season, interview, name="Promoted")
    decide(promoted, Status.WAITLISTED, stage=interview)
    decide(promoted, Status.ACCEPTED, stage=interview, kind="promoted")
    offer_for(promoted, promoted=True)
    later = application_in_review(season, screening, name="Advanced then rejected")
    decide(later, Status.IN_REVIEW, stage=screening, kind="advanced", next_stage=interview)
    decide(later, Status.REJECTED, stage=interview)
    no_offer = application_in_review(season, interview, name="Accepted, no offer yet")
    decide(no_offer, Status.ACCEPTED, stage=interview)
    withdrawn = application_in_review(season, screening, name="Withdrawn after")
    decide(withdrawn, Status.WAITLISTED, stage=screening)
    withdrawn.status = Status.WITHDRAWN
    db.session.commit()

    found = {d.application.startup.name: d for d in services.letters_for(season, actor=manager)}
    assert {name: d.kind.value for name, d in found.items()} == {
        "Advanced": "advanced", "Rejected": "rejected", "Waitlisted": "waitlisted", "Accepted": "accepted_offer",
        "Promoted": "promoted_from_waitlist", "Advanced then rejected": "rejected"}
    assert (found["Advanced"].stage.id, found["Advanced"].next_stage.id) == (screening.id, interview.id)
    assert found["Advanced then rejected"].stage.id == interview.id
    letter = services.preview(season, found["Advanced"].event, actor=manager).letter
    assert "passed the Screening stage" in letter.text and "moves on to the Interview stage" in letter.text


def test_one_letter_per_recipient_in_their_language_and_never_twice(app, manager, season_setup, program):
    season, screening, _ = season_setup
    program.default_locale = "uz"
    db.session.commit()
    cofounder = f.UserFactory(name="Rustam", locale="ru")
    application = application_in_review(season, screening, owner=f.UserFactory(name="Dilnoza", locale="en"),
                                        name="AgroSense", cofounder=cofounder)
    review(application, screening, reviewer=f.UserFactory(name="Secret Reviewer"), feedback="Find a pilot farm.",
           private_note="PRIVATE NOTE")
    event = decide(application, Status.REJECTED, stage=screening)
    # The program's own letter in English only: the Russian co-founder gets the Russian default letter.
    services.save_template(program, actor=manager, kind="rejected", locale="en",
                           subject="InnoX: {{ startup_name }}", body="Dear {{ founder_name }},\n\n"
                           "{% for item in feedback %}- {{ item }}\n{% endfor %}")
    db.session.commit()

    batch, job = send_letters(season, actor=manager, event_ids=[event.id], include_feedback=True)
    db.session.commit()
    assert run_send_batches(dispatch=False) == [batch.id]
    notes = {n.user_id: n for n in db.session.scalars(select(Notification))}
    assert set(notes) == {application.startup.owner_id, cofounder.id}
    owner_note, cofounder_note = notes[application.startup.owner_id], notes[cofounder.id]
    assert owner_note.dedupe_key == f"letter:{application.id}:{event.id}:{application.startup.owner_id}"
    assert owner_note.subject == "InnoX: AgroSense" and owner_note.locale == "en"
    assert "Dear Dilnoza," in owner_note.body_text and "- Find a pilot farm." in owner_note.body_text
    assert cofounder_note.locale == "ru" and "Здравствуйте, Rustam!" in cofounder_note.body_text
    assert "Find a pilot farm." in cofounder_note.body_text
    for note in notes.values():
        assert note.status == DeliveryStatus.PENDING and note.kind == "decision_letter"
        assert "Secret Reviewer" not in note.body_text + note.body_html and "PRIVATE" not in note.body_text
    assert (job.total, job.kind, job.subject_id) == (2, "letters.send", batch.id)
    assert batch.job_id == job.id and count_rows(LetterBatchItem) == 2

    again, again_job = send_letters(season, actor=manager, event_ids=[event.id], include_feedback=True)
    db.session.commit()
    assert again_job.total == 0 and again_job.status == "done" and "sent before" in again_job.message
    assert run_send_batches() == [] and count_rows(Notification) == 2  # nothing to prepare: no task published
    assert send_letters(season, actor=manager, all_unsent=True)[1].total == 0
    # A co-founder who joined later gets the letter; the others do not get it again.
    late = f.UserFactory(name="Late Cofounder", locale="uz")
    add_cofounder(application.startup, late)
    decision = services.letters_for(season, actor=manager)[0]
    assert decision.is_partly_sent and [u.id for u in decision.unsent_recipients] == [late.id]
    _, job3 = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    assert job3.total == 1
    run_send_batches(dispatch=False)
    assert count_rows(Notification) == 3


def test_choosing_something_that_is_not_an_announceable_decision_is_refused(app, manager, season_setup):
    season, screening, _ = season_setup
    pending = application_in_review(season, screening, name="Still in review")
    with pytest.raises(RuleViolation) as caught:
        send_letters(season, actor=manager, application_ids=[pending.id])
    assert "application_ids" in caught.value.errors
    assert caught.value.errors["application_ids"] == [
        f"Not a decision of this season that can be announced: #{pending.id}."]
    with pytest.raises(RuleViolation):
        send_letters(season, actor=manager)
    other_season, other_stage, _ = season_with_stages(f.ProgramFactory(), name="Other")
    [(_, foreign_event)] = rejected_applications(other_season, other_stage, 1)
    with pytest.raises(RuleViolation):
        send_letters(season, actor=manager, event_ids=[foreign_event.id])
    assert count_rows(Notification) == 0 and count_rows(LetterBatch) == 0


def test_the_batch_is_delivered_at_the_configured_rate(app, manager, season_setup, memory_mail):
    season, screening, _ = season_setup
    rejected_applications(season, screening, 6)
    app.config["LETTER_RATE_PER_SECOND"] = 2
    batch, job = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    run_send_batches(dispatch=False)
    broker.purge()
    start = utcnow()
    assert dispatch_batch(batch.id)["dispatched"] == 6
    broker.purge()  # the delivery tasks are run here, in turn, instead of by a worker
    turns = sorted(db.session.scalars(select(Notification.next_attempt_at)))
    gaps = [(b - a).total_seconds() for a, b in zip(turns, turns[1:], strict=False)]
    assert all(abs(gap - 0.5) < 0.01 for gap in gaps), gaps
    assert turns[0] >= start - timedelta(seconds=1)
    ids = [n.id for n in db.session.scalars(select(Notification).order_by(Notification.next_attempt_at))]
    # Before its turn a letter is not delivered, even when its task arrives early.
    assert deliver_notification(ids[-1]).result == "skipped"
    with clock.frozen(utcnow() + timedelta(minutes=1)):
        assert [deliver_notification(i).result for i in ids] == ["sent"] * 6
        assert [deliver_notification(i).result for i in ids] == ["skipped"] * 6
    assert len(memory_mail) == 6
    assert batch_progress(batch.id).as_dict() == {"total": 6, "queued": 0, "sent": 6, "failed": 0}


# --- The pages ---------------------------------------------------------------------------------------


def test_the_season_page_choose_sample_confirm_send_and_progress(client, login, post_form, manager, season_setup):
    season, screening, _ = season_setup
    pairs = rejected_applications(season, screening, 3)
    login(manager)
    path = f"/manage/seasons/{season.id}/letters"
    page = client.get(path).get_data(as_text=True)
    assert "Startup 000" in page and "Not selected" in page and "Not sent" in page
    chosen = [pairs[0][1].id, pairs[2][1].id]
    sample = post_form(path, {"event_ids": chosen, "action": "preview"}, token_from=path)
    assert sample.status_code == 200 and "Dear " in sample.get_data(as_text=True)
    confirm = post_form(path, {"event_ids": chosen, "action": "confirm"}, token_from=path)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Send 2 letters" in html
    assert count_rows(Notification) == 0  # nothing sent before the confirmation
    sent = post_form(path, {"event_ids": chosen, "action": "send"}, token_from=path)
    assert sent.status_code == 302
    batch = db.session.scalar(select(LetterBatch))
    assert sent.headers["Location"].endswith(f"/manage/letter-batches/{batch.id}")
    writing = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "2 letters are on their way." in writing and "Writing the letters…" in writing
    assert "2 letters to send." in writing and 'hx-trigger="every 2s"' in writing
    assert count_rows(Notification) == 0  # the task writes them
    run_send_batches()
    assert count_rows(Notification) == 2
    progress = client.get(f"/manage/letter-batches/{batch.id}")
    html = progress.get_data(as_text=True)
    assert progress.status_code == 200 and 'hx-trigger="every 2s"' in html and "Reload" in html
    assert '<dd class="col-sm-9" id="count-queued">2</dd>' in html
    partial = client.get(f"/manage/letter-batches/{batch.id}", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "count-sent" in partial.get_data(as_text=True)
    db.session.execute(Notification.__table__.update().values(status=DeliveryStatus.SENT))
    db.session.commit()
    finished = client.get(f"/manage/letter-batches/{batch.id}").get_data(as_text=True)
    assert "hx-trigger" not in finished and '<dd class="col-sm-9" id="count-sent">2</dd>' in finished
    assert "Sent" in client.get(path).get_data(as_text=True)
    again = post_form(path, {"event_ids": chosen, "action": "send"}, token_from=path, follow_redirects=True)
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "Nothing new to send: these letters were sent before." in html
    assert "Finished." in html and "hx-trigger" not in html
    assert run_send_batches() == [] and count_rows(Notification) == 2


def test_the_season_pages_are_kept_to_the_programs_managers(client, login, post_form, make_user, founder,
                                                            season_setup, manager):
    season, screening, _ = season_setup
    rejected_applications(season, screening, 1)
    batch, _ = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    outsider = make_user(email="other.manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="FoundHer"), Role.MANAGER)
    for user in (outsider, founder):
        login(user)
        assert client.get(f"/manage/seasons/{season.id}/letters").status_code == 404
        assert client.get(f"/manage/letter-batches/{batch.id}").status_code == 404
        post_form("/auth/logout")


def test_the_season_page_runs_a_bounded_number_of_queries(client, login, manager, season_setup):
    season, screening, _ = season_setup
    login(manager)
    path = f"/manage/seasons/{season.id}/letters"

    def queries():
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    def decided(n, prefix):
        for application, _ in rejected_applications(season, screening, n, prefix=prefix):
            add_cofounder(application.startup, f.UserFactory())
            review(application, screening, reviewer=f.UserFactory(), feedback="Fine.")

    decided(2, "Small")
    small = queries()
    decided(30, "Large")
    large = queries()
    assert large <= small, (small, large)


def test_api_dry_run_previews_and_sends_nothing(client, api_token, manager, season_setup):
    season, screening, _ = season_setup
    pairs = rejected_applications(season, screening, 3)
    headers = bearer(api_token(manager))
    response = client.post(f"/api/v1/seasons/{season.id}/letters", json={
        "dry_run": True, "application_ids": [a.id for a, _ in pairs], "preview_limit": 2}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["letters"] == 3 and len(response.json["decisions"]) == 3
    assert len(response.json["samples"]) == 2
    sample = response.json["samples"][0]
    assert sample["kind"] == "rejected" and sample["startup_name"] == "Startup 000"
    assert "Startup 000" in sample["subject"] and sample["text"].startswith("Dear ")
    assert count_rows(Notification) == 0 and count_rows(LetterBatch) == 0
    refused = client.post(f"/api/v1/seasons/{season.id}/letters", json={"dry_run": True}, headers=headers)
    assert refused.status_code == 422 and "event_ids" in refused.json["errors"]

