"""Manager page: the program dashboard (funnel per season and in total, charts, shares, investment,
what predicted success). A GET that changes nothing; the program is fetched with
program_for_manager (404 for anyone who does not manage it)."""
from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

from incubator.dashboard import formatting as fmt
from incubator.dashboard.charts import dashboard_charts
from incubator.dashboard.service import program_dashboard
from incubator.programs.queries import program_for_manager
from incubator.web.manager import bp


@bp.get("/programs/<id:program_id>/dashboard", endpoint="program_dashboard")
@login_required
def program_dashboard_page(program_id: int):
    program = program_for_manager(current_user, program_id)
    dashboard = program_dashboard(program, str(get_locale() or "en"))
    return render_template("manager/dashboard.html", program=program, d=dashboard,
                           charts=dashboard_charts(dashboard), fmt=fmt)

