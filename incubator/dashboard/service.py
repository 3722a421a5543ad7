"""The program dashboard: across all seasons of a program, the funnel per season and in total
(applications -> selected -> developed -> funded, with the money per currency and in UZS), region
and women-led shares, and what predicted success.

A fixed number of queries whatever the number of seasons, applications or outcomes: the seasons,
the funnel counts (grouped), the outcomes (one query, grouped here by season), the exchange rates,
the share counts (grouped), the startups taken in, and the review scores (three queries)."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from incubator.core.timeutil import utcnow
from incubator.dashboard import queries
from incubator.dashboard.prediction import MIN_WITH_OUTCOMES, predict
from incubator.dashboard.scores import score_series
from incubator.dashboard.shares import share_tables
from incubator.dashboard.types import Dashboard, Funnel, SeasonFunnel
from incubator.outcomes.models import OutcomeKind
from incubator.outcomes.totals import figures_from, program_rates
from incubator.programs.models import Program, SeasonStatus

SEASON_STATUS_LABELS = {
    SeasonStatus.DRAFT: _l("Draft"), SeasonStatus.OPEN: _l("Open"), SeasonStatus.REVIEWING: _l("Reviewing"),
    SeasonStatus.DECIDED: _l("Decided"), SeasonStatus.CLOSED: _l("Closed"),
}


def program_dashboard(program: Program, locale: str) -> Dashboard:
    with force_locale(locale):
        return _dashboard(program, locale)


def _dashboard(program: Program, locale: str) -> Dashboard:
    seasons = queries.program_seasons(program.id)
    ids = [s.id for s in seasons]
    counts = queries.funnel_counts(ids)
    outcomes = queries.outcome_rows(ids)
    rates = program_rates(program.id) if outcomes else []

    def funnel(season_ids: list[int]) -> Funnel:
        a, s, sel, c = (sum(counts.get(i, (0, 0, 0, 0))[k] for i in season_ids) for k in range(4))
        rows = [row for i in season_ids for row in outcomes.get(i, [])]
        return Funnel(applications=a, submitted=s, selected=sel, confirmed=c,
                      outcomes=figures_from(rows, rates, c) if rows else None)

    per_season = [SeasonFunnel(season_id=s.id, name=s.name, status=str(s.status),
                               status_label=str(SEASON_STATUS_LABELS.get(s.status, s.status)),
                               opens_at=s.opens_at, timezone=s.timezone, funnel=funnel([s.id])) for s in seasons]
    total = funnel(ids)
    regions, women = share_tables(queries.share_counts(ids))
    return Dashboard(program_id=program.id, program_name=program.name, locale=locale, generated_at=utcnow(),
                     seasons=per_season, total=total,
                     rates_used=total.outcomes.rates_used if total.outcomes else [],
                     regions=regions, women_led=women, prediction=_prediction(seasons, outcomes, locale))


def _prediction(seasons, outcomes: dict[int, list[tuple]], locale: str):
    with_rows = [s for s in seasons if outcomes.get(s.id)]
    confirmed = queries.confirmed_applications([s.id for s in with_rows])
    recorded = {row[0] for s in with_rows for row in outcomes[s.id]}
    funded = {row[0] for s in with_rows for row in outcomes[s.id]
              if row[1] == OutcomeKind.INVESTMENT and row[2] is not None and row[3]}
    population = set(confirmed)
    with_outcomes = len(population & recorded)
    series = score_series(with_rows, population, locale, str(_l("Normalised score"))) \
        if with_outcomes >= MIN_WITH_OUTCOMES else []
    return predict(with_outcomes=with_outcomes, population=sorted(population), funded_ids=funded & population,
                   seasons=len(with_rows), series=series)
