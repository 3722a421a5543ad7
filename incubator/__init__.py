"""The incubator application factory."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from config import get_config


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=str(get_config(config_name).INSTANCE_PATH),
        instance_relative_config=False,
    )
    app.config.from_object(get_config(config_name))
    app.config.update(overrides)
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO if not app.testing else logging.WARNING)

    from incubator import models  # noqa: F401  (every model registered on the metadata)
    from incubator.core.celery import celery_init_app
    from incubator.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from incubator.core.i18n import init_i18n, select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_i18n(app)
    celery_init_app(app)

    from incubator.accounts.login import init_login

    init_login(app)

    from incubator.core.security import init_security_headers

    init_security_headers(app)

    from incubator.web import register_web

    register_web(app)

    from incubator.api import init_api

    init_api(app)

    from incubator.core.cli import register_cli

    register_cli(app)
    return app
