"""HTML blueprints, one per audience."""
from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from incubator.core.converters import IdConverter

    app.url_map.converters["id"] = IdConverter

    from incubator.web import account, admin, auth, notifications, public
    from incubator.web.founder import bp as founder_bp
    from incubator.web.manager import bp as manager_bp
    from incubator.web.reviewer import bp as reviewer_bp

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(account.bp, url_prefix="/account")
    app.register_blueprint(notifications.bp, url_prefix="/notifications")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(founder_bp, url_prefix="/my")
    app.register_blueprint(manager_bp, url_prefix="/manage")
    app.register_blueprint(reviewer_bp, url_prefix="/review")

    from incubator.web.context import init_template_context

    init_template_context(app)
