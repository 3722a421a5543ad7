"""What the program dashboard says, as plain data (computed by incubator.dashboard.service, shown by
the manager's page and the API without touching the database again). Labels are translated into
the dashboard's language. Counts of people from fewer than SUPPRESS_BELOW are never carried: a
`Cell` says `suppressed=True` instead (incubator.reports.figures_types)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from incubator.reports.figures_types import Cell, MoneyTotal, OutcomeFigures, RateUsed

__all__ = ["Cell", "Funnel", "SeasonFunnel", "ShareRow", "ShareTable", "PredictionRow", "Prediction",
           "Dashboard", "MoneyTotal", "RateUsed"]


@dataclass(frozen=True)
class Funnel:
    """One season's funnel, or the program's in total."""

    applications: int          # every application started, drafts included (as the program counts them)
    submitted: int             # applications that were submitted (withdrawn later or not)
    selected: int              # accepted
    confirmed: int             # accepted, with a confirmed offer or none made: the startups taken in
    outcomes: OutcomeFigures | None  # None when no outcome is recorded

    @property
    def not_submitted(self) -> int:
        return self.applications - self.submitted

    @property
    def developed(self) -> int:
        return self.outcomes.developed if self.outcomes else 0

    @property
    def funded(self) -> int:
        return self.outcomes.funded if self.outcomes else 0

    @property
    def totals(self) -> list[MoneyTotal]:
        return self.outcomes.totals if self.outcomes else []

    @property
    def total_uzs(self) -> Decimal | None:
        """Everything converted to UZS; 0 without investments; None when a currency lacks a rate."""
        return self.outcomes.total_uzs if self.outcomes else Decimal("0.00")

    @property
    def unconverted(self) -> list[str]:
        return self.outcomes.unconverted if self.outcomes else []


@dataclass(frozen=True)
class SeasonFunnel:
    season_id: int
    name: str
    status: str                # the season's status code
    status_label: str
    opens_at: datetime
    timezone: str
    funnel: Funnel


@dataclass(frozen=True)
class ShareRow:
    key: str                   # a region code, "country:KZ", "unknown"; or "women_led" / "not_women_led"
    label: str
    applied: Cell              # submitted applications
    selected: Cell             # accepted applications


@dataclass(frozen=True)
class ShareTable:
    key: str                   # "region" or "women_led"
    title: str
    rows: list[ShareRow]
    applied_total: int
    selected_total: int


@dataclass(frozen=True)
class PredictionRow:
    stage_position: int
    stage_name: str
    key: str                   # "normalised_score" or "criterion:<key>"
    label: str
    n: int                     # startups with a score here
    funded: int
    not_funded: int
    spearman: float | None     # rank correlation of the score with being funded (-1..1)
    auc: float | None          # chance a funded startup scored higher than a not funded one (0..1)
    p_value: float | None      # two-sided, Mann-Whitney normal approximation with the tie correction
    note: str                  # plain language


@dataclass(frozen=True)
class Prediction:
    ready: bool                # at least MIN_WITH_OUTCOMES selected startups have outcomes recorded
    with_outcomes: int         # selected startups with at least one outcome recorded
    needed: int                # how many more are needed (0 when ready)
    funded: int                # in the seasons the figures rest on
    not_funded: int
    seasons: int
    rows: list[PredictionRow]
    message: str               # the plain-language summary (or why there is nothing to show)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    program_id: int
    program_name: str
    locale: str
    generated_at: datetime
    seasons: list[SeasonFunnel]  # by opening date, oldest first
    total: Funnel
    rates_used: list[RateUsed]
    regions: ShareTable
    women_led: ShareTable
    prediction: Prediction
