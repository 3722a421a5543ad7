"""Closing a season: what blocks it, closing without and with the explicit confirmation (statuses,
timeline events, offers expired, nobody promoted, nobody e-mailed), closing twice (one report), two
managers closing at once, the draft season, who may close, and the page."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.jobs.models import Job
from incubator.notifications.models import Notification
from incubator.programs.models import Season, SeasonStatus
from incubator.reports.models import ReportStatus, SeasonReport
from incubator.selection import closing
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from tests.integration.test_decisions import in_review, make_season, submitted
from tests.support import factories as f
from tests.support.factories_fixtures import bearer


def fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def decided(app, db, program, manager):
    """A season in 'decided' with one of everything: undecided (in review, submitted), waitlisted,
    an open offer, a confirmed offer, rejected, withdrawn, and a draft."""
    season, (first, last) = make_season(program, stages=2, quota=5)
    apps = in_review(db, season, first, [("Review Co", 4)])
    apps["Submitted Co"] = submitted(db, season, "Submitted Co")
    apps["Waiting Co"] = submitted(db, season, "Waiting Co", Status.WAITLISTED, last)
    db.session.add(WaitlistEntry(application_id=apps["Waiting Co"].id, season_id=season.id, stage_id=last.id, rank=1))
    apps["Offer Co"] = submitted(db, season, "Offer Co", Status.ACCEPTED, last)
    apps["Cohort Co"] = submitted(db, season, "Cohort Co", Status.ACCEPTED, last)
    apps["Rejected Co"] = submitted(db, season, "Rejected Co", Status.REJECTED, first)
    apps["Gone Co"] = submitted(db, season, "Gone Co", Status.WITHDRAWN)
    apps["Draft Co"] = submitted(db, season, "Draft Co", Status.DRAFT)
    deadline = utcnow() + timedelta(days=5)
    db.session.add_all([
        Offer(application_id=apps["Offer Co"].id, season_id=season.id, status=OfferStatus.OPEN, deadline_at=deadline),
        Offer(application_id=apps["Cohort Co"].id, season_id=season.id, status=OfferStatus.CONFIRMED,
              deadline_at=deadline, responded_at=utcnow()),
    ])
    season.status = SeasonStatus.DECIDED
    db.session.commit()
    return season, first, last, apps


def fully_decided(db, program):
    season, (first,) = make_season(program, stages=1)
    submitted(db, season, "Cohort Co", Status.ACCEPTED, first)
    submitted(db, season, "Rejected Co", Status.REJECTED, first)
    season.status = SeasonStatus.DECIDED
    db.session.commit()
    return season


def close(client, token, season, body=None):
    return client.post(f"/api/v1/seasons/{season.id}/close", json=body if body is not None else {},
                       headers=bearer(token))


# --- What blocks closing --------------------------------------------------------------------------

def test_the_blockers_are_listed(app, db, client, manager, api_token, decided):
    season, first, last, apps = decided
    blockers = closing.close_blockers(season)
    assert blockers.blocking
    assert sorted(a for a, _, _ in blockers.undecided) == sorted([apps["Review Co"].id, apps["Submitted Co"].id])
    assert blockers.by_stage() == {first.id: {"undecided": 1, "waitlisted": 0},
                                   None: {"undecided": 1, "waitlisted": 0},
                                   last.id: {"undecided": 0, "waitlisted": 1}}
    response = client.get(f"/api/v1/seasons/{season.id}/close", headers=bearer(api_token(manager)))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "decided" and body["blockers"]["blocking"] is True
    assert body["blockers"]["undecided"] == {"count": 2, "application_ids": sorted(
        [apps["Review Co"].id, apps["Submitted Co"].id])}
    assert body["blockers"]["waitlisted"] == {"count": 1, "application_ids": [apps["Waiting Co"].id]}
    offer_id = db.session.scalar(select(Offer.id).where(Offer.application_id == apps["Offer Co"].id))
    assert body["blockers"]["open_offers"] == {"count": 1, "offer_ids": [offer_id],
                                               "application_ids": [apps["Offer Co"].id]}
    # Drafts never submitted do not block: they are only reported.
    assert body["blockers"]["unfinished_drafts"] == {"count": 1, "application_ids": [apps["Draft Co"].id]}
    assert any(f"#{apps['Waiting Co'].id}" in line for line in body["messages"])


def test_a_fully_decided_season_has_no_blockers(app, db, program):
    season = fully_decided(db, program)
    assert not closing.close_blockers(season).blocking


# --- Closing --------------------------------------------------------------------------------------

def test_undecided_applications_without_confirmation_block_closing_and_nothing_changes(
        app, db, client, manager, api_token, decided):
    season, _, _, apps = decided
    events_before = count(db, ApplicationEvent)
    response = close(client, api_token(manager), season)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "close_blocked"
    detail = response.json["detail"]
    assert "Season 3" in detail and "cannot be closed yet" in detail and "Nothing was changed" in detail
    for name in ("Review Co", "Submitted Co", "Waiting Co", "Offer Co"):
        assert f"#{apps[name].id}" in detail, name
    assert response.json["blockers"]["undecided"]["count"] == 2
    row = fresh(db, Season, season.id)
    assert (row.status, row.closed_at, row.closed_by_id) == (SeasonStatus.DECIDED, None, None)
    assert fresh(db, Application, apps["Review Co"].id).status == Status.IN_REVIEW
    assert fresh(db, Application, apps["Waiting Co"].id).status == Status.WAITLISTED
    assert db.session.scalar(select(Offer.status).where(Offer.application_id == apps["Offer Co"].id)) == "open"
    assert count(db, ApplicationEvent) == events_before
    assert count(db, SeasonReport) == 0


def test_closing_with_confirmation_resolves_every_blocker(app, db, client, manager, api_token, decided):
    season, first, last, apps = decided
    notes_before = count(db, Notification)
    offers_before = count(db, Offer)
    response = close(client, api_token(manager), season, {"confirm": True, "locale": "ru"})
    assert response.status_code == 202, response.json
    body = response.json
    row = fresh(db, Season, season.id)
    assert row.status == SeasonStatus.CLOSED and row.closed_by_id == manager.id
    assert abs((row.closed_at - utcnow()).total_seconds()) < 60
    assert body["season_id"] == season.id and body["status"] == "closed"
    assert body["season"]["status"] == "closed" and body["season"]["closed_by_id"] == manager.id
    report = db.session.scalar(select(SeasonReport).where(SeasonReport.season_id == season.id))
    assert body["report_id"] == report.id
    assert (report.status, report.locale, report.provisional, report.requested_by_id) == (
        ReportStatus.QUEUED, "ru", False, manager.id)
    job = db.session.get(Job, report.job_id)
    assert body["job"]["id"] == job.id and body["job"]["status"] == "queued" and body["job"]["kind"] == "season_report"
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job.id}")

    # Undecided and waitlisted: rejected, each with a "season_closed" event saying why.
    expected = {"Review Co": ("in_review", first.id, closing.UNDECIDED_REASON),
                "Submitted Co": ("submitted", None, closing.UNDECIDED_REASON),
                "Waiting Co": ("waitlisted", last.id, closing.WAITLISTED_REASON)}
    for name, (from_status, stage_id, reason) in expected.items():
        application = fresh(db, Application, apps[name].id)
        assert application.status == Status.REJECTED and application.decided_at is not None, name
        (event,) = db.session.scalars(select(ApplicationEvent).where(
            ApplicationEvent.application_id == application.id, ApplicationEvent.kind == "season_closed")).all()
        assert (event.from_status, event.to_status, event.stage_id, event.reason, event.actor_id) == (
            from_status, "rejected", stage_id, reason, manager.id), name
    # Nobody promoted from the waitlist: no new offer, the entry not promoted.
    assert count(db, Offer) == offers_before
    assert db.session.scalar(select(WaitlistEntry.promoted_at)) is None
    # The open offer expired (the application stays accepted), with its event; the confirmed one is untouched.
    offer = db.session.scalar(select(Offer).where(Offer.application_id == apps["Offer Co"].id))
    assert offer.status == OfferStatus.EXPIRED and offer.responded_at is not None
    assert fresh(db, Application, apps["Offer Co"].id).status == Status.ACCEPTED
    (expired,) = db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == apps["Offer Co"].id, ApplicationEvent.kind == "offer_expired")).all()
    assert expired.reason == closing.OFFER_REASON
    assert db.session.scalar(select(Offer.status).where(Offer.application_id == apps["Cohort Co"].id)) == "confirmed"
    # Final states and drafts stay as they were.
    assert fresh(db, Application, apps["Rejected Co"].id).status == Status.REJECTED
    assert fresh(db, Application, apps["Gone Co"].id).status == Status.WITHDRAWN
    assert fresh(db, Application, apps["Draft Co"].id).status == Status.DRAFT
    # No founder is e-mailed on close.
    assert count(db, Notification) == notes_before
    # The founder's timeline says so.
    owner = apps["Review Co"].startup.owner
    timeline = client.get(f"/api/v1/applications/{apps['Review Co'].id}/timeline",
                          headers=bearer(api_token(owner)))
    assert timeline.status_code == 200
    assert [(e["kind"], e["to_status"]) for e in timeline.json if e["kind"] == "season_closed"] == [
        ("season_closed", "rejected")]


def test_closing_twice_changes_nothing_and_starts_one_report(app, db, client, manager, api_token, program):
    season = fully_decided(db, program)
    token = api_token(manager)
    first = close(client, token, season)
    assert first.status_code == 202, first.json
    closed_at = fresh(db, Season, season.id).closed_at
    events = count(db, ApplicationEvent)
    again = close(client, token, season, {"confirm": True})
    assert again.status_code == 200, again.json
    assert again.json["report_id"] == first.json["report_id"]
    assert again.json["job"]["id"] == first.json["job"]["id"]
    assert again.json["closed_at"] == first.json["closed_at"]
    assert count(db, SeasonReport) == 1 and count(db, Job, Job.kind == "season_report") == 1
    assert fresh(db, Season, season.id).closed_at == closed_at
    assert count(db, ApplicationEvent) == events


def test_closing_a_closed_season_without_a_report_starts_none(app, db, client, manager, api_token, program):
    season = fully_decided(db, program)
    season.status, season.closed_at = SeasonStatus.CLOSED, utcnow() - timedelta(days=3)
    db.session.commit()
    response = close(client, api_token(manager), season)
    assert response.status_code == 200
    assert response.json["report_id"] is None and response.json["job"] is None
    assert count(db, SeasonReport) == 0


def test_two_managers_closing_at_once(app, db, program, manager, make_user, api_token):
    season = fully_decided(db, program)
    other = make_user(email="co-manager@example.org", name="Co Manager")
    f.grant(other, program, Role.MANAGER)
    tokens = [api_token(manager), api_token(other)]
    barrier = threading.Barrier(2)
    results = []

    def post(token):
        client = app.test_client()
        with app.app_context():
            barrier.wait()
            response = client.post(f"/api/v1/seasons/{season.id}/close", json={"confirm": True},
                                   headers=bearer(token))
            results.append((response.status_code, response.json))

    threads = [threading.Thread(target=post, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in results) == [200, 202], results
    assert len({body["report_id"] for _, body in results}) == 1
    assert count(db, SeasonReport) == 1
    row = fresh(db, Season, season.id)
    assert row.status == SeasonStatus.CLOSED and row.closed_by_id in (manager.id, other.id)


def test_a_draft_season_cannot_be_closed(app, db, client, manager, api_token, program):
    season, _ = make_season(program, stages=1)
    season.status = SeasonStatus.DRAFT
    db.session.commit()
    response = close(client, api_token(manager), season, {"confirm": True})
    assert response.status_code == 409 and response.json["code"] == "season_draft"
    assert "still a draft" in response.json["detail"]
    assert fresh(db, Season, season.id).status == SeasonStatus.DRAFT and count(db, SeasonReport) == 0


def test_only_the_programs_managers_may_close(app, db, client, program, make_user, api_token, founder):
    season = fully_decided(db, program)
    outsider = make_user(email="other-manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    for user in (outsider, founder):
        token = api_token(user)
        assert close(client, token, season, {"confirm": True}).status_code == 404
        assert client.get(f"/api/v1/seasons/{season.id}/close", headers=bearer(token)).status_code == 404
    assert client.post(f"/api/v1/seasons/{season.id}/close", json={}).status_code == 401
    unknown = client.post(f"/api/v1/seasons/{2**31 - 1}/close", json={}, headers=bearer(api_token(founder)))
    assert unknown.status_code == 404
    assert fresh(db, Season, season.id).status == SeasonStatus.DECIDED


@pytest.mark.parametrize("body", [{"confirm": "maybe"}, {"locale": "fr"}, {"confirm": True, "extra": 1}, []])
def test_bad_bodies_are_422(app, db, client, manager, api_token, program, body):
    season = fully_decided(db, program)
    response = close(client, api_token(manager), season, body)
    assert response.status_code == 422, response.json
    assert fresh(db, Season, season.id).status == SeasonStatus.DECIDED


# --- The page -------------------------------------------------------------------------------------

def test_the_page_lists_the_blockers_and_closes_only_when_confirmed(app, db, client, manager, login, post_form,
                                                                     decided):
    season, first, last, apps = decided
    login(manager)
    url = f"/manage/seasons/{season.id}/close"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Closing is final" in html
    assert "2 applications have no decision yet" in html and f"#{apps['Review Co'].id}" in html
    assert "1 application is on the waitlist" in html
    assert f'href="/manage/stages/{first.id}/decisions"' in html
    assert f'href="/manage/stages/{last.id}/decisions"' in html
    assert f'href="/manage/seasons/{season.id}/decisions"' in html
    assert ("I understand: 2 undecided applications will be rejected; 1 waitlisted application will be rejected "
            "(nobody is promoted); 1 open offer will expire") in html
    assert "1 draft was never submitted" in html
    # The season's page links here.
    assert f'href="{url}"' in client.get(f"/manage/seasons/{season.id}").get_data(as_text=True)

    refused = post_form(url, {"locale": "en"}, token_from=url)
    assert refused.status_code == 422
    assert "Tick the box" in refused.get_data(as_text=True)
    assert fresh(db, Season, season.id).status == SeasonStatus.DECIDED

    done = post_form(url, {"locale": "uz", "confirm": "yes"}, token_from=url)
    assert done.status_code == 302
    report = db.session.scalar(select(SeasonReport).where(SeasonReport.season_id == season.id))
    assert report is not None and report.locale == "uz"
    if "manager.report" in app.view_functions:
        assert done.headers["Location"].endswith(f"/manage/reports/{report.id}")
    else:
        assert done.headers["Location"].endswith(url)
    assert fresh(db, Season, season.id).status == SeasonStatus.CLOSED
    assert fresh(db, Application, apps["Review Co"].id).status == Status.REJECTED

    closed = client.get(url).get_data(as_text=True)
    assert re.search(r"Closed on [^<]+ by Manager\.", closed)
    assert "Close the season for good" not in closed
    season_page = client.get(f"/manage/seasons/{season.id}").get_data(as_text=True)
    assert re.search(r"Closed on [^<]+ by Manager\.", season_page)
    # Posting again changes nothing (idempotent) and says so.
    again = post_form(url, {"confirm": "yes"}, token_from=f"/manage/seasons/{season.id}", follow_redirects=True)
    assert "was already closed" in again.get_data(as_text=True)
    assert count(db, SeasonReport) == 1


def test_the_page_is_404_for_other_managers(app, db, client, program, make_user, login, post_form):
    season = fully_decided(db, program)
    outsider = make_user(email="other-manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    login(outsider)
    assert client.get(f"/manage/seasons/{season.id}/close").status_code == 404
    assert post_form(f"/manage/seasons/{season.id}/close", {"confirm": "yes"}).status_code == 404
    assert fresh(db, Season, season.id).status == SeasonStatus.DECIDED
