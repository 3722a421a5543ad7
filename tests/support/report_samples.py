"""A SeasonFigures built by hand, for testing the report renderers and charts without a season in
the database (the figures themselves are tested against tests/support/report_fixture.py)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from incubator.reports.figures_types import (
    Cell, CriterionFigures, DemographicRow, DemographicTable, FunnelStep, MoneyTotal, OutcomeFigures, RankedApplication,
    RateUsed, ReviewerFigures, SeasonFigures, StageFigures,
)

HIDDEN = Cell(count=None, share=None, suppressed=True)


def sample_figures(*, locale: str = "en", provisional: bool = True, program_name: str = "InnoX",
                   season_name: str = "Season 3 · Autumn 2025", startup_name: str = "AgroSense",
                   outcomes: bool = True) -> SeasonFigures:
    funnel = [
        FunnelStep("started", "Drafts started", 48, None),
        FunnelStep("submitted", "Submitted", 41, 41 / 48),
        FunnelStep("eligible", "Eligible", 37, 37 / 41),
        FunnelStep("reviewed:1", "Reviewed at Screening", 37, 1.0),
        FunnelStep("advanced:1", "Advanced from Screening", 13, 13 / 37),
        FunnelStep("waitlisted", "Waitlisted", 3, 3 / 13),
        FunnelStep("offered", "Offered a place", 9, 9 / 13),
        FunnelStep("confirmed", "Confirmed", 7, 7 / 9),
    ]
    team = CriterionFigures("team", "Team", Decimal("0.6"), 1, 5, 3.42, {1: 2, 2: 9, 3: 31, 4: 47, 5: 22})
    market = CriterionFigures("market", "Market", Decimal("0.4"), 1, 5, 2.87, {1: 11, 2: 27, 3: 39, 4: 26, 5: 8})
    ranking = [
        RankedApplication(1, 101, startup_name, "Andijan", "Agriculture and food", True, "Accepted", 4.62, 1.83,
                          0.4, 3, 3),
        RankedApplication(2, 102, "Bilim Box", "Tashkent city", "Education", False, "Waitlisted", 4.11, 1.27, 0.8,
                          3, 3),
        RankedApplication(None, 103, "Late Co", "Bukhara", "Finance", False, "Rejected", None, None, None, 0, 3),
    ]
    stage = StageFigures(11, 1, "Screening", False, 37, 111, 3.19, {1: 3, 2: 18, 3: 46, 4: 35, 5: 9},
                         [team, market], ranking)
    reviewers = [
        ReviewerFigures(5, "Aziza Karimova", 11, "Screening", 40, 38, 0.95, 0.9, 3.01, 3.19, -0.18, 0.64),
        ReviewerFigures(6, "Timur Aliev", 11, "Screening", 37, 37, 1.0, 0.973, 3.44, 3.19, 0.25, 0.51),
    ]
    region = DemographicTable("region", "Region", [
        DemographicRow("andijan", "Andijan", Cell(17, 17 / 41), Cell(HIDDEN.count, None, True)),
        DemographicRow("bukhara", "Bukhara", HIDDEN, HIDDEN),
        DemographicRow("tashkent_city", "Tashkent city", Cell(20, 20 / 41), Cell(5, 5 / 7)),
    ], 41, 7)
    women = DemographicTable("women_led", "Women-led", [
        DemographicRow("women_led", "Women-led", Cell(12, 12 / 41), HIDDEN),
        DemographicRow("other", "Other", Cell(29, 29 / 41), Cell(5, 5 / 7)),
    ], 41, 7)
    outcome = OutcomeFigures(
        confirmed=7, developed=5, funded=3, investments=4,
        totals=[MoneyTotal("USD", Decimal("70000.00")), MoneyTotal("UZS", Decimal("150000000.00"))],
        total_uzs=Decimal("1046000000.00"), unconverted=[],
        rates_used=[RateUsed("USD", Decimal("12800.00"), "2025-01-01", "2025-12-31")], grants=2, jobs=19,
    ) if outcomes else None
    return SeasonFigures(
        season_id=1, program_name=program_name, season_name=season_name, locale=locale, provisional=provisional,
        generated_at=datetime(2025, 12, 12, 13, 0, tzinfo=UTC), funnel=funnel, median_days_to_decision=23.5,
        stages=[stage], reviewers=reviewers, demographics=[region, women], outcomes=outcome,
        notes=["Two applications were withdrawn after the decision."],
    )
