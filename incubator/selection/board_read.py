"""Reading a stage's leaderboard: from the stored board (board_store) when it is current, with SQL,
so that a page costs the same few indexed queries at 500 applications as at 20,000; otherwise
computed from the reviews (leaderboard.computed_board, the reference), stored, and served.

The stored board holds the scores; what can change without changing them is joined live: the
application's status and current stage (which applications are listed, and "advanced"), the
startup's name, region, sector, stage and women-led. An application listed because it is at the
stage now, without an active assignment there, has no stored row: it is listed without scores, as
the computation lists it.

Orders: the merit order is the stored `merit` (ranking.rank by normalised score), then the rows
without a review by application id: a page walks the (stage, merit) index and stops at its end, and
the ranks are counted from the offset. Any other order (a score, a criterion mean, a fact) reads the
filtered rows' ids, merit and the one value sorted by (one light query), sorts them here exactly as
leaderboard.display_order does (Python's comparisons: casefold names, no collation to differ, ties
in the merit order), then reads the page's rows by id. The counts (listed, passing the filters, with
a review) are one query: the listing is live, so it is counted rather than stored."""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from sqlalchemy import String, and_, case, exists, func, literal, or_, select, type_coerce

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.programs.models import Criterion, Stage
from incubator.reviews import scoring
from incubator.selection import board_store
from incubator.selection import leaderboard as lb
from incubator.selection.board_models import StageBoardRow as B
from incubator.startups.models import Gender, Startup, StartupStage, TeamMember

YIELD_PER = 1000


def stage_board(stage: Stage, criteria: list[Criterion], *, sort: str, direction: str, filters: lb.Filters,
                top: int | None, commit: bool = False) -> lb.StageBoard:
    stored = board_store.state(stage.id)
    if not stored.fresh:
        assigned = board_store.assigned_applications(stage)
        result, computed, skipped = lb.computed_board(stage, criteria, sort=sort, direction=direction,
                                                      filters=filters, top=top, extra_ids=assigned)
        board_store.store(stage, stored.current, computed, skipped, assigned, commit=commit)
        return result

    query = BoardQuery(stage, criteria, filters)
    listed, total, scored = query.counts()
    cut = None if top is None else min(top, scored)  # ranking.cut_line: never below the last scored row
    names = lb.reviewer_names(stat.reviewer_id for stat in stored.reviewers)
    reviewers = [lb.ReviewerLine(stat, names.get(stat.reviewer_id, "")) for stat in stored.reviewers]
    descending = direction == "desc"
    if sort == "rank" or (sort == "normalised_score" and descending):  # the merit order, or its reverse
        rows: Sequence[lb.BoardRow] = MeritRows(query, sort == "rank" and descending, total=total, scored=scored,
                                                cut=cut)
    else:
        ids, ranks = query.ordered_ids(sort, descending)
        rows = SortedRows(query, ids, ranks, cut=cut)
    return lb.StageBoard(stage=stage, criteria=criteria, stats=stored.stats, reviewers=reviewers, rows=rows,
                         listed=listed, sort=sort, direction=direction, filters=filters, top=top, cut=cut,
                         skipped_reviews=stored.skipped)


def stored_rows(stage: Stage, application_ids, keys: list[str]) -> list[scoring.Row] | None:
    """The score rows of these applications from the stored board, when it is current; None when it
    is not (compute them: leaderboard.compute). The same rows the computation gives: the stored
    numbers are the computed ones, and an application without a stored row (no active assignment at
    the stage, so no review that counts) gets the computation's empty row. `keys`: the stage's
    criterion keys in order. Two queries (the version, the stage's rows), whatever the number asked
    for: "decide the top N" and the decisions page read the ranking this way."""
    if not board_store.state(stage.id).fresh:
        return None
    wanted = set(application_ids)
    decode = Decoder()
    stmt = select(B.application_id, B.weighted_score, B.normalised_score, B.spread, B.review_count,
                  B.reviews_required, type_coerce(B.criterion_means, String), type_coerce(B.recommendations, String),
                  B.flags).where(B.stage_id == stage.id)
    rows = []
    for app_id, weighted, normalised, spread, count, required, means, recommendations, flags in (
            db.session.connection().execute(stmt).all()):
        if app_id in wanted:
            wanted.discard(app_id)
            rows.append(scoring.Row(app_id, weighted, normalised, spread, count, required, decode.json(means),
                                    decode.json(recommendations), decode.flags(flags)))
    required = stage.reviews_required
    empty_flags = frozenset({scoring.RowFlag.INCOMPLETE}) if required else frozenset()
    for app_id in wanted:
        rows.append(scoring.Row(app_id, None, None, None, 0, required, dict.fromkeys(keys),
                                {r.value: 0 for r in scoring.Recommendation}, empty_flags))
    return rows


class Decoder:
    """The stored JSON objects and flags, decoded once per distinct value: rows with the same value
    share one dict or frozenset (the rows are read-only)."""

    def __init__(self):
        self._json: dict[str, dict] = {}
        self._flag_sets: dict[str, frozenset] = {}

    def json(self, raw) -> dict:
        if not isinstance(raw, str):  # a driver that decoded it already
            return raw
        value = self._json.get(raw)
        if value is None:
            value = self._json[raw] = json.loads(raw)
        return value

    def flags(self, flags: str) -> frozenset:
        flag_set = self._flag_sets.get(flags)
        if flag_set is None:
            flag_set = self._flag_sets[flags] = frozenset(flags.split(",")) if flags else frozenset()
        return flag_set


class BoardQuery:
    """The listed applications of a stage joined to their stored rows, filtered: SQL pieces."""

    def __init__(self, stage: Stage, criteria: list[Criterion], filters: lb.Filters):
        self.stage = stage
        self.keys = [c.key for c in criteria]
        self.required = stage.reviews_required
        self.default_flags = scoring.RowFlag.INCOMPLETE.value if self.required else ""
        self.women = exists().where(TeamMember.startup_id == Application.startup_id, TeamMember.gender == Gender.FEMALE)
        elsewhere = or_(Application.current_stage_id.is_(None), Application.current_stage_id != stage.id)
        self.status = type_coerce(case((and_(Application.status == Status.IN_REVIEW, elsewhere), lb.ADVANCED),
                                       else_=type_coerce(Application.status, String)), String)
        self.flags = func.coalesce(B.flags, literal(self.default_flags, String))
        self.listing = (Application.season_id == stage.season_id, Application.status.not_in(lb.NOT_LISTED),
                        or_(B.application_id.is_not(None), Application.current_stage_id == stage.id))
        self.filters = self._filters(filters)
        self.needs_startup = bool(filters.region or filters.sector or filters.startup_stage)
        self.decode = Decoder()

    def _filters(self, filters: lb.Filters) -> list:
        conditions = []
        if filters.region:
            conditions.append(Startup.region == filters.region)
        if filters.sector:
            conditions.append(Startup.sector == filters.sector)
        if filters.startup_stage:
            conditions.append(Startup.stage == StartupStage(filters.startup_stage))
        if filters.women_led is not None:
            conditions.append(self.women if filters.women_led else ~self.women)
        if filters.status:
            conditions.append(self.status == filters.status)
        if filters.flag == "any":
            conditions.append(self.flags != "")
        elif filters.flag == "none":
            conditions.append(self.flags == "")
        elif filters.flag:
            conditions.append((literal(",", String) + self.flags + literal(",", String))
                              .contains(f",{filters.flag},", autoescape=True))
        return conditions

    def _from(self, *columns, startup: bool = True):
        """The season's applications, joined to their stored rows (and their startups)."""
        stmt = select(*columns).select_from(Application)
        if startup:
            stmt = stmt.join(Startup, Startup.id == Application.startup_id)
        return stmt.outerjoin(B, and_(B.stage_id == self.stage.id, B.application_id == Application.id))

    def _scored_from(self, *columns):
        """The stored rows with a review, in the merit index's order, joined to their applications."""
        return (select(*columns).select_from(B).join(Application, Application.id == B.application_id)
                .join(Startup, Startup.id == Application.startup_id)
                .where(B.stage_id == self.stage.id, B.merit.is_not(None), *self.listing[:2]))

    def counts(self) -> tuple[int, int, int]:
        """(listed, passing the filters, of those with a review): one query."""
        if not self.filters:
            listed, scored = db.session.execute(self._from(func.count(), func.count(B.merit), startup=False)
                                                .where(*self.listing)).one()
            return listed, listed, scored
        passing = and_(*self.filters)
        listed, total, scored = db.session.execute(self._from(
            func.count(), func.coalesce(func.sum(case((passing, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(passing, B.merit.is_not(None)), 1), else_=0)), 0),
            startup=self.needs_startup).where(*self.listing)).one()
        return listed, int(total), int(scored)

    # --- Rows ------------------------------------------------------------------------------------

    def _columns(self) -> list:
        # The enum and the JSON as stored: decoded once per distinct value (_read), not once per row.
        return [Application.id, self.status, Application.current_stage_id, Startup.id, Startup.name,
                Startup.region, Startup.country, Startup.sector, type_coerce(Startup.stage, String),
                self.women.label("women_led"), B.weighted_score, B.normalised_score, B.spread, B.review_count,
                B.reviews_required, type_coerce(B.criterion_means, String), type_coerce(B.recommendations, String),
                self.flags.label("flags"), B.merit]

    def merit_rows(self, *, offset: int = 0, limit: int | None = None, descending: bool = False,
                   scored: int, cut: int | None) -> Iterator[lb.BoardRow]:
        """The filtered rows in the merit order (or its reverse: the rank, descending), from
        `offset`; `scored`: how many of them have a review. The rows with a review walk the
        (stage, merit) index and stop at the page's end, whatever the size of the stage; the rows
        without one (always last, by application id) are read only when the page reaches them."""
        end = None if limit is None else offset + limit
        if offset < scored:
            stmt = (self._scored_from(*self._columns()).where(*self.filters)
                    .order_by(B.merit.desc() if descending else B.merit).offset(offset))
            if end is not None:
                stmt = stmt.limit(min(end, scored) - offset)
            yield from self._read(stmt, offset, "reversed" if descending else "position", scored, cut)
        if end is not None and end <= scored:
            return
        start = max(offset, scored)
        stmt = (self._from(*self._columns()).where(*self.listing, *self.filters, B.merit.is_(None))
                .order_by(Application.id).offset(start - scored))
        if end is not None:
            stmt = stmt.limit(end - start)
        yield from self._read(stmt, start, "position", scored, cut)

    def ordered_ids(self, sort: str, descending: bool) -> tuple[list[int], dict[int, int]]:
        """Every order but the merit order, from one light read of the filtered rows (their id, merit,
        weighted score, review count and the value sorted by), sorted here as leaderboard.display_order
        sorts (Python's comparisons: casefold names, JSON criterion means, no collation to differ): the
        ids in that order, and the rank (the place in the merit order) of those with a review."""
        if sort in lb.TEXT_SORTS:
            value = {"name": Startup.name, "region": Startup.region, "sector": Startup.sector,
                     "startup_stage": type_coerce(Startup.stage, String), "status": self.status,
                     "women_led": self.women}[sort]
        elif sort.startswith(lb.CRITERION_PREFIX):
            value = type_coerce(B.criterion_means, String)
        else:
            value = {"normalised_score": B.normalised_score, "weighted_score": B.weighted_score,
                     "spread": B.spread, "review_count": func.coalesce(B.review_count, 0)}[sort]
        startup = sort in ("name", "region", "sector", "startup_stage") or self.needs_startup
        light = db.session.connection().execute(self._from(
            Application.id, B.merit, B.weighted_score, func.coalesce(B.review_count, 0), value, startup=startup,
        ).where(*self.listing, *self.filters)).all()
        scored = sorted((r for r in light if r[1] is not None), key=lambda r: r[1])
        ranks = {r[0]: place for place, r in enumerate(scored, start=1)}
        if sort in lb.TEXT_SORTS:  # the values in order (stable: ties in the merit order), the missing last
            light = scored + sorted((r for r in light if r[1] is None), key=lambda r: r[0])  # the merit order
            key = {"name": lambda v: v.casefold(), "women_led": bool,
                   "startup_stage": lambda v: lb.STARTUP_STAGES.index(v) if v in lb.STARTUP_STAGES else None,
                   }.get(sort, lambda v: v)
            keyed = [(None if r[4] is None else key(r[4]), r) for r in light]
            present = [pair for pair in keyed if pair[0] is not None]
            present.sort(key=lambda pair: pair[0], reverse=descending)
            ordered = [r for _, r in present] + [r for k, r in keyed if k is None]
        else:  # ranking.rank: unscored last, then missing values, the value, the weighted score, the id
            sign, criterion = -1 if descending else 1, sort[len(lb.CRITERION_PREFIX):]

            def order(r):
                v = r[4]
                if sort.startswith(lb.CRITERION_PREFIX):
                    v = None if v is None else self.decode.json(v).get(criterion)
                return (r[3] == 0, v is None, 0 if v is None else sign * v, r[2] is None,
                        0 if r[2] is None else sign * r[2], r[0])

            ordered = sorted(light, key=order)
        return [r[0] for r in ordered], ranks

    def rows_for(self, ids: list[int], ranks: dict[int, int], cut: int | None) -> Iterator[lb.BoardRow]:
        """The rows of these applications, in this order (a query per 500)."""
        connection = db.session.connection()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found = {values[0]: values for values in connection.execute(
                self._from(*self._columns()).where(Application.id.in_(chunk)))}
            for app_id in chunk:
                if app_id in found:  # else gone since (withdrawn at this very moment)
                    yield self._board_row(found[app_id], ranks.get(app_id), cut)

    def _read(self, stmt, offset: int, ranks: str, scored: int, cut: int | None) -> Iterator[lb.BoardRow]:
        # Core rows (no ORM loading: the columns are plain values), streamed for the exports.
        result = db.session.connection().execute(stmt.execution_options(yield_per=YIELD_PER))
        for place, values in enumerate(result, start=offset):
            merit = values[18]
            if merit is None:
                rank = None
            elif ranks == "reversed":
                rank = scored - place
            else:
                rank = place + 1
            yield self._board_row(values, rank, cut)

    def _board_row(self, values, rank: int | None, cut: int | None) -> lb.BoardRow:
        (app_id, status, current, startup_id, name, region, country, sector, startup_stage, women, weighted,
         normalised, spread, review_count, required, means, recommendations, flags) = values[:18]
        facts = lb.Facts(app_id, status, current, startup_id, name, region, country, sector, startup_stage,
                         bool(women))
        if review_count is None:  # listed without a stored row: no review, as the computation lists it
            means = dict.fromkeys(self.keys)
            recommendations = {r.value: 0 for r in scoring.Recommendation}
            review_count, required = 0, self.required
        else:
            means, recommendations = self.decode.json(means), self.decode.json(recommendations)
        score = scoring.Row(app_id, weighted, normalised, spread, review_count, required, means, recommendations,
                            self.decode.flags(flags))
        return lb.BoardRow(facts, score, rank, None if cut is None else (rank is not None and rank <= cut))

class LazyRows(Sequence):
    """Rows read when needed: len() is known, a slice is read at once (a page), iterating streams
    every row (the exports)."""

    total: int

    def _read(self, offset: int, limit: int | None) -> Iterator[lb.BoardRow]:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[lb.BoardRow]:
        return self._read(0, None)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.total)
            if step != 1:
                return list(self)[index]
            return list(self._read(start, stop - start)) if stop > start else []
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError(index)
        return next(self._read(index, 1))


class MeritRows(LazyRows):
    """The filtered rows in the merit order (the rank; backwards: `descending`): a page is one query
    walking the (stage, merit) index."""

    def __init__(self, query: BoardQuery, descending: bool, *, total: int, scored: int, cut: int | None):
        self.query, self.descending, self.total, self.scored, self.cut = query, descending, total, scored, cut

    def _read(self, offset: int, limit: int | None) -> Iterator[lb.BoardRow]:
        return self.query.merit_rows(offset=offset, limit=limit, descending=self.descending, scored=self.scored,
                                     cut=self.cut)


class SortedRows(LazyRows):
    """The filtered rows in another order (BoardQuery.ordered_ids, one light query for them all):
    a page is one query for its ids."""

    def __init__(self, query: BoardQuery, ids: list[int], ranks: dict[int, int], *, cut: int | None):
        self.query, self.ids, self.ranks, self.cut, self.total = query, ids, ranks, cut, len(ids)

    def _read(self, offset: int, limit: int | None) -> Iterator[lb.BoardRow]:
        ids = self.ids[offset:] if limit is None else self.ids[offset:offset + limit]
        return self.query.rows_for(ids, self.ranks, self.cut)
