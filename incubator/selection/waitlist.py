"""The waitlist: a waitlisted application keeps its place from the stage's leaderboard, and the
best-placed one is promoted when a seat frees up (an offer declined or expired).

Order of promotion: the latest stage first (an application waitlisted at Demo Day went further
than one waitlisted at Screening, and ranks from different stages are not comparable), then the
rank (1 = best normalised score at that stage), then the application id. Only entries not yet
promoted, of applications still waitlisted, are candidates. A promotion happens only while a seat
is free: the season has no quota, or fewer open or confirmed offers than its quota."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.applications.transitions import transition
from incubator.core.errors import Conflict
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.reviews import ranking, scoring
from incubator.selection import board_read, leaderboard
from incubator.selection.models import Offer, WaitlistEntry
from incubator.selection.offers import make_offer, seat_is_free

PROMOTED_KIND = "promoted"


# --- The stage's leaderboard order ---------------------------------------------------------------
# The numbers come from the leaderboard (incubator.selection.leaderboard): the same reviews, the same
# rubric check and the same order as the page the manager decides from.

def ranked_rows(stage: Stage, application_ids: Iterable[int]) -> list[scoring.Row]:
    """The rows of these applications in merit order (normalised score, best first; unscored last),
    computed over the whole stage and filtered afterwards; read from the stored board when it is
    current (board_read.stored_rows: the same rows). Three queries."""
    wanted = set(application_ids)
    criteria = leaderboard.stage_criteria(stage)
    rows = board_read.stored_rows(stage, wanted, [c.key for c in criteria])
    if rows is None:
        board, _ = leaderboard.compute(stage, criteria, leaderboard.submitted_reviews(stage), wanted)
        rows = [row for row in board.rows if row.application_id in wanted]
    return ranking.rank(rows)


def leaderboard_positions(stage: Stage, application_ids: Iterable[int]) -> dict[int, int]:
    """application id -> place on the stage's leaderboard as the manager sees it (1 = best; the
    applications without a submitted review after the scored ones), for every id given."""
    wanted = set(application_ids)
    board = leaderboard.stage_leaderboard(stage, sort="rank", direction="asc", top=0)
    places = {row.application_id: place for place, row in enumerate(board.rows, start=1)}
    last = len(board.rows)
    return {app_id: places.get(app_id) or last + i for i, app_id in enumerate(sorted(wanted), start=1)}


# --- Entries ------------------------------------------------------------------------------------

def add_to_waitlist(application: Application, stage: Stage, rank: float) -> WaitlistEntry:
    entry = WaitlistEntry(application_id=application.id, season_id=application.season_id, stage_id=stage.id,
                          rank=float(rank))
    db.session.add(entry)
    return entry


def waitlist_order(season_id: int):
    """The season's promotable entries, the next to promote first."""
    return (
        select(WaitlistEntry)
        .join(Application, Application.id == WaitlistEntry.application_id)
        .outerjoin(Stage, Stage.id == WaitlistEntry.stage_id)
        .where(WaitlistEntry.season_id == season_id, WaitlistEntry.promoted_at.is_(None),
               Application.status == Status.WAITLISTED)
        .order_by(Stage.position.desc().nulls_last(), WaitlistEntry.rank, WaitlistEntry.application_id)
    )


def next_waitlisted(season: Season) -> WaitlistEntry | None:
    return db.session.scalars(waitlist_order(season.id).limit(1)).first()


def claim_entry(entry: WaitlistEntry) -> None:
    """Mark the entry promoted, once: a second promoter of the same entry gets a Conflict."""
    claimed = db.session.execute(
        update(WaitlistEntry).where(WaitlistEntry.id == entry.id, WaitlistEntry.promoted_at.is_(None))
        .values(promoted_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(_l("Someone changed this application at the same moment. Reload the page to see "
                          "its current state."), code="lost_race")
    db.session.expire(entry)


def promote_next(season: Season, *, actor=None, because: Offer | None = None) -> Offer | None:
    """Promote the best-placed waitlisted application of the season to accepted, with an offer and a
    notification, if a seat is free. Returns the new offer, or None (no seat, or nobody waiting)."""
    if not seat_is_free(season):
        return None
    entry = next_waitlisted(season)
    if entry is None:
        return None
    application = entry.application
    claim_entry(entry)
    # Stored as data (the timeline shows it as written), so in plain words rather than one reader's language.
    reason = (f"a seat opened up: the offer to application #{because.application_id} was {because.status}"
              if because is not None else "a seat opened up")
    transition(application, Status.ACCEPTED, actor=actor, kind=PROMOTED_KIND, reason=reason)
    return make_offer(application, actor=actor, promoted=True)
