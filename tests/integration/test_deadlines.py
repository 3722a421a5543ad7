"""The deadline is decided by the server clock, in the season's time zone, plus the grace period."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from incubator.applications.models import Application
from incubator.notifications.models import Notification
from tests.support.clock import frozen
from tests.support.factories_fixtures import bearer
from tests.support.journey import GOOD_ANSWERS, draft, season_with_questions, startup_of

# 18:00 in Tashkent (UTC+5) is 13:00 UTC.
CLOSES = datetime(2026, 12, 12, 13, 0, tzinfo=UTC)


@pytest.fixture
def ready(app, db, founder):
    season = season_with_questions(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES, grace_minutes=15,
                                   timezone="Asia/Tashkent")
    application = draft(startup_of(founder), season, founder)
    from incubator.applications import services

    with frozen(CLOSES - timedelta(hours=1)):
        services.save_answers(application, GOOD_ANSWERS, actor=founder)
        db.session.commit()
    return application


@pytest.mark.parametrize("offset, ok", [
    (timedelta(minutes=-1), True),         # a minute before 18:00 Tashkent
    (timedelta(minutes=14, seconds=59), True),  # inside the 15-minute grace
    (timedelta(minutes=15, seconds=1), False),  # a second after the grace
    (timedelta(hours=3), False),
])
def test_submit_around_the_deadline(app, db, client, founder, api_token, ready, offset, ok):
    token = api_token(founder)
    with frozen(CLOSES + offset):
        response = client.post(f"/api/v1/applications/{ready.id}/submit", headers=bearer(token))
    if ok:
        assert response.status_code == 200 and response.json["status"] == "submitted"
    else:
        assert response.status_code == 409
        detail = response.json["detail"]
        assert "deadline has passed" in detail
        assert "18:00" in detail and "Asia/Tashkent (UTC+05:00)" in detail
        assert db.session.get(Application, ready.id).status == "draft"


def test_late_page_names_the_deadline_in_both_time_zones(app, db, client, login, founder, ready, post_form):
    founder.timezone = "Europe/London"
    db.session.commit()
    login(founder)
    with frozen(CLOSES + timedelta(hours=1)):
        response = post_form(f"/my/applications/{ready.id}/submit", {}, token_from=f"/my/applications/{ready.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "18:00" in page and "Asia/Tashkent (UTC+05:00)" in page
    assert "13:00" in page and "Europe/London (UTC+00:00)" in page


def test_editing_after_the_deadline_is_refused(app, db, client, founder, api_token, ready):
    token = api_token(founder)
    with frozen(CLOSES + timedelta(minutes=16)):
        response = client.patch(f"/api/v1/applications/{ready.id}", json={"answers": {"pitch": "late edit"}},
                                headers=bearer(token))
    assert response.status_code == 409 and "deadline has passed" in response.json["detail"]


def test_two_simultaneous_submits_make_one_submission_and_one_confirmation(app, db, founder, api_token, ready):
    token = api_token(founder)
    barrier = threading.Barrier(2)
    results = []

    def submit():
        client = app.test_client()
        with app.app_context():
            barrier.wait()
            results.append(client.post(f"/api/v1/applications/{ready.id}/submit", headers=bearer(token)).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    with frozen(CLOSES - timedelta(minutes=5)):
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(results) == [200, 409], results
    db.session.expire_all()
    assert db.session.get(Application, ready.id).status == "submitted"
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "application_submitted")) == 1
