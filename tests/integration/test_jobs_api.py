"""GET /api/v1/jobs/{id}: the status and progress of long work, for the person who started it only;
sending letters answers 202 with such a job, whose progress follows the letters' delivery."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incubator.accounts.models import Role
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.services import create_job, finish_job
from incubator.letters.queueing import send_batch
from incubator.notifications.delivery import deliver_notification
from incubator.notifications.models import Notification
from tests.support import broker, clock
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.letters import rejected_applications, season_with_stages


def _send(client, headers, season, **body):
    return client.post(f"/api/v1/seasons/{season.id}/letters", json={"all_unsent": True, **body}, headers=headers)


def test_sending_letters_answers_202_with_a_job_that_follows_the_delivery(client, api_token, manager, program,
                                                                           memory_mail):
    season, screening, _ = season_with_stages(program)
    rejected_applications(season, screening, 3)
    headers = bearer(api_token(manager))
    response = _send(client, headers, season, include_feedback=True)
    assert response.status_code == 202, response.json
    job = response.json["job"]
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    assert (job["kind"], job["status"], job["total"], job["progress"]) == ("letters.send", "queued", 3, 0)
    assert job["result"] == {"batch_id": response.json["batch_id"], "total": 3, "queued": 3, "sent": 0, "failed": 0}

    broker.purge()
    send_batch(response.json["batch_id"])  # what the letters.send_batch task does
    broker.purge()
    polled = client.get(f"/api/v1/jobs/{job['id']}", headers=headers)
    assert polled.status_code == 200 and polled.json["status"] == "running" and polled.json["started_at"]
    ids = list(db.session.scalars(select(Notification.id).order_by(Notification.id)))
    with clock.frozen(utcnow() + timedelta(minutes=1)):
        deliver_notification(ids[0])
        part = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json
        assert (part["status"], part["progress"], part["percent"]) == ("running", 1, 33)
        for note_id in ids[1:]:
            deliver_notification(note_id)
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json
    assert (done["status"], done["progress"], done["total"], done["percent"]) == ("done", 3, 3, 100)
    assert done["result"]["sent"] == 3 and len(memory_mail) == 3

    again = _send(client, headers, season)
    assert again.status_code == 202
    assert (again.json["job"]["status"], again.json["job"]["total"]) == ("done", 0)
    assert len(db.session.scalars(select(Notification)).all()) == 3


def test_a_job_is_seen_only_by_who_started_it_or_an_admin(client, api_token, manager, admin, founder, program,
                                                          make_user):
    season, screening, _ = season_with_stages(program)
    rejected_applications(season, screening, 1)
    response = _send(client, bearer(api_token(manager)), season)
    job_id = response.json["job"]["id"]
    co_manager = make_user(email="co.manager@example.org")
    f.grant(co_manager, program, Role.MANAGER)
    for user in (founder, co_manager):
        denied = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(api_token(user)))
        assert denied.status_code == 404 and denied.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(api_token(admin))).status_code == 200
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 401
    assert client.get(f"/api/v1/jobs/{job_id + 1000}", headers=bearer(api_token(manager))).status_code == 404


def test_a_generic_job_reports_its_own_row(client, api_token, founder):
    job = create_job(kind="reports.compile", actor=founder, total=4, message="Compiling")
    db.session.commit()
    headers = bearer(api_token(founder))
    body = client.get(f"/api/v1/jobs/{job.id}", headers=headers).json
    assert (body["status"], body["progress"], body["total"], body["message"]) == ("queued", 0, 4, "Compiling")
    finish_job(job, result={"report_id": 7}, message="Ready")
    db.session.commit()
    body = client.get(f"/api/v1/jobs/{job.id}", headers=headers).json
    assert (body["status"], body["progress"], body["percent"], body["result"]) == ("done", 4, 100, {"report_id": 7})
    assert body["finished_at"]


def test_sending_is_kept_to_the_seasons_managers(client, api_token, founder, make_user, program):
    season, screening, _ = season_with_stages(program)
    rejected_applications(season, screening, 1)
    outsider = make_user(email="other.manager@example.org")
    f.grant(outsider, f.ProgramFactory(name="FoundHer"), Role.MANAGER)
    for user in (founder, outsider):
        for body in ({"dry_run": True}, {}):
            assert _send(client, bearer(api_token(user)), season, **body).status_code == 404
    assert db.session.scalar(select(Notification.id)) is None
