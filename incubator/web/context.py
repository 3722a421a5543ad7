"""What every template can use: policies, the unread count, the language list."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import func, select

from incubator.accounts import policies
from incubator.extensions import db
from incubator.notifications.models import Notification


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == current_user.id, Notification.via_inapp.is_(True),
            Notification.read_at.is_(None))
    ) or 0


def init_template_context(app) -> None:
    from incubator.applications.display import answer_rows

    app.jinja_env.globals["answer_rows"] = answer_rows  # the e-mails use it too

    from incubator.startups.labels import country_label, region_label

    app.jinja_env.filters["region_label"] = region_label
    app.jinja_env.filters["country_label"] = country_label

    @app.context_processor
    def _context():
        return {
            "policies": policies,
            "unread_count": unread_count,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
