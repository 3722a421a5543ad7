"""What a season report says, as plain data: computed once by `reports.figures.season_figures`,
then written out by each renderer (HTML with SVG charts, PDF, XLSX, CSV) without touching the
database again. Every label is already translated into the report's language.

Small cells: a count of people computed from fewer than SUPPRESS_BELOW people is never shown. A
`Cell` carries `count=None, suppressed=True` instead, and renderers print the suppression mark
(e.g. "<5" is NOT allowed either, as it narrows the count; print "—" with a footnote)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class Cell:
    """A count of people (or startups) in a demographic table, with its share of the column."""

    count: int | None          # None when suppressed
    share: float | None        # 0..1 of the column total; None when suppressed or the total is 0
    suppressed: bool = False


@dataclass(frozen=True)
class FunnelStep:
    key: str                   # "started", "submitted", "eligible", "reviewed:<stage position>",
                               # "advanced:<stage position>", "waitlisted", "offered", "confirmed"
    label: str
    count: int
    rate_from_previous: float | None  # count / previous step's count (0..1); None for the first step


@dataclass(frozen=True)
class CriterionFigures:
    key: str
    label: str
    weight: Decimal
    scale_min: int
    scale_max: int
    mean: float | None
    histogram: dict[int, int]  # point on the scale -> number of submitted reviews giving it (every point)


@dataclass(frozen=True)
class RankedApplication:
    rank: int | None           # 1-based merit order at the stage (None without a submitted review)
    application_id: int
    startup_name: str
    region: str                # translated label
    sector: str                # translated label
    women_led: bool
    status: str                # translated status label
    weighted_score: float | None
    normalised_score: float | None
    spread: float | None
    reviews: int               # submitted reviews at this stage
    reviews_required: int


@dataclass(frozen=True)
class StageFigures:
    stage_id: int
    position: int
    name: str
    is_blind: bool
    applications: int          # applications that reached this stage
    reviews_submitted: int
    mean_total: float | None   # mean of the submitted reviews' weighted totals
    total_histogram: dict[int, int]  # weighted totals rounded to the nearest point -> count
    criteria: list[CriterionFigures]
    ranking: list[RankedApplication]  # merit order (normalised score), every application at the stage


@dataclass(frozen=True)
class ReviewerFigures:
    reviewer_id: int
    name: str
    stage_id: int
    stage_name: str
    assigned: int
    submitted: int
    completion: float | None   # submitted / assigned
    on_time_rate: float | None  # submitted before the stage's review deadline / submitted
    mean_given: float | None   # mean of this reviewer's review totals
    stage_mean: float | None
    bias: float | None         # mean_given - stage_mean (negative: harsh, positive: lenient)
    agreement: float | None    # mean absolute gap between this reviewer's total and the other
                               # reviewers' mean total on the same applications (lower: closer)


@dataclass(frozen=True)
class DemographicRow:
    key: str                   # e.g. "andijan", "agritech", "mvp", "women_led", "18-24"
    label: str
    applied: Cell              # submitted applications
    selected: Cell             # accepted applications


@dataclass(frozen=True)
class DemographicTable:
    key: str                   # "region", "sector", "startup_stage", "women_led", "age_band"
    title: str
    rows: list[DemographicRow]
    applied_total: int
    selected_total: int


@dataclass(frozen=True)
class MoneyTotal:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class RateUsed:
    currency: str
    rate: Decimal              # UZS per unit
    valid_from: str            # ISO date
    valid_to: str


@dataclass(frozen=True)
class OutcomeFigures:
    confirmed: int             # startups the season took in (confirmed offers, or accepted without an offer)
    developed: int             # with a product outcome
    funded: int                # with at least one investment
    investments: int
    totals: list[MoneyTotal]   # per currency, as entered
    total_uzs: Decimal | None  # everything converted to UZS; None when a currency lacks a rate
    unconverted: list[str]     # currencies with investments not covered by a rate
    rates_used: list[RateUsed]
    grants: int                # grants and competitions entered
    jobs: int                  # jobs created, summed


@dataclass(frozen=True)
class SeasonFigures:
    season_id: int
    program_name: str
    season_name: str
    locale: str
    provisional: bool          # the season is not closed yet
    generated_at: datetime
    funnel: list[FunnelStep]
    median_days_to_decision: float | None  # submission -> first final decision, in days
    stages: list[StageFigures]
    reviewers: list[ReviewerFigures]
    demographics: list[DemographicTable]
    outcomes: OutcomeFigures | None  # None when nothing was recorded
    notes: list[str] = field(default_factory=list)  # plain-language caveats, translated
