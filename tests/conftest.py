"""Test fixtures: a real database built from the migrations (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a real broker (kombu's filesystem transport, or Redis when
TEST_BROKER_URL is set), a real SMTP server (aiosmtpd) and real worker processes."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# The environment must be set before config.py is imported: worker subprocesses inherit it.
_TMP = Path(tempfile.mkdtemp(prefix="incubator-tests-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
os.environ["APP_ENV"] = "testing"
os.environ["INSTANCE_PATH"] = str(_TMP / "instance")
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"
os.environ["CELERY_BROKER_URL"] = os.environ.get("TEST_BROKER_URL") or "filesystem://"
os.environ.pop("MAIL_SERVER", None)
os.environ.pop("MAIL_BACKEND", None)
os.environ["OUTBOX_REQUEUE_AFTER_SECONDS"] = "1"
os.environ["OUTBOX_STUCK_AFTER_SECONDS"] = "3"

import pytest  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.support.smtp import SmtpSink  # noqa: E402


def _reset_schema(app) -> None:
    from flask_migrate import upgrade

    from incubator.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


class IsolatedClient(FlaskClient):
    """The test's app context stays pushed (so tests can use db.session), and Flask reuses it for
    requests; clear `g` before each request so nothing cached (the logged-in user) leaks between
    requests or between clients, as in a real server."""

    def open(self, *args, **kwargs):
        from flask import g

        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()


@pytest.fixture(scope="session")
def _app():
    from incubator import create_app
    from incubator.core.celery import ensure_broker_folders

    app = create_app("testing")
    app.test_client_class = IsolatedClient
    ensure_broker_folders(app)
    _reset_schema(app)
    return app


def _clean_tables(app) -> None:
    from incubator.extensions import db

    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(_app):
    from incubator.extensions import limiter
    from incubator.notifications.backends import memory_outbox

    ctx = _app.app_context()
    ctx.push()
    memory_outbox.clear()
    try:
        limiter.reset()
    except Exception:
        pass
    saved = dict(_app.config)
    try:
        yield _app
    finally:
        _app.config.clear()
        _app.config.update(saved)
        _clean_tables(_app)
        ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    from incubator.extensions import db as _db

    return _db


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def smtp_app(app, smtp_sink):
    """The app sending real mail to the aiosmtpd sink."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    return app


@pytest.fixture
def memory_mail(app):
    from incubator.notifications.backends import memory_outbox

    return memory_outbox


@pytest.fixture
def worker_env(smtp_sink):
    env = dict(os.environ)
    env.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_sink.port))
    return env


pytest_plugins = ["tests.support.factories_fixtures"]
