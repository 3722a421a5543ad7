"""A stage's leaderboard: the page, the API and the exports agree with the pure maths
(incubator.reviews.scoring) on the same reviews, sort and filter as asked, move the cut line with
"top N", neutralise spreadsheet formulas, stay with the program's managers, and run a bounded
number of queries."""
from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from incubator.accounts.models import Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.extensions import db as database
from incubator.programs.models import SeasonStatus
from incubator.reviews import ranking, scoring
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.startups.models import Gender, Startup, StartupStage, TeamMember
from tests.support import factories as f
from tests.support.factories_fixtures import bearer, csrf_from
from tests.support.queries import count_queries

CRITERIA = [("team", Decimal("2"), 1, 5), ("market", Decimal("1"), 1, 5)]
RUBRIC = [scoring.Criterion(key, weight, lo, hi) for key, weight, lo, hi in CRITERIA]

# name: (region, sector, startup stage, women-led, status, {reviewer index: (team, market, recommendation)})
SPECS = {
    "Alpha": ("andijan", "agritech", "idea", True, "in_review", {0: (5, 5, "yes"), 1: (4, 4, "yes")}),
    "Beta": ("bukhara", "fintech", "mvp", False, "in_review", {0: (3, 3, "maybe"), 1: (5, 2, "yes")}),
    "Gamma": ("andijan", "edtech", "mvp", True, "in_review", {0: (5, 5, "strong_yes"), 2: (1, 1, "strong_no")}),
    "Delta": ("tashkent_city", "agritech", "prototype", False, "waitlisted", {1: (2, 2, "no"), 2: (2, 3, "maybe")}),
    "Epsilon": ("fergana", "fintech", "revenue", True, "in_review", {2: (4, 4, "yes")}),
    "Zeta": ("samarkand", "agritech", "idea", False, "in_review", {}),
    "Eta": ("bukhara", "edtech", "prototype", True, "in_review", {0: (4, 3, "yes"), 1: (3, 4, "no")}),
}


def _startup(owner, name, region="andijan", sector="agritech", stage="idea", women=False, extra_women=0):
    startup = Startup(owner_id=owner.id, name=name, sector=sector, region=region, stage=StartupStage(stage))
    database.session.add(startup)
    database.session.flush()
    database.session.add(TeamMember(startup_id=startup.id, name="Lead", gender=Gender.FEMALE if women else Gender.MALE))
    for i in range(extra_women):
        database.session.add(TeamMember(startup_id=startup.id, name=f"Member {i}", gender=Gender.FEMALE))
    database.session.add(TeamMember(startup_id=startup.id, name="Other", gender=Gender.MALE))
    return startup


def _review(stage, application, reviewer, team, market, rec, *, status=ReviewStatus.SUBMITTED,
            assignment_status=AssignmentStatus.ACTIVE):
    assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id,
                            status=assignment_status)
    database.session.add(assignment)
    database.session.flush()
    database.session.add(Review(assignment_id=assignment.id, scores={"team": team, "market": market}, recommendation=rec,
                            status=status, total=(2 * team + market) / 3))


def _season_with_stage(program, *, quota=2, reviews_required=2):
    season = f.SeasonFactory(program=program, status=SeasonStatus.REVIEWING, quota=quota, name="Season 3")
    stage = f.StageFactory(season=season, position=1, reviews_required=reviews_required,
                           disagreement_threshold=Decimal("1.00"))
    for position, (key, weight, lo, hi) in enumerate(CRITERIA):
        f.CriterionFactory(stage=stage, key=key, weight=weight, scale_min=lo, scale_max=hi, position=position,
                           label={"en": key.title()})
    return season, stage


@pytest.fixture
def board(app, db, program):
    """The stage of SPECS, plus what must not count: a draft review, a released assignment's review,
    a review at another stage, a withdrawn and a draft application, another season's application."""
    season, stage = _season_with_stage(program)
    later = f.StageFactory(season=season, position=2)
    f.CriterionFactory(stage=later, key="team")
    owner = f.UserFactory(name="Owner")
    reviewers = [f.UserFactory(name=f"Reviewer {c}") for c in "ABC"]
    apps = {}
    for name, (region, sector, st, women, status, reviews) in SPECS.items():
        startup = _startup(owner, name, region, sector, st, women, extra_women=2 if name == "Eta" else 0)
        application = Application(season_id=season.id, startup_id=startup.id, status=Status(status),
                                  current_stage_id=stage.id)
        db.session.add(application)
        db.session.flush()
        apps[name] = application
        for index, (team, market, rec) in reviews.items():
            _review(stage, application, reviewers[index], team, market, rec)
    _review(stage, apps["Alpha"], reviewers[2], 1, 1, "no", status=ReviewStatus.DRAFT)
    _review(stage, apps["Beta"], reviewers[2], 1, 1, "no", assignment_status=AssignmentStatus.RELEASED)
    _review(later, apps["Alpha"], reviewers[2], 1, 1, "no")
    for name, status in (("Withdrawn Co", Status.WITHDRAWN), ("Draft Co", Status.DRAFT)):
        db.session.add(Application(season_id=season.id, startup_id=_startup(owner, name).id, status=status,
                                   current_stage_id=stage.id))
    other_season, _ = _season_with_stage(program)
    db.session.add(Application(season_id=other_season.id, startup_id=_startup(owner, "Elsewhere").id,
                               status=Status.IN_REVIEW))
    db.session.commit()
    return {"season": season, "stage": stage, "apps": apps, "reviewers": reviewers}


def _expected(board):
    reviewers, apps = board["reviewers"], board["apps"]
    reviews = [scoring.Review(apps[name].id, reviewers[i].id, {"team": t, "market": m}, rec)
               for name, spec in SPECS.items() for i, (t, m, rec) in spec[5].items()]
    return scoring.compute_leaderboard(reviews, RUBRIC, reviews_required=2, application_ids=[a.id for a in apps.values()],
                                       disagreement_threshold=1.0)


def _api(client, token, stage, **params):
    response = client.get(f"/api/v1/stages/{stage.id}/leaderboard", query_string=params, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json


def _names(payload):
    return [item["startup_name"] for item in payload["items"]]


def test_api_numbers_match_the_scoring_module(client, manager, api_token, board):
    data = _api(client, api_token(manager), board["stage"], per_page=200)
    expected = _expected(board)
    by_id = {item["application_id"]: item for item in data["items"]}
    assert set(by_id) == {a.id for a in board["apps"].values()}  # not the withdrawn, draft or other season's
    for row in expected.rows:
        got = by_id[row.application_id]
        assert got["weighted_score"] == row.weighted_score
        assert got["normalised_score"] == row.normalised_score
        assert got["spread"] == row.spread
        assert got["review_count"] == row.review_count and got["reviews_required"] == 2
        assert got["criterion_means"] == row.criterion_means
        assert got["flags"] == sorted(row.flags)
    ranked = [r.application_id for r in ranking.rank(expected.rows) if r.is_scored]
    assert [item["application_id"] for item in data["items"] if item["rank"]] == ranked
    assert [item["rank"] for item in data["items"]] == [1, 2, 3, 4, 5, 6, None]

    # Hand-checked: Alpha's reviews total 5 and 4 (weights 2:1), Beta's criteria, Delta's mean of 2 and 7/3.
    apps = board["apps"]
    alpha, beta, delta = by_id[apps["Alpha"].id], by_id[apps["Beta"].id], by_id[apps["Delta"].id]
    assert (alpha["weighted_score"], alpha["spread"], alpha["flags"]) == (4.5, 0.5, [])
    assert beta["criterion_means"] == {"team": 4.0, "market": 2.5}
    assert delta["weighted_score"] == 2.167 and delta["status"] == "waitlisted"
    gamma, epsilon, zeta = by_id[apps["Gamma"].id], by_id[apps["Epsilon"].id], by_id[apps["Zeta"].id]
    assert gamma["spread"] == 2.0 and gamma["flags"] == ["disagreement", "split_recommendation"]
    assert epsilon["flags"] == ["incomplete"] and epsilon["review_count"] == 1
    assert zeta["weighted_score"] is None and zeta["rank"] is None and zeta["flags"] == ["incomplete"]
    assert by_id[apps["Eta"].id]["women_led"] is True and beta["women_led"] is False
    assert alpha["startup_name"] == "Alpha" and alpha["region"] == "andijan" and alpha["sector"] == "agritech"

    # Eleven reviews count (not the draft, the released one, the other stage's): mean 37.333 / 11.
    assert data["stage"]["review_count"] == 11 and data["stage"]["mean"] == 3.394 == expected.stage.mean
    reviewers = {r["name"]: r for r in data["reviewers"]}
    assert {n: (r["count"], r["label"]) for n, r in reviewers.items()} == {
        "Reviewer A": (4, "lenient"), "Reviewer B": (4, "neutral"), "Reviewer C": (3, "harsh")}
    assert reviewers["Reviewer C"]["mean"] == 2.444 and reviewers["Reviewer C"]["delta"] == -0.949
    assert [(r["id"], r["mean"], r["delta"]) for r in data["reviewers"]] == [
        (s.reviewer_id, s.mean, s.delta_vs_stage) for s in expected.reviewers]


def test_api_sorts_by_any_column(client, manager, api_token, board):
    token, stage = api_token(manager), board["stage"]
    assert _names(_api(client, token, stage, sort="name")) == sorted(SPECS)
    assert _names(_api(client, token, stage, sort="name", dir="desc")) == sorted(SPECS, reverse=True)
    by_weighted = _names(_api(client, token, stage, sort="weighted_score"))
    assert by_weighted[0] == "Alpha" and by_weighted[-2:] == ["Delta", "Zeta"]
    assert _names(_api(client, token, stage, sort="weighted_score", dir="asc"))[0] == "Delta"
    assert _names(_api(client, token, stage, sort="spread"))[0] == "Gamma"
    team = _api(client, token, stage, sort="criterion:team")["items"]
    means = [i["criterion_means"]["team"] for i in team if i["review_count"]]
    assert means == sorted(means, reverse=True) and team[-1]["startup_name"] == "Zeta"
    regions = [i["region"] for i in _api(client, token, stage, sort="region")["items"]]
    assert regions == sorted(regions)
    assert _names(_api(client, token, stage, sort="review_count", dir="asc"))[0] == "Epsilon"
    women_first = _api(client, token, stage, sort="women_led", dir="desc")["items"]
    assert [i["women_led"] for i in women_first] == [True] * 4 + [False] * 3
    rank_desc = _api(client, token, stage, sort="rank", dir="desc")["items"]
    assert [i["rank"] for i in rank_desc] == [6, 5, 4, 3, 2, 1, None]
    for bad in ({"sort": "criterion:nope"}, {"sort": "password"}, {"dir": "sideways"}, {"top": "-1"},
                {"women_led": "maybe"}, {"region": "atlantis"}, {"per_page": "500"}):
        response = client.get(f"/api/v1/stages/{stage.id}/leaderboard", query_string=bad, headers=bearer(token))
        assert response.status_code == 422, (bad, response.json)
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("params", "names"), [
    ({"region": "andijan"}, {"Alpha", "Gamma"}),
    ({"sector": "fintech"}, {"Beta", "Epsilon"}),
    ({"startup_stage": "mvp"}, {"Beta", "Gamma"}),
    ({"women_led": "true"}, {"Alpha", "Gamma", "Epsilon", "Eta"}),
    ({"women_led": "false"}, {"Beta", "Delta", "Zeta"}),
    ({"flag": "disagreement"}, {"Gamma", "Eta"}),
    ({"flag": "split_recommendation"}, {"Gamma", "Eta"}),
    ({"flag": "incomplete"}, {"Epsilon", "Zeta"}),
    ({"flag": "any"}, {"Gamma", "Eta", "Epsilon", "Zeta"}),
    ({"flag": "none"}, {"Alpha", "Beta", "Delta"}),
    ({"status": "waitlisted"}, {"Delta"}),
    ({"region": "andijan", "women_led": "true", "flag": "none"}, {"Alpha"}),
])
def test_api_filters_after_computing(client, manager, api_token, board, params, names):
    token, stage = api_token(manager), board["stage"]
    everything = {i["application_id"]: i for i in _api(client, token, stage)["items"]}
    data = _api(client, token, stage, **params)
    assert set(_names(data)) == names and data["total"] == len(names) and data["listed"] == 7
    # The numbers do not depend on the view: the stage mean and every score stay as they were.
    assert data["stage"]["mean"] == 3.394
    for item in data["items"]:
        whole = everything[item["application_id"]]
        assert (item["normalised_score"], item["spread"], item["flags"]) == (
            whole["normalised_score"], whole["spread"], whole["flags"])
    ranks = [i["rank"] for i in data["items"] if i["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))  # ranked among the rows shown


def test_cut_line_moves_with_top_n(client, manager, api_token, board, login):
    token, stage = api_token(manager), board["stage"]
    default = _api(client, token, stage)
    assert default["top"] == 2 and default["cut_line"] == 2  # the season's quota
    assert [i["above_cut_line"] for i in default["items"]] == [True, True] + [False] * 5
    four = _api(client, token, stage, top=4)
    assert four["cut_line"] == 4 and sum(i["above_cut_line"] for i in four["items"]) == 4
    assert _api(client, token, stage, top=0)["cut_line"] == 0
    many = _api(client, token, stage, top=50)  # never below the last scored row: Zeta has no review
    assert many["cut_line"] == 6 and many["items"][-1]["above_cut_line"] is False
    by_name = _api(client, token, stage, top=3, sort="name")  # the line follows the rank, not the view
    assert {i["startup_name"] for i in by_name["items"] if i["above_cut_line"]} == set(_names(four)[:3])
    filtered = _api(client, token, stage, top=1, region="andijan")
    assert [i["above_cut_line"] for i in filtered["items"]] == [True, False]

    login(manager)
    order = _names(four)
    for top in (2, 4):
        html = client.get(f"/manage/stages/{stage.id}/leaderboard?top={top}").get_data(as_text=True)
        assert html.count('id="cut-line"') == 1
        line = html.index('id="cut-line"')
        ids = [board["apps"][name].id for name in order]
        assert html.index(f'id="app-{ids[top - 1]}"') < line < html.index(f'id="app-{ids[top]}"')
    assert 'id="cut-line"' not in client.get(f"/manage/stages/{stage.id}/leaderboard?sort=name").get_data(as_text=True)


def test_page_shows_scores_flags_and_reviewers(client, manager, login, board):
    login(manager)
    stage = board["stage"]
    response = client.get(f"/manage/stages/{stage.id}/leaderboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Leaderboard: Screening", "Alpha", "Zeta", "4.500", "3.394", "Disagreement", "Split recommendations",
                 "Reviews missing", "1 of 2", "Team", "Market", "Reviewer C", "Harsh", "Lenient", "Neutral",
                 "In the top 2", "Download CSV", "Download XLSX"):
        assert text in html, text
    assert "Withdrawn Co" not in html and "Draft Co" not in html and "Elsewhere" not in html
    assert f'href="/manage/stages/{stage.id}/leaderboard?sort=name&amp;dir=asc"' in html
    assert 'aria-sort="ascending"' in html  # by rank
    sorted_page = client.get(f"/manage/stages/{stage.id}/leaderboard?sort=spread").get_data(as_text=True)
    assert 'aria-sort="descending"' in sorted_page and "sort=spread&amp;dir=asc" in sorted_page
    assert sorted_page.index("Gamma") < sorted_page.index("Alpha")
    filtered = client.get(f"/manage/stages/{stage.id}/leaderboard?region=andijan&top=abc").get_data(as_text=True)
    assert "Gamma" in filtered and "Beta" not in filtered and "2 of 7 applications match" in filtered
    assert "must be a whole number" in filtered
    partial = client.get(f"/manage/stages/{stage.id}/leaderboard?flag=incomplete", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body and 'id="leaderboard-results"' in body
    assert "Epsilon" in body and "Alpha" not in body
    paged = client.get(f"/manage/stages/{stage.id}/leaderboard?per_page=3&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in paged and "Zeta" in paged and "Alpha" not in paged


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_exports_have_the_same_rows_as_the_api(client, manager, login, api_token, board):
    stage = board["stage"]
    api = _api(client, api_token(manager), stage, per_page=200, sort="spread", women_led="true")
    login(manager)
    response = client.get(f"/manage/stages/{stage.id}/leaderboard.csv?sort=spread&women_led=true")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and re.search(r'filename="leaderboard-[\w.-]+\.csv"$', disposition)
    rows = _csv_rows(response.data)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Rank", "Application", "Startup"] and "Mean: Team" in header and header[-1] == "In the top 2"
    assert [int(r[1]) for r in body] == [i["application_id"] for i in api["items"]]
    col = {name: header.index(name) for name in ("Weighted score", "Normalised score", "Spread", "Flags")}
    for line, item in zip(body, api["items"], strict=True):
        assert float(line[col["Weighted score"]]) == item["weighted_score"]
        assert float(line[col["Normalised score"]]) == item["normalised_score"]
    assert "Disagreement; Split recommendations" in [r[col["Flags"]] for r in body]

    response = client.get(f"/manage/stages/{stage.id}/leaderboard.xlsx?sort=spread&women_led=true")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["Applications", "Reviewers", "Stage"]
    sheet = list(workbook["Applications"].iter_rows(values_only=True))
    assert list(sheet[0]) == header
    assert [r[1] for r in sheet[1:]] == [i["application_id"] for i in api["items"]]
    for line, item in zip(sheet[1:], api["items"], strict=True):
        assert line[header.index("Normalised score")] == item["normalised_score"]  # a number, not text
        assert line[header.index("Spread")] == item["spread"]
    reviewers = list(workbook["Reviewers"].iter_rows(values_only=True))
    assert [r[1] for r in reviewers[1:]] == ["Reviewer A", "Reviewer B", "Reviewer C"]
    assert reviewers[3][6] == "Harsh" and reviewers[3][3] == 2.444

    reviewers_csv = _csv_rows(client.get(f"/manage/stages/{stage.id}/leaderboard.csv?sheet=reviewers").data)
    assert [r[1] for r in reviewers_csv[1:]] == ["Reviewer A", "Reviewer B", "Reviewer C"]


def test_exports_neutralise_spreadsheet_formulas(client, db, manager, login, board):
    stage, owner = board["stage"], f.UserFactory()
    evil = ['=HYPERLINK("http://evil")', "+1+1", "@SUM(A1)", "-2-3", "\tTab=1", "\rCR"]
    for name in evil:
        db.session.add(Application(season_id=board["season"].id, startup_id=_startup(owner, name).id,
                                   status=Status.IN_REVIEW, current_stage_id=stage.id))
    db.session.commit()
    login(manager)
    rows = _csv_rows(client.get(f"/manage/stages/{stage.id}/leaderboard.csv?sort=name").data)
    names = [r[2] for r in rows[1:]]
    for name in evil:
        assert "'" + name in names, name
    assert "Alpha" in names  # ordinary text is left alone
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
    assert any(r[9] == "4.5" for r in rows[1:])  # numbers stay numbers

    data = client.get(f"/manage/stages/{stage.id}/leaderboard.xlsx?sort=name").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    workbook = load_workbook(io.BytesIO(data))
    cells = {c.value: c for row in workbook["Applications"].iter_rows(min_col=3, max_col=3) for c in row}
    for name in evil:
        assert name in cells and cells[name].data_type == "s", name
    assert workbook["Applications"]["J2"].data_type == "n"


def test_leaderboard_belongs_to_the_programs_managers(app, client, make_user, api_token, founder, board):
    stage = board["stage"]
    other = make_user(email="other-manager@example.org")
    f.grant(other, f.ProgramFactory(name="FoundHer"), Role.MANAGER)
    paths = (f"/manage/stages/{stage.id}/leaderboard", f"/manage/stages/{stage.id}/leaderboard.csv",
             f"/manage/stages/{stage.id}/leaderboard.xlsx")
    for user in (other, founder):
        token = api_token(user)
        response = client.get(f"/api/v1/stages/{stage.id}/leaderboard", headers=bearer(token))
        assert response.status_code == 404 and "Alpha" not in response.get_data(as_text=True)
        browser = app.test_client()
        signed_in = browser.post("/auth/login", data={"csrf_token": csrf_from(browser), "email": user.email,
                                                      "password": f.PASSWORD})
        assert signed_in.status_code == 302
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 404, path
            assert "Alpha" not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/stages/{stage.id}/leaderboard").status_code == 401
    assert app.test_client().get(paths[0]).status_code == 302  # to the login page
    assert client.get("/api/v1/stages/2147483648/leaderboard", headers=bearer(api_token(founder))).status_code == 404


def _random_stage(db, program, n: int, seed: int):
    rnd = random.Random(seed)
    season, stage = _season_with_stage(program, quota=3, reviews_required=3)
    owner = f.UserFactory()
    reviewers = [f.UserFactory() for _ in range(4)]
    for i in range(n):
        startup = _startup(owner, f"Startup {i}", region=rnd.choice(["andijan", "bukhara"]), women=rnd.random() < .5,
                           extra_women=rnd.randrange(3))
        application = Application(season_id=season.id, startup_id=startup.id, status=Status.IN_REVIEW,
                                  current_stage_id=stage.id)
        db.session.add(application)
        db.session.flush()
        for reviewer in rnd.sample(reviewers, 3):
            _review(stage, application, reviewer, rnd.randint(1, 5), rnd.randint(1, 5),
                    rnd.choice(["yes", "no", "maybe", None]))
    db.session.commit()
    return stage


def _count(client, path, **kwargs):
    client.get(path, **kwargs)  # warm up: one-off writes (a token's last use) are not what we measure
    with count_queries() as counter:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return counter.count


def test_query_count_is_the_same_for_5_and_60_applications(app, db, client, manager, program, login, api_token):
    small, large = _random_stage(db, program, 5, 1), _random_stage(db, program, 60, 2)
    token = api_token(manager)
    login(manager)
    counts = {}
    for name, stage in (("small", small), ("large", large)):
        counts[name] = (
            _count(client, f"/manage/stages/{stage.id}/leaderboard"),
            _count(client, f"/manage/stages/{stage.id}/leaderboard?region=andijan&sort=criterion:team"),
            _count(client, f"/manage/stages/{stage.id}/leaderboard.csv"),
            _count(client, f"/api/v1/stages/{stage.id}/leaderboard?per_page=200", headers=bearer(token)),
        )
    assert counts["small"] == counts["large"], counts
    assert max(counts["large"]) <= 12, counts


def test_the_reviewers_panel_shows_those_farthest_from_the_mean_then_all(client, manager, login, board, monkeypatch):
    from incubator.web.manager import leaderboard as view

    monkeypatch.setattr(view, "REVIEWERS_SHOWN", 2)  # the fixture's stage has 3 reviewers
    login(manager)
    url = f"/manage/stages/{board['stage'].id}/leaderboard"

    def panel(html: str) -> str:
        return html[html.index('id="reviewers-panel"'):]

    shown = panel(client.get(url).get_data(as_text=True))
    # Harsh C (-0.949) and lenient A are more than 0.5 from the mean; neutral B is not, and waits.
    assert "Reviewer C" in shown and "Reviewer A" in shown and "Reviewer B" not in shown
    assert "The 2 of 3 reviewers farthest from the stage mean." in shown
    assert f'href="{url}?reviewers=all#reviewers-panel"' in shown
    every = panel(client.get(f"{url}?reviewers=all").get_data(as_text=True))
    assert all(name in every for name in ("Reviewer A", "Reviewer B", "Reviewer C"))
    assert "Show all" not in every and "farthest from the stage mean." not in every
