"""Manager pages: importing a season's outcomes from a CSV file. Upload -> a dry run shows every row
and its errors (nothing written) -> "Import" writes all rows or none, after checking them again.

Between the check and the import the file waits in the storage under a random key, named in a
signed, short-lived token bound to the season and the manager (the hidden field cannot point at
someone else's file); it is removed once imported."""
from __future__ import annotations

import hashlib
import io

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from incubator.core.errors import RuleViolation
from incubator.extensions import db
from incubator.outcomes import csv_import
from incubator.programs.queries import season_for_manager
from incubator.storage import delete_after_commit, get_storage, is_valid_key
from incubator.web.helpers import flash
from incubator.web.manager import bp
from incubator.web.manager.outcomes import page_helpers

TOKEN_MAX_AGE = 3600
PREVIEW_ROWS = 200
ERRORS_SHOWN = 1000
COLUMN_HELP = {
    "application_id": _l("The application's number, shown on the season's outcomes page. Only startups the season "
                         "took in (accepted, place confirmed)."),
    "kind": _l("product, investment, grant or jobs."),
    "date": _l("YYYY-MM-DD, not before the season started and not in the future. Required for product, investment "
               "and jobs; optional for grant."),
    "link": _l("product: its web address (http:// or https://), optional."),
    "investor": _l("investment: who invested. Required."),
    "amount": _l("investment (required) or grant (optional): digits with a dot for decimals, like 20000.00, above "
                 "zero."),
    "currency": _l("With an amount: UZS or USD."),
    "round": _l("investment: for example pre-seed or seed. Optional."),
    "name": _l("grant: the grant or competition. Required."),
    "result": _l("grant: for example won or finalist. Required."),
    "jobs": _l("jobs: the number of jobs created, a whole number. Required."),
    "note": _l("Any kind: a note, optional."),
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="outcomes-import")


def _page(season, *, result=None, error: str | None = None, token: str | None = None, filename: str = "",
          status: int = 200):
    shown = []
    if result is not None:
        shown = [(r.number, column, message) for r in result.error_rows for column, message in r.errors]
    return render_template("manager/outcomes_import.html", season=season, result=result, error=error, token=token,
                           filename=filename, columns=csv_import.COLUMNS, column_help=COLUMN_HELP,
                           example=csv_import.EXAMPLE, max_rows=csv_import.MAX_ROWS,
                           max_mb=csv_import.MAX_BYTES // (1024 * 1024), errors_shown=shown[:ERRORS_SHOWN],
                           errors_total=len(shown), preview=(result.rows[:PREVIEW_ROWS] if result else []),
                           **page_helpers()), status


@bp.route("/seasons/<id:season_id>/outcomes/import", methods=["GET", "POST"])
@login_required
def season_outcomes_import(season_id: int):
    season = season_for_manager(current_user, season_id)
    if request.method == "GET":
        return _page(season)
    if request.form.get("action") == "import":
        return _import(season)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(season, error=str(_l("Choose a CSV file to check.")), status=422)
    try:
        raw = csv_import.read_upload(upload.stream)
        result = csv_import.import_outcomes(season, raw, actor=current_user, dry_run=True)
    except RuleViolation as exc:
        db.session.rollback()
        return _page(season, error=" ".join(exc.errors.get("file", [exc.message])), filename=upload.filename,
                     status=422)
    token = None
    if result.ok:
        key = get_storage().save(io.BytesIO(raw))
        token = _serializer().dumps({"season": season.id, "user": current_user.id, "key": key,
                                     "sha256": hashlib.sha256(raw).hexdigest()})
    return _page(season, result=result, token=token, filename=upload.filename, status=200 if result.ok else 422)


def _import(season):
    try:
        claim = _serializer().loads(request.form.get("token", ""), max_age=TOKEN_MAX_AGE)
    except BadSignature:
        claim = None
    if (not isinstance(claim, dict) or claim.get("season") != season.id or claim.get("user") != current_user.id
            or not is_valid_key(claim.get("key"))):
        flash(_l("This check has expired or belongs to another import: upload the file again."), "warning")
        return redirect(url_for("manager.season_outcomes_import", season_id=season.id))
    storage = get_storage()
    try:
        with storage.open(claim["key"]) as stream:
            raw = stream.read()
    except FileNotFoundError:
        flash(_l("This file was imported already, or its check has expired: upload it again."), "warning")
        return redirect(url_for("manager.season_outcomes_import", season_id=season.id))
    if hashlib.sha256(raw).hexdigest() != claim.get("sha256"):
        flash(_l("The checked file has changed: upload it again."), "warning")
        return redirect(url_for("manager.season_outcomes_import", season_id=season.id))
    try:
        result = csv_import.import_outcomes(season, raw, actor=current_user, dry_run=False)
    except RuleViolation as exc:
        db.session.rollback()
        if "file" in exc.errors:
            return _page(season, error=" ".join(exc.errors["file"]), status=422)
        result = csv_import.check_file(season, raw, dry_run=True)
        return _page(season, result=result, error=str(_l("Nothing was imported: something changed since the check. "
                                                         "The rows below have errors now.")), status=422)
    delete_after_commit(db.session, storage, claim["key"])
    db.session.commit()
    flash(ngettext("%(num)d outcome is imported.", "%(num)d outcomes are imported.", result.created), "success")
    return redirect(url_for("manager.season_outcomes", season_id=season.id))


@bp.get("/seasons/<id:season_id>/outcomes/template.csv")
@login_required
def season_outcomes_template(season_id: int):
    """The header row, as a file to fill in (UTF-8 with a BOM, so Excel reads it as UTF-8)."""
    season = season_for_manager(current_user, season_id)
    response = make_response("\ufeff" + csv_import.TEMPLATE)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="outcomes-season-{season.id}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
