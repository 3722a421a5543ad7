"""The report's figures as plain tables (a header and rows of values), shared by the CSV and XLSX
renderers so both say exactly the same thing. No database; labels translated in the figures'
language (call inside an app context).

Values are Python values: str, int, float, Decimal, None (an empty cell), `Pct` (a ratio 0..1,
written as a percentage) and HIDDEN (a suppressed cell: printed as "—", never as a number)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.reports.figures_types import SUPPRESS_BELOW, Cell, SeasonFigures

HIDDEN_MARK = "—"


class _Hidden:
    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = _Hidden()


@dataclass(frozen=True)
class Pct:
    """A ratio from 0 to 1, shown as a percentage."""

    value: float


@dataclass
class Table:
    name: str          # file or sheet key: "summary", "funnel", "scores", "ranking", "reviewers", "demographics"
    title: str         # translated sheet title
    header: list[str]
    rows: list[list]


@contextmanager
def in_language(figures: SeasonFigures):
    with force_locale(figures.locale):
        yield


def _pct(value: float | None):
    return None if value is None else Pct(value)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def summary_rows(figures: SeasonFigures) -> list[list]:
    rows = [
        [_("Program"), figures.program_name],
        [_("Season"), figures.season_name],
        [_("Generated at (UTC)"), figures.generated_at.strftime("%Y-%m-%d %H:%M")],
        [_("Provisional (the season is not closed)"), _yes_no(figures.provisional)],
        [_("Median days from submission to decision"), figures.median_days_to_decision],
    ]
    outcomes = figures.outcomes
    if outcomes is None:
        rows.append([_("Outcomes"), _("None recorded yet")])
    else:
        rows += [
            [_("Startups taken in"), outcomes.confirmed],
            [_("With a product developed"), outcomes.developed],
            [_("Funded (at least one investment)"), outcomes.funded],
            [_("Investments"), outcomes.investments],
            *([_("Invested (%(currency)s)", currency=t.currency), t.amount] for t in outcomes.totals),
            [_("Invested in total (UZS)"), outcomes.total_uzs if outcomes.total_uzs is not None
             else _("Not converted: no exchange rate for %(list)s", list=", ".join(outcomes.unconverted))],
            *([_("Exchange rate used"), _("1 %(currency)s = %(rate)s UZS, %(start)s to %(end)s", currency=r.currency,
                                         rate=f"{r.rate.normalize():f}", start=r.valid_from, end=r.valid_to)]
              for r in outcomes.rates_used),
            [_("Grants and competitions entered"), outcomes.grants],
            [_("Jobs created"), outcomes.jobs],
        ]
    rows += [[_("Note"), note] for note in figures.notes]
    return rows


def funnel_table(figures: SeasonFigures) -> Table:
    return Table("funnel", _("Funnel"), [_("Step"), _("Applications"), _("Rate from the previous step (%)")],
                 [[step.label, step.count, _pct(step.rate_from_previous)] for step in figures.funnel])


def scores_table(figures: SeasonFigures) -> Table:
    points = sorted({p for s in figures.stages for c in s.criteria for p in c.histogram}
                    | {p for s in figures.stages for p in s.total_histogram})
    header = [_("Stage"), _("Criterion"), _("Weight"), _("Scale"), _("Mean"), _("Reviews"),
              *(_("Reviews giving %(point)d", point=p) for p in points)]
    rows = []
    for stage in figures.stages:
        for c in stage.criteria:
            rows.append([stage.name, c.label, c.weight, f"{c.scale_min}–{c.scale_max}", c.mean,
                         sum(c.histogram.values()), *(c.histogram.get(p) for p in points)])
        rows.append([stage.name, _("Weighted total (rounded to a point)"), None, None, stage.mean_total,
                     stage.reviews_submitted, *(stage.total_histogram.get(p) for p in points)])
    return Table("scores", _("Scores"), header, rows)


def ranking_table(figures: SeasonFigures) -> Table:
    # No region, sector or women-led column: counting the rows would give away the demographic cells
    # that are suppressed (fewer than 5 people). The leaderboard export, for the managers, has them.
    header = [_("Stage"), _("Rank"), _("Application"), _("Startup"),
              _("Status"), _("Weighted score"), _("Normalised score"), _("Spread"), _("Reviews done"),
              _("Reviews required")]
    rows = [[stage.name, r.rank, r.application_id, r.startup_name, r.status,
             r.weighted_score, r.normalised_score, r.spread, r.reviews, r.reviews_required]
            for stage in figures.stages for r in stage.ranking]
    return Table("ranking", _("Applications"), header, rows)


def reviewers_table(figures: SeasonFigures) -> Table:
    header = [_("Stage"), _("Reviewer"), _("Assigned"), _("Submitted"), _("Completion (%)"), _("On time (%)"),
              _("Mean given"), _("Stage mean"), _("Difference from the stage mean"),
              _("Agreement (mean gap to the other reviewers)")]
    rows = [[r.stage_name, r.name, r.assigned, r.submitted, _pct(r.completion), _pct(r.on_time_rate), r.mean_given,
             r.stage_mean, r.bias, r.agreement] for r in figures.reviewers]
    return Table("reviewers", _("Reviewers"), header, rows)


def _count(cell: Cell):
    return HIDDEN if cell.suppressed or cell.count is None else cell.count


def _share(cell: Cell):
    return HIDDEN if cell.suppressed or cell.count is None else _pct(cell.share)


def demographics_table(figures: SeasonFigures) -> Table:
    header = [_("Table"), _("Category"), _("Applied"), _("Applied (%)"), _("Selected"), _("Selected (%)")]
    rows = []
    for table in figures.demographics:
        for row in table.rows:
            rows.append([table.title, row.label, _count(row.applied), _share(row.applied), _count(row.selected),
                         _share(row.selected)])
        rows.append([table.title, _("Total"), table.applied_total, None, table.selected_total, None])
    rows.append([_("Note"), _("%(mark)s: hidden, computed from fewer than %(n)d people (or would give such a cell "
                              "away).", mark=HIDDEN_MARK, n=SUPPRESS_BELOW), None, None, None, None])
    return Table("demographics", _("Demographics"), header, rows)


def all_tables(figures: SeasonFigures) -> list[Table]:
    """Summary first, then the funnel, scores, applications, reviewers and demographics."""
    summary = Table("summary", _("Summary"), [_("What"), _("Value")], summary_rows(figures))
    return [summary, funnel_table(figures), scores_table(figures), ranking_table(figures), reviewers_table(figures),
            demographics_table(figures)]
