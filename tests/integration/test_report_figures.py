"""The season report's figures, checked exactly against a season whose every number was worked out
by hand (tests/support/report_fixture.py), in English and in Russian; the ranking agrees with the
stage's leaderboard page; small cells are suppressed; queries stay bounded on a large season."""
from __future__ import annotations

import pytest

from incubator.extensions import db as database
from incubator.programs.models import SeasonStatus
from incubator.reports.figures import season_figures
from incubator.reports.figures_types import SeasonFigures
from incubator.selection.leaderboard import stage_leaderboard
from incubator.startups.models import REGIONS
from tests.support.queries import count_queries
from tests.support.report_fixture import build_report_season
from tests.support.report_large import build_large_season


@pytest.fixture
def fixture_season(app):
    return build_report_season()


@pytest.fixture
def figures(fixture_season) -> SeasonFigures:
    season, _expected = fixture_season
    return season_figures(season, "en")


def test_headline(fixture_season, figures):
    season, expected = fixture_season
    assert figures.season_id == season.id
    assert figures.program_name == expected["program_name"]
    assert figures.season_name == expected["season_name"]
    assert figures.locale == "en"
    assert figures.provisional is expected["provisional"]
    assert figures.median_days_to_decision == expected["median_days_to_decision"]
    assert any("not closed" in note for note in figures.notes)
    assert any("fewer than 5 people" in note for note in figures.notes)


def test_funnel(fixture_season, figures):
    _season, expected = fixture_season
    assert [(s.key, s.count, s.rate_from_previous) for s in figures.funnel] == expected["funnel"]
    labels = {s.key: s.label for s in figures.funnel}
    assert labels["reviewed:1"] == "Reviewed at Screening"
    assert labels["advanced:2"] == "Selected at Demo Day"


def test_scores_per_stage_and_criterion(fixture_season, figures):
    _season, expected = fixture_season
    assert [s.position for s in figures.stages] == [1, 2]
    for stage in figures.stages:
        want = expected["stages"][stage.position]
        assert stage.name == want["name"]
        assert stage.applications == want["applications"]
        assert stage.reviews_submitted == want["reviews_submitted"]
        assert stage.mean_total == want["mean_total"]
        assert stage.total_histogram == want["total_histogram"]
        assert [c.key for c in stage.criteria] == list(want["criteria"])
        for criterion in stage.criteria:
            c = want["criteria"][criterion.key]
            assert (criterion.label, criterion.weight, criterion.mean, criterion.histogram) == (
                c["label"], c["weight"], c["mean"], c["histogram"])
            assert (criterion.scale_min, criterion.scale_max) == (1, 5)


def test_final_ranking(fixture_season, figures):
    _season, expected = fixture_season
    first, second = figures.stages
    weighted = {r.startup_name: r.weighted_score for r in first.ranking}
    assert weighted == expected["stages"][1]["weighted"]
    assert first.ranking[0].startup_name == expected["stages"][1]["first"]
    assert first.ranking[1].startup_name == expected["stages"][1]["second"]
    assert [r.startup_name for r in first.ranking if r.rank is None] == expected["stages"][1]["unranked"]
    assert first.ranking[-1].rank is None  # unreviewed applications come last
    assert [r.rank for r in first.ranking if r.rank] == list(range(1, 12))
    assert [(r.rank, r.startup_name, r.weighted_score, r.normalised_score, r.spread) for r in second.ranking] == \
        expected["stages"][2]["ranking"]
    gamma = second.ranking[2]
    assert (gamma.region, gamma.sector, gamma.women_led, gamma.status, gamma.reviews, gamma.reviews_required) == (
        "Fergana", "Education", True, "Accepted", 2, 2)


def test_ranking_agrees_with_the_leaderboard_page(fixture_season, figures):
    season, _expected = fixture_season
    for stage, stage_figures in zip(season.stages, figures.stages, strict=True):
        board = stage_leaderboard(stage, sort="rank", direction="asc", top=0)
        assert [(r.rank, r.application_id, r.score.weighted_score, r.score.normalised_score, r.score.spread)
                for r in board.rows] == \
            [(r.rank, r.application_id, r.weighted_score, r.normalised_score, r.spread) for r in stage_figures.ranking]


def test_reviewers(fixture_season, figures):
    _season, expected = fixture_season
    got = {(next(s.position for s in figures.stages if s.stage_id == r.stage_id), r.name): {
        "assigned": r.assigned, "submitted": r.submitted, "completion": r.completion, "on_time_rate": r.on_time_rate,
        "mean_given": r.mean_given, "stage_mean": r.stage_mean, "bias": r.bias, "agreement": r.agreement}
        for r in figures.reviewers}
    assert got == expected["reviewers"]
    assert [(r.stage_name, r.name) for r in figures.reviewers][:3] == [
        ("Screening", "Alice"), ("Screening", "Bob"), ("Screening", "Hank")]


def test_demographics_with_small_cells_suppressed(fixture_season, figures):
    _season, expected = fixture_season
    tables = {t.key: t for t in figures.demographics}
    assert list(tables) == ["region", "sector", "startup_stage", "women_led", "age_band"]
    assert [row.key for row in tables["region"].rows] == list(REGIONS)  # the 14 regions, in their order
    for key, want in expected["demographics"].items():
        table = tables[key]
        assert (table.applied_total, table.selected_total) == (want["applied_total"], want["selected_total"])
        rows = {row.key: row for row in table.rows}
        for row_key, (applied, selected) in want["rows"].items():
            row = rows[row_key]
            assert (row.applied.count, row.selected.count) == (applied, selected), (key, row_key)
            assert row.applied.suppressed is (applied is None)
            assert row.selected.suppressed is (selected is None)
            if applied is None:
                assert row.applied.share is None
            if selected is None:
                assert row.selected.share is None
        for row_key, (applied_share, selected_share) in want["shares"].items():
            assert (rows[row_key].applied.share, rows[row_key].selected.share) == (applied_share, selected_share)
    region = {row.key: row for row in tables["region"].rows}[expected["suppressed_region"]]
    assert region.applied.count is None and region.selected.count is None


def test_no_small_count_is_shown_or_derivable(figures):
    """Every shown count is 0 or at least 5, and no column has exactly one hidden cell."""
    for table in figures.demographics:
        for column in ("applied", "selected"):
            cells = [getattr(row, column) for row in table.rows]
            assert all(c.count is None or c.count == 0 or c.count >= 5 for c in cells)
            hidden = [c for c in cells if c.suppressed]
            assert len(hidden) != 1, (table.key, column)


def test_outcomes(fixture_season, figures):
    _season, expected = fixture_season
    want = expected["outcomes"]
    got = figures.outcomes
    assert (got.confirmed, got.developed, got.funded, got.investments, got.grants, got.jobs) == (
        want["confirmed"], want["developed"], want["funded"], want["investments"], want["grants"], want["jobs"])
    assert [(t.currency, t.amount) for t in got.totals] == want["totals"]
    assert got.total_uzs == want["total_uzs"]
    assert [(r.currency, r.rate, r.valid_from, r.valid_to) for r in got.rates_used] == want["rates_used"]


def test_labels_in_russian(fixture_season):
    season, expected = fixture_season
    figures = season_figures(season, "ru")
    assert figures.locale == "ru"
    assert [s.name for s in figures.stages] == ["Отбор", "Демо-день"]
    assert [c.label for c in figures.stages[0].criteria] == ["Команда", "Рынок"]
    regions = [row.label for row in figures.demographics[0].rows]
    assert "Самарканд" in regions and "Samarkand" not in regions
    assert figures.stages[1].ranking[0].status == "Принята"
    assert "Отбор" in figures.funnel[3].label
    # the numbers do not depend on the language
    assert [(s.key, s.count, s.rate_from_previous) for s in figures.funnel] == expected["funnel"]


def test_closed_season_is_not_provisional(fixture_season):
    season, _expected = fixture_season
    season.status = SeasonStatus.CLOSED
    database.session.commit()
    figures = season_figures(season, "uz")
    assert figures.provisional is False
    assert figures.locale == "uz"
    assert not any("not closed" in note for note in season_figures(season, "en").notes)


def test_unknown_locale_falls_back_to_english(fixture_season):
    season, _expected = fixture_season
    assert season_figures(season, "de").locale == "en"


def test_queries_stay_bounded_whatever_the_size(app):
    small = build_large_season(40, seed=1)
    large = build_large_season(400, seed=2)
    counts = []
    for season, size in ((small, 40), (large, 400)):
        database.session.expire_all()
        with count_queries() as queries:
            figures = season_figures(season, "en")
        counts.append(queries.count)
        assert figures.funnel[0].count == size
    assert counts[0] == counts[1]
    assert counts[1] <= 15
    assert sum(len(s.ranking) for s in figures.stages) > 300
    assert figures.outcomes is not None and figures.outcomes.total_uzs is not None


def test_a_season_without_anything(app):
    from tests.support import factories as f

    season = f.SeasonFactory()
    figures = season_figures(season, "en")
    assert [s.count for s in figures.funnel] == [0, 0, 0, 0, 0, 0]
    assert all(s.rate_from_previous is None for s in figures.funnel)
    assert figures.stages == [] and figures.reviewers == [] and figures.outcomes is None
    assert figures.median_days_to_decision is None
    assert all(table.applied_total == 0 for table in figures.demographics)
    assert any("No outcomes" in note for note in figures.notes)
