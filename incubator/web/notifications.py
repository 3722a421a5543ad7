"""In-app notifications of the signed-in user."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import update

from incubator.core.pagination import clamp, paginate
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.queries import inbox

bp = Blueprint("notifications", __name__)


@bp.get("/")
@login_required
def index():
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 20)
    return render_template("notifications/list.html", page=paginate(inbox(current_user), page, per_page))


@bp.post("/read-all")
@login_required
def read_all():
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("notifications.index"))
