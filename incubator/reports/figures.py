"""Every figure of a season report, computed once (`season_figures`) into the plain data of
incubator.reports.figures_types; the renderers (HTML, PDF, XLSX, CSV) never query the database.
Every label is translated into the report's language.

Queries are bulk and bounded whatever the season's size (and the number of stages): the
applications with their startups, the team members, the stages with their criteria, the active
assignments of all stages with their submitted reviews, the offers, the waitlist, the reviewer names,
and the outcomes.

Definitions (each is documented where it is computed; the fixture season in
tests/support/report_fixture.py works them out by hand):

- Funnel (figures_funnel):
  started = every application of the season, drafts and withdrawn ones included;
  submitted = applications that were submitted (submitted_at set; later withdrawals included);
  eligible = submitted applications whose startup meets the program's eligibility rules
  (incubator.applications.eligibility) as its profile stands now: submission checks the rules, so
  this differs from "submitted" only when a profile changed afterwards or the rules did;
  reviewed at stage k = applications with at least one submitted review (of an active assignment)
  at k; advanced from stage k = applications that reached a later stage (their current stage is
  further on: stages are only ever left forwards); at the last stage, "selected" = applications
  accepted there (directly or from the waitlist);
  waitlisted = applications ever put on the waitlist (a side branch: no rate, and the next step's
  rate is relative to the step before it); offered = offers made; confirmed = confirmed offers plus
  applications accepted without an offer. Each rate is count / previous step's count.
- Median days to decision: from submission to the final decision (accepted or rejected), over the
  applications that have both.
- Scores (figures_scores): the stage's leaderboard numbers (weighted, normalised, spread, merit
  order) from incubator.selection.leaderboard / incubator.reviews.scoring, over the submitted
  reviews of active assignments that fit the rubric; histograms count reviews per scale point, and
  the totals histogram rounds each review's weighted total to the nearest point (halves up).
- Reviewers (per stage): assigned = active assignments; completion = submitted / assigned; on time =
  submitted no later than the stage's review deadline / submitted (none without a deadline); mean
  given, stage mean and bias (mean given minus stage mean: negative is harsh) as on the leaderboard;
  agreement = mean absolute gap between the reviewer's total and the mean of the other reviewers'
  totals on the same applications (lower is closer; none when nobody else reviewed them).
- Who applied and who was selected (figures_people): applied = submitted applications, selected =
  accepted ones; age bands count founders (team members) in the season's opening year; women-led =
  at least one woman in the team. Small cells are suppressed as documented in
  figures_suppression: counts from 1 to 4 are hidden, with their row's selected count, and more
  cells are hidden where the total would give a hidden count away.
- Outcomes: incubator.outcomes.totals.outcome_figures over this season.
- provisional: the season is not closed.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.core.timeutil import utcnow
from incubator.outcomes.totals import outcome_figures
from incubator.programs.models import Season, SeasonStatus
from incubator.reports.figures_common import load_season
from incubator.reports.figures_funnel import funnel, median_days_to_decision
from incubator.reports.figures_people import demographics
from incubator.reports.figures_scores import reviewer_figures, stage_figures, stage_work
from incubator.reports.figures_types import SUPPRESS_BELOW, SeasonFigures

LOCALES = ("en", "ru", "uz")


def season_figures(season: Season, locale: str) -> SeasonFigures:
    """The report's figures for one season, labelled in `locale` (en, ru or uz; others fall back to en)."""
    locale = locale if locale in LOCALES else "en"
    with force_locale(locale):
        data = load_season(season)
        works, assigned = stage_work(data)
        steps, confirmed = funnel(data, {w.stage.id: {raw[0] for raw in w.raw} for w in works}, locale)
        stages = [stage_figures(work, locale) for work in works]
        reviewers = reviewer_figures(works, assigned, locale)
        tables = demographics(data)
        outcomes = outcome_figures(season.program_id, [season.id], confirmed)
        provisional = season.status != SeasonStatus.CLOSED
        notes = _notes(provisional, works, outcomes is None, locale)
        return SeasonFigures(
            season_id=season.id, program_name=season.program.name, season_name=season.name, locale=locale,
            provisional=provisional, generated_at=utcnow(), funnel=steps,
            median_days_to_decision=median_days_to_decision(data), stages=stages, reviewers=reviewers,
            demographics=tables, outcomes=outcomes, notes=notes)


def _notes(provisional: bool, works, no_outcomes: bool, locale: str) -> list[str]:
    notes = []
    if provisional:
        notes.append(_("Provisional: the season is not closed yet, so these figures can still change."))
    notes.append(_("Cells computed from fewer than %(n)d people are hidden (—), and so is another cell wherever "
                   "the total would give a hidden one away.", n=SUPPRESS_BELOW))
    notes.append(_("Applied counts submitted applications and selected counts accepted ones; age bands count "
                   "founders instead. Regions, sectors, teams and ages are read from the startups' profiles "
                   "as they are now."))
    notes.append(_("Eligible: submitted applications whose startup meets the program's eligibility rules."))
    for work in works:
        if work.skipped:
            notes.append(_("%(n)d reviews at %(stage)s were left out because their scores no longer fit the "
                           "stage's criteria.", n=work.skipped, stage=work.stage.name_in(locale)))
    if no_outcomes:
        notes.append(_("No outcomes have been recorded for this season yet."))
    return notes
