"""The leaderboard of one stage, read from the database: the scores come from the pure maths in
incubator.reviews.scoring, the facts (startup, region, sector, women-led, status) from one query.

Computing (computed_board, the reference): the criteria, the submitted reviews (one query), the
applications with their startup facts (one query; women-led is an EXISTS subquery), the reviewers'
names (one query). The maths always runs over the whole stage; filters, ranking, the quota cut line
and the sort apply afterwards, so the stage mean, the spreads and each reviewer's indicator never
depend on what the manager is looking at. The result is stored, and read back a page at a time
while nothing it depends on changes (board_versions, board_store, board_read).

Which applications are listed: the season's applications, neither drafts nor withdrawn, that are at
this stage now or have an active assignment at it (so a stage's board keeps the applications that
moved on or were decided). Which reviews count: submitted reviews of active assignments at the stage
(a released assignment, e.g. after a declared conflict, does not count). A review whose scores no
longer match the rubric (a criterion changed after it was submitted) is left out and counted in
`skipped_reviews`, rather than breaking the page.

Ranks and the cut line: `rank` is the position in the merit order (normalised score, highest first,
ties by weighted score then application id; see ranking.rank) among the rows that pass the filters;
an application without a submitted review has no rank. The cut line for "top N" (the season's quota
unless the manager tries another N) falls after rank N, and never below the last scored row.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, exists, or_, select, type_coerce

from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.idlists import in_ids
from incubator.core.errors import RuleViolation
from incubator.core.pagination import MAX_PER_PAGE, Page
from incubator.extensions import db
from incubator.programs.models import Criterion, Stage
from incubator.reviews import ranking, scoring
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.startups.models import REGIONS, SECTORS, Gender, Startup, StartupStage, TeamMember

DEFAULT_PER_PAGE = 50
MAX_TOP = 100_000
NOT_LISTED = (Status.DRAFT, Status.WITHDRAWN)
CRITERION_PREFIX = "criterion:"
SCORE_SORTS = tuple(ranking.SORT_KEYS)
TEXT_SORTS = ("name", "region", "sector", "startup_stage", "status", "women_led")
FIXED_SORTS = ("rank", *SCORE_SORTS, *TEXT_SORTS)
FLAG_FILTERS = ("any", "none", *(flag.value for flag in scoring.RowFlag))
# "advanced": in review at a later stage (what the application is to this stage's board).
ADVANCED = "advanced"
STATUS_FILTERS = (*(s.value for s in Status if s not in NOT_LISTED), ADVANCED)
STARTUP_STAGES = tuple(s.value for s in StartupStage)

FLAG_LABELS = {
    scoring.RowFlag.DISAGREEMENT.value: _l("Disagreement"),
    scoring.RowFlag.SPLIT_RECOMMENDATION.value: _l("Split recommendations"),
    scoring.RowFlag.INCOMPLETE.value: _l("Reviews missing"),
}
BIAS_LABELS = {scoring.Bias.HARSH.value: _l("Harsh"), scoring.Bias.LENIENT.value: _l("Lenient"),
               scoring.Bias.NEUTRAL.value: _l("Neutral")}
STATUS_LABELS = {"submitted": _l("Submitted"), "in_review": _l("In review"), "waitlisted": _l("Waitlisted"),
                 "accepted": _l("Accepted"), "rejected": _l("Not selected"),
                 ADVANCED: _l("Advanced to a later stage")}
RECOMMENDATION_LABELS = {"strong_yes": _l("Strong yes"), "yes": _l("Yes"), "maybe": _l("Maybe"), "no": _l("No"),
                         "strong_no": _l("Strong no")}


def default_direction(sort: str) -> str:
    return "desc" if sort in SCORE_SORTS or sort.startswith(CRITERION_PREFIX) else "asc"


# --- What the leaderboard is made of ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What the query layer knows about a listed application (managers always see identities)."""

    application_id: int
    status: str
    current_stage_id: int | None
    startup_id: int
    startup_name: str
    region: str | None
    country: str
    sector: str
    startup_stage: str
    women_led: bool


@dataclass(frozen=True, slots=True)
class BoardRow:
    facts: Facts
    score: scoring.Row
    rank: int | None  # in the merit order of the rows that pass the filters; None without a review
    above_cut_line: bool | None  # None when there is no cut line (no quota, no "top N")

    @property
    def application_id(self) -> int:
        return self.facts.application_id

    @property
    def flags(self) -> list[str]:
        return sorted(self.score.flags)


@dataclass(frozen=True, slots=True)
class ReviewerLine:
    stat: scoring.ReviewerStat
    name: str


@dataclass(frozen=True)
class Filters:
    region: str | None = None
    sector: str | None = None
    startup_stage: str | None = None
    women_led: bool | None = None
    flag: str | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args: Mapping, *, strict: bool = False) -> Filters:
        """From query arguments: unknown values raise RuleViolation when strict, are ignored otherwise."""
        errors: dict[str, list[str]] = {}

        def pick(name: str, allowed) -> str | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if value in allowed:
                return value
            errors.setdefault(name, []).append(str(_l("Not one of the allowed values.")))
            return None

        women = (str(args.get("women_led") or "")).strip().lower()
        women_led = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(women)
        if women and women_led is None:
            errors.setdefault("women_led", []).append(str(_l("Use true or false.")))
        filters = cls(region=pick("region", REGIONS), sector=pick("sector", SECTORS),
                      startup_stage=pick("startup_stage", STARTUP_STAGES), women_led=women_led,
                      flag=pick("flag", FLAG_FILTERS), status=pick("status", STATUS_FILTERS))
        if errors and strict:
            raise RuleViolation(errors=errors)
        return filters

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links that keep them)."""
        args = {name: getattr(self, name) for name in ("region", "sector", "startup_stage", "flag", "status")}
        args = {k: v for k, v in args.items() if v}
        if self.women_led is not None:
            args["women_led"] = "true" if self.women_led else "false"
        return args

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def matches(self, facts: Facts, row: scoring.Row) -> bool:
        if self.region and facts.region != self.region:
            return False
        if self.sector and facts.sector != self.sector:
            return False
        if self.startup_stage and facts.startup_stage != self.startup_stage:
            return False
        if self.women_led is not None and facts.women_led != self.women_led:
            return False
        if self.status and facts.status != self.status:
            return False
        if self.flag == "any":
            return bool(row.flags)
        if self.flag == "none":
            return not row.flags
        return not self.flag or self.flag in row.flags


@dataclass
class StageBoard:
    stage: Stage
    criteria: list[Criterion]
    stats: scoring.StageStats
    reviewers: list[ReviewerLine]
    rows: Sequence[BoardRow]  # the rows that pass the filters, in the requested order (board_read: lazy)
    listed: int  # rows before filtering
    sort: str
    direction: str
    filters: Filters
    top: int | None
    cut: int | None  # how many rows take the seats (ranking.cut_line), None without a cut line
    skipped_reviews: int

    @property
    def in_merit_order(self) -> bool:
        """Whether the rows are shown best first, so the cut line is one line between rows."""
        return (self.sort == "rank" and self.direction == "asc") or (
            self.sort == "normalised_score" and self.direction == "desc")

    def page(self, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        start = (max(1, page) - 1) * per_page
        return Page(items=self.rows[start:start + per_page], page=max(1, page), per_page=per_page,
                    total=len(self.rows))


# --- Reading ----------------------------------------------------------------------------------------


def stage_criteria(stage: Stage) -> list[Criterion]:
    return list(db.session.scalars(select(Criterion).where(Criterion.stage_id == stage.id)
                                   .order_by(Criterion.position, Criterion.id)))


def submitted_reviews(stage: Stage) -> list[tuple[int, int, dict, str | None]]:
    """(application_id, reviewer_id, scores, recommendation) of every review that counts: one query.
    The scores are read as stored and each distinct set decoded once (a rubric allows few): reviews
    with the same scores share one dict, which nobody changes."""
    stmt = (select(Assignment.application_id, Assignment.reviewer_id, type_coerce(Review.scores, String),
                   Review.recommendation)
            .join(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE,
                   Review.status == ReviewStatus.SUBMITTED))
    decoded: dict[str, object] = {}
    reviews = []
    for app_id, reviewer_id, scores, recommendation in db.session.connection().execute(stmt):
        if isinstance(scores, str):  # else the driver decoded it already
            if scores not in decoded:
                decoded[scores] = json.loads(scores)
            scores = decoded[scores]
        reviews.append((app_id, reviewer_id, scores, recommendation))
    return reviews


def listed_facts(stage: Stage) -> dict[int, Facts]:
    """The applications on the stage's board with their startup facts: one query."""
    women_led = exists().where(TeamMember.startup_id == Startup.id, TeamMember.gender == Gender.FEMALE)
    assigned = select(Assignment.application_id).where(Assignment.stage_id == stage.id,
                                                       Assignment.status == AssignmentStatus.ACTIVE)
    stmt = (select(Application.id, Application.status, Application.current_stage_id, Startup.id, Startup.name,
                   Startup.region, Startup.country, Startup.sector, Startup.stage, women_led.label("women_led"))
            .join(Startup, Startup.id == Application.startup_id)
            .where(Application.season_id == stage.season_id, Application.status.not_in(NOT_LISTED),
                   or_(Application.current_stage_id == stage.id, Application.id.in_(assigned))))
    facts = {}
    for app_id, status, current, startup_id, name, region, country, sector, st_stage, women in db.session.execute(stmt):
        shown = ADVANCED if status == Status.IN_REVIEW and current != stage.id else str(status)
        facts[app_id] = Facts(app_id, shown, current, startup_id, name, region, country, sector,
                              str(st_stage), bool(women))
    return facts


def reviewer_names(ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(in_ids(User.id, ids))).all())


def _clean(review: scoring.Review, criteria: list[scoring.Criterion]) -> scoring.Review | None:
    """The review if its scores fit the rubric (integral floats accepted), None otherwise."""
    scores = review.scores
    if not isinstance(scores, Mapping) or set(scores) != {c.key for c in criteria}:
        return None
    fixed = {}
    for c in criteria:
        value = scores[c.key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is not int or not c.scale_min <= value <= c.scale_max:
            return None
        fixed[c.key] = value
    rec = review.recommendation if review.recommendation in RECOMMENDATION_LABELS else None
    return scoring.Review(review.application_id, review.reviewer_id, fixed, rec)


def compute(stage: Stage, criteria: list[Criterion], raw_reviews, application_ids) -> tuple[scoring.Leaderboard, int]:
    """The stage's numbers, and how many reviews were left out because they do not fit the rubric."""
    required = stage.reviews_required
    if not criteria:
        rows = tuple(scoring.Row(app_id, None, None, None, 0, required, {},
                                 {r.value: 0 for r in scoring.Recommendation},
                                 frozenset({scoring.RowFlag.INCOMPLETE}) if required else frozenset())
                     for app_id in sorted(application_ids))
        return scoring.Leaderboard(rows, (), scoring.StageStats(None, None, 0, 0, 0.0, 0.0)), len(raw_reviews)
    rubric = [scoring.Criterion(c.key, c.weight, c.scale_min, c.scale_max) for c in criteria]
    reviews = [scoring.Review(a, r, s, rec) for a, r, s, rec in raw_reviews]
    options = {"reviews_required": required, "application_ids": application_ids,
               "disagreement_threshold": float(stage.disagreement_threshold)}
    try:
        return scoring.compute_leaderboard(reviews, rubric, **options), 0
    except ValueError:  # some review does not fit the rubric any more: leave it out, say so
        good = [r for r in (_clean(r, rubric) for r in reviews) if r is not None]
        return scoring.compute_leaderboard(good, rubric, **options), len(reviews) - len(good)


def display_order(merit: list[BoardRow], sort: str, descending: bool) -> list[BoardRow]:
    """Rows in merit order, put in the order asked for (ties stay in merit order)."""
    if sort == "rank":
        scored = [r for r in merit if r.rank is not None]
        unranked = [r for r in merit if r.rank is None]
        return (scored[::-1] if descending else scored) + unranked
    if sort in SCORE_SORTS or sort.startswith(CRITERION_PREFIX):
        by_score = {r.score.application_id: r for r in merit}
        return [by_score[s.application_id] for s in ranking.rank([r.score for r in merit], sort, descending)]
    value = {
        "name": lambda r: r.facts.startup_name.casefold(),
        "region": lambda r: r.facts.region,
        "sector": lambda r: r.facts.sector,
        "startup_stage": lambda r: STARTUP_STAGES.index(r.facts.startup_stage)
        if r.facts.startup_stage in STARTUP_STAGES else None,
        "status": lambda r: r.facts.status,
        "women_led": lambda r: r.facts.women_led,
    }[sort]
    present = [r for r in merit if value(r) is not None]
    missing = [r for r in merit if value(r) is None]
    present.sort(key=value, reverse=descending)  # stable: ties stay in merit order
    return present + missing


def check_sort(sort: str, criteria: list[Criterion]) -> bool:
    if sort in FIXED_SORTS:
        return True
    return sort.startswith(CRITERION_PREFIX) and sort[len(CRITERION_PREFIX):] in {c.key for c in criteria}


def stage_leaderboard(stage: Stage, *, sort: str = "rank", direction: str | None = None,
                      filters: Filters | None = None, top: int | None = None, strict: bool = False,
                      commit: bool = False) -> StageBoard:
    """The whole board of a stage, filtered and sorted (paginate with `.page()`).

    `top`: where to draw the cut line; None takes the season's quota (no line when it has none).
    `strict`: an unknown sort or direction raises RuleViolation (the API); otherwise it falls back to
    the default (the pages).
    The scores come from the stored board when it is current (a page is then a few indexed queries,
    whatever the size of the stage); otherwise they are computed here and stored, in the caller's
    transaction (`commit`: committed at once, for a request that only reads). See board_read.
    """
    filters = filters or Filters()
    criteria = stage_criteria(stage)
    if not check_sort(sort, criteria):
        if strict:
            raise RuleViolation("sort", _l("Sort by rank, name, region, sector, startup_stage, status, women_led, "
                                           "a score (normalised_score, weighted_score, spread, review_count) or "
                                           "criterion:<key> of this stage's rubric."))
        sort = "rank"
    if direction not in ("asc", "desc"):
        if direction is not None and strict:
            raise RuleViolation("dir", _l("Use asc or desc."))
        direction = default_direction(sort)
    if top is None:
        top = stage.season.quota
    if top is not None and not 0 <= top <= MAX_TOP:
        raise RuleViolation("top", _l("Choose a number from 0 to %(max)d.", max=MAX_TOP))
    from incubator.selection import board_read  # it builds on this module's types

    return board_read.stage_board(stage, criteria, sort=sort, direction=direction, filters=filters, top=top,
                                  commit=commit)


def computed_board(stage: Stage, criteria: list[Criterion], *, sort: str, direction: str, filters: Filters,
                   top: int | None, extra_ids=()) -> tuple[StageBoard, scoring.Leaderboard, int]:
    """The board computed from the reviews (the maths over the whole stage, then the filters, the
    merit rank and the cut line, then the sort), with the stage's numbers and the skipped reviews.
    `extra_ids`: applications to compute rows for besides the listed ones (for the store)."""
    facts = listed_facts(stage)
    raw = submitted_reviews(stage)
    board, skipped = compute(stage, criteria, raw, facts.keys() | set(extra_ids))
    names = reviewer_names(stat.reviewer_id for stat in board.reviewers)

    kept = [(facts[row.application_id], row) for row in board.rows
            if row.application_id in facts and filters.matches(facts[row.application_id], row)]
    fact_of = {row.application_id: fact for fact, row in kept}
    ranked = ranking.rank([row for _, row in kept], "normalised_score", descending=True)
    cut = None if top is None else ranking.cut_line(ranked, top)
    merit = []
    position = 0
    for row in ranked:
        rank = None
        if row.is_scored:
            position += 1
            rank = position
        merit.append(BoardRow(fact_of[row.application_id], row, rank,
                              None if cut is None else (rank is not None and rank <= cut)))

    reviewers = [ReviewerLine(stat, names.get(stat.reviewer_id, "")) for stat in board.reviewers]
    result = StageBoard(stage=stage, criteria=criteria, stats=board.stage, reviewers=reviewers,
                        rows=display_order(merit, sort, direction == "desc"), listed=len(facts), sort=sort,
                        direction=direction, filters=filters, top=top, cut=cut, skipped_reviews=skipped)
    return result, board, skipped


def fmt_score(value, places: int = 3) -> str:
    """A score for people: three decimals (the precision every threshold is decided on), or a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{places}f}"
