"""Founder pages and API run a bounded number of SQL statements, whatever the number of applications,
answers and team members."""
from __future__ import annotations

from incubator.applications import services
from incubator.startups.models import Gender, TeamMember
from tests.support.factories_fixtures import bearer
from tests.support.journey import GOOD_ANSWERS, season_with_questions, startup_of
from tests.support.queries import count_queries


def _build(db, founder, n_apps: int, n_members: int):
    program_season = season_with_questions()
    ids = []
    for i in range(n_apps):
        season = program_season if i == 0 else season_with_questions(program=program_season.program)
        startup = startup_of(founder, name=f"Startup {i}")
        for m in range(n_members):
            db.session.add(TeamMember(startup_id=startup.id, name=f"Member {m}", gender=Gender.MALE, birth_year=2000))
        db.session.commit()
        application = services.start_application(startup, season, actor=founder)
        services.save_answers(application, GOOD_ANSWERS, actor=founder)
        db.session.commit()
        ids.append(application.id)
    return ids


def _count(client, path, **kw):
    client.get(path, **kw)  # warm up: one-off writes (a token's last use) are not what we measure
    with count_queries() as counter:
        response = client.get(path, **kw)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return counter.count


def test_application_list_and_detail_api_are_bounded(app, db, client, founder, api_token, make_user):
    token = api_token(founder)
    small = _build(db, founder, 2, 1)
    counts_small = (_count(client, "/api/v1/applications?per_page=100", headers=bearer(token)),
                    _count(client, f"/api/v1/applications/{small[0]}", headers=bearer(token)))
    big = _build(db, founder, 18, 8)
    counts_big = (_count(client, "/api/v1/applications?per_page=100", headers=bearer(token)),
                  _count(client, f"/api/v1/applications/{big[-1]}", headers=bearer(token)))
    assert counts_small == counts_big, (counts_small, counts_big)


def test_application_pages_are_bounded(app, db, client, founder, login):
    login(founder)
    small = _build(db, founder, 1, 1)[0]
    pages = ("/my/applications/{}", "/my/applications/{}/form", "/my/applications/{}/submit")
    counts_small = [_count(client, p.format(small)) for p in pages]
    big = _build(db, founder, 1, 15)[0]
    counts_big = [_count(client, p.format(big)) for p in pages]
    assert counts_small == counts_big, (counts_small, counts_big)
