"""Manager pages: closing a season. The page lists what still blocks closing (undecided and
waitlisted applications, open offers), with links to the pages that resolve them, the decisions not
announced yet, and an explicit confirmation of what closing does; closing is final. A POST closes the
season and goes to its report's progress page (the report is compiled in the background).

A closed season's pages say when and by whom it was closed (`season_closed_text`, a template global)."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from incubator.accounts.models import User
from incubator.core.errors import DomainError
from incubator.core.i18n import format_in_zone
from incubator.extensions import db
from incubator.programs.models import SeasonStatus
from incubator.programs.queries import season_for_manager
from incubator.reports.services import LOCALES
from incubator.selection import closing
from incubator.web.helpers import flash
from incubator.web.manager import bp

LOCALE_LABELS = {"en": _l("English"), "ru": _l("Russian"), "uz": _l("Uzbek")}


def url_or_none(endpoint: str, **values) -> str | None:
    """A link to a page that may not be registered (the report pages come with the report pipeline)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def report_url(report) -> str | None:
    return url_or_none("manager.report", report_id=report.id) if report is not None else None


@bp.app_template_global()
def season_closed_text(season) -> str:
    """"Closed on 12 Dec 2026, 18:00 Asia/Tashkent (UTC+05:00) by Manager" for a closed season, else ""."""
    if season is None or season.status != SeasonStatus.CLOSED or season.closed_at is None:
        return ""
    tz = getattr(current_user, "timezone", None) or season.timezone
    when = format_in_zone(season.closed_at, tz)
    closer = db.session.get(User, season.closed_by_id) if season.closed_by_id else None
    if closer is None:
        return str(_l("Closed on %(when)s.", when=when))
    return str(_l("Closed on %(when)s by %(name)s.", when=when, name=closer.name))


def _unannounced(season) -> int:
    """Decisions whose letters were not sent yet (they can no longer be sent once the season is closed)."""
    from incubator.letters.services import letters_for

    try:
        return len(letters_for(season, actor=current_user, unsent_only=True))
    except DomainError:
        return 0


def _page(season, *, error: str | None = None, status: int = 200, locale: str | None = None):
    closed = season.status == SeasonStatus.CLOSED
    blockers = closing.close_blockers(season) if not closed else closing.Blockers()
    stages = {s.id: s for s in season.stages}
    stage_rows = [(stages.get(stage_id), counts) for stage_id, counts in
                  sorted(blockers.by_stage().items(), key=lambda kv: (stages[kv[0]].position if kv[0] in stages
                                                                       else 0))]
    report = closing.latest_report(season) if closed else None
    default_locale = season.program.default_locale if season.program.default_locale in LOCALES else "en"
    return render_template(
        "manager/season_close.html", season=season, closed=closed, blockers=blockers, stage_rows=stage_rows,
        lines=closing.blocker_lines(blockers), consequence=closing.consequence_text(blockers), error=error,
        unannounced=_unannounced(season) if not closed else 0, report=report, report_link=report_url(report),
        reports_link=url_or_none("manager.season_reports", season_id=season.id),
        locales=[(code, LOCALE_LABELS[code]) for code in LOCALES], chosen_locale=locale or default_locale,
    ), status


@bp.route("/seasons/<id:season_id>/close", methods=["GET", "POST"])
@login_required
def season_close(season_id: int):
    season = season_for_manager(current_user, season_id)
    if request.method == "GET":
        return _page(season)
    locale = request.form.get("locale")
    locale = locale if locale in LOCALES else None
    if season.status != SeasonStatus.CLOSED and request.form.get("confirm") != "yes":
        return _page(season, status=422, locale=locale,
                     error=str(_l("Tick the box to confirm that you understand what closing does.")))
    try:
        result = closing.close_season_or_read(season_id, actor=current_user, confirm=True, locale=locale)
    except DomainError as exc:
        db.session.rollback()
        season = season_for_manager(current_user, season_id)
        return _page(season, error=exc.message, status=exc.status, locale=locale)
    if result.closed_now:
        flash(_l("The season “%(name)s” is closed. Its report is being compiled.", name=result.season.name),
              "success")
    else:
        flash(_l("The season “%(name)s” was already closed: nothing changed.", name=result.season.name), "info")
    link = report_url(result.report)
    if link is None:
        current_app.logger.info("closing: no report page to go to for season %s", season_id)
        return redirect(url_for("manager.season_close", season_id=season_id))
    return redirect(link)
