"""Pages anyone can see: the landing page with open seasons, programs, seasons; the language switch;
the health check."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.core.health import health_report
from incubator.core.i18n import is_supported
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.programs import queries
from incubator.web.helpers import flash, safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    return render_template("public/index.html", seasons=queries.open_seasons())


@bp.get("/programs")
def programs():
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 20)
    return render_template("public/program_list.html", page=paginate(queries.public_programs(), page, per_page))


@bp.get("/programs/<id:program_id>")
def program_detail(program_id: int):
    program = queries.public_program(program_id)
    if program is None:
        abort(404)
    seasons = db.session.scalars(queries.public_seasons(program_id=program.id)).unique().all()
    return render_template("public/program_detail.html", program=program, seasons=seasons)


@bp.get("/seasons/<id:season_id>")
def season_detail(season_id: int):
    season = queries.public_season(season_id)
    if season is None:
        abort(404)
    return render_template("public/season_detail.html", season=season)


@bp.post("/language")
def set_language():
    code = request.form.get("lang", "")
    if not is_supported(code):
        flash(_l("Unknown language code “%(code)s”: choose English, Russian or Uzbek.", code=code[:20]), "warning")
    else:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(url_for("public.index")))


@bp.get("/healthz")
def healthz():
    report, ok = health_report()
    return jsonify(report), (200 if ok else 503)
