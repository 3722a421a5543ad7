"""The founder's applications: dashboard, form with autosave, submit, withdraw, timeline (pages)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from incubator.applications.queries import application_for_founder
from incubator.web.founder import bp


@bp.get("/applications/<id:application_id>")
@login_required
def application_detail(application_id: int):
    application = application_for_founder(current_user, application_id)
    return render_template("founder/application_detail.html", application=application)
