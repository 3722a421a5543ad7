"""Manager pages: a stage's leaderboard (sortable, filterable, paginated, with a quota cut line that
moves as the manager tries "top N") and its CSV / XLSX exports.

Everything here is a GET that changes nothing. The stage is fetched with stage_for_manager (404 for
anyone who does not manage the program). With htmx, changing the filters or "top N" swaps the
results only (the request carries HX-Request); without JavaScript the form reloads the page."""
from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_login import current_user, login_required

from incubator.programs.queries import stage_for_manager
from incubator.reviews import scoring
from incubator.selection import exports
from incubator.selection.leaderboard import (
    BIAS_LABELS, CRITERION_PREFIX, DEFAULT_PER_PAGE, FLAG_FILTERS, FLAG_LABELS, MAX_TOP, STARTUP_STAGES,
    STATUS_FILTERS, STATUS_LABELS, Filters, default_direction, fmt_score, stage_leaderboard,
)
from incubator.startups import labels
from incubator.web.manager import bp


REVIEWERS_SHOWN = 20  # the reviewers panel's lines unless all are asked for


def _reviewer_lines(board) -> tuple[list, bool]:
    """The reviewers panel's lines, farthest from the stage mean first: the first REVIEWERS_SHOWN, or
    every one with ?reviewers=all (a stage can have hundreds: the page stays the same size). And
    whether they are all."""
    lines = sorted(board.reviewers, key=lambda line: (-abs(line.stat.delta_vs_stage), line.stat.reviewer_id))
    if request.args.get("reviewers") == "all" or len(lines) <= REVIEWERS_SHOWN:
        return lines, True
    return lines[:REVIEWERS_SHOWN], False


def _int_arg(name: str, default=None, lo: int = 0, hi: int = MAX_TOP):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default, False
    try:
        value = int(raw)
    except ValueError:
        return default, True
    if not lo <= value <= hi:
        return default, True
    return value, False


def _board(stage):
    """The board as the query arguments ask for it (unknown values fall back to the defaults)."""
    top, bad_top = _int_arg("top")
    board = stage_leaderboard(stage, sort=request.args.get("sort") or "rank", direction=request.args.get("dir"),
                              filters=Filters.from_args(request.args), top=top, commit=True)
    return board, bad_top


def _view_args(board, **overrides) -> dict:
    """The query arguments that reproduce this view (for sort links, the pager and the exports)."""
    args = dict(board.filters.as_args())
    if request.args.get("top") and board.top is not None:
        args["top"] = board.top
    if board.sort != "rank" or board.direction != "asc":
        args.update(sort=board.sort, dir=board.direction)
    args.update(overrides)
    return {k: v for k, v in args.items() if v is not None}


def _sort_links(board) -> dict:
    """For each sortable column: the link that sorts by it (or flips the direction) and its aria-sort."""
    keys = ["rank", "name", "region", "sector", "women_led", "status", "weighted_score", "normalised_score",
            "spread", "review_count", *(CRITERION_PREFIX + c.key for c in board.criteria)]
    links = {}
    for key in keys:
        current = board.sort == key
        direction = ("desc" if board.direction == "asc" else "asc") if current else default_direction(key)
        links[key] = {
            "url": url_for("manager.leaderboard", stage_id=board.stage.id,
                           **_view_args(board, sort=key, dir=direction, page=None)),
            "aria": ("ascending" if board.direction == "asc" else "descending") if current else None,
        }
    return links


@bp.get("/stages/<id:stage_id>/leaderboard")
@login_required
def leaderboard(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    board, bad_top = _board(stage)
    page_n, _ = _int_arg("page", 1, 1, 10**6)
    per_page, _ = _int_arg("per_page", DEFAULT_PER_PAGE, 1, 200)
    page = board.page(page_n, per_page)
    if page_n > page.pages:  # past the end (the filters changed): the last page
        page = board.page(page.pages, per_page)
    season = stage.season
    context = {
        "stage": stage, "season": season, "board": board, "page": page, "bad_top": bad_top,
        "sort_links": _sort_links(board), "view_args": _view_args(board), "fmt": fmt_score,
        "page_args": _view_args(board, per_page=per_page if per_page != DEFAULT_PER_PAGE else None),
        "labels": labels, "Bias": scoring.Bias,
        "FLAG_LABELS": FLAG_LABELS, "BIAS_LABELS": BIAS_LABELS, "STATUS_LABELS": STATUS_LABELS,
        "FLAG_FILTERS": FLAG_FILTERS, "STATUS_FILTERS": STATUS_FILTERS, "STARTUP_STAGES": STARTUP_STAGES,
        "MAX_TOP": MAX_TOP,
    }
    context["reviewer_lines"], context["all_reviewers"] = _reviewer_lines(board)
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        return render_template("manager/_leaderboard_results.html", **context)
    return render_template("manager/leaderboard.html", **context)


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/stages/<id:stage_id>/leaderboard.csv")
@login_required
def leaderboard_csv(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    board, _ = _board(stage)
    sheet = request.args.get("sheet") if request.args.get("sheet") in exports.SHEETS else "applications"
    return _download(exports.to_csv(board, sheet), exports.CSV_MIMETYPE, exports.file_name(board, "csv", sheet))


@bp.get("/stages/<id:stage_id>/leaderboard.xlsx")
@login_required
def leaderboard_xlsx(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    board, _ = _board(stage)
    return _download(exports.to_xlsx(board), exports.XLSX_MIMETYPE, exports.file_name(board, "xlsx"))
