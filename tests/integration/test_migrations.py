"""The schema comes from the migrations; models and migrations agree; one head."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate  # noqa: F401


def test_migrations_have_one_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_models_and_migrations_agree(app, db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_email_domains_are_backfilled_and_dropped(tmp_path):
    """0006 stores addresses lower-cased (a user whose lower-cased address is taken keeps theirs),
    fills users.email_domain and team_members.email_domain from them (the last "@", NULL without
    one), indexes them, and goes back down cleanly. (Checked by hand on PostgreSQL too: the backfill
    differs only by strpos for instr.)"""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    from incubator import create_app
    from incubator.extensions import db as _db

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    with other.app_context():
        upgrade(revision="0005")
        with _db.engine.begin() as conn:
            now = "2026-01-01 00:00:00"
            for i, email in enumerate(["Ann@Acme.UZ", "bob@gmail.com", "odd@x@Last.Org ", "BOB@gmail.com"], start=1):
                conn.execute(text(
                    "INSERT INTO users (id, email, name, password_hash, locale, timezone, is_admin, "
                    "is_active_account, session_token, created_at) VALUES "
                    "(:i, :e, 'n', 'h', 'en', 'UTC', 0, 1, :t, :now)"), {"i": i, "e": email, "t": f"t{i}", "now": now})
            conn.execute(text(
                "INSERT INTO startups (id, owner_id, name, pitch, description, sector, country, stage, created_at) "
                "VALUES (1, 1, 's', '', '', 'fintech', 'UZ', 'idea', :now)"), {"now": now})
            for i, email in enumerate(["CTO@acme.uz", None, "no-at-sign", "trailing@"], start=1):
                conn.execute(text(
                    "INSERT INTO team_members (id, startup_id, name, email, role, gender, created_at) "
                    "VALUES (:i, 1, 'm', :e, '', 'undisclosed', :now)"), {"i": i, "e": email, "now": now})
        upgrade(revision="0006")
        with _db.engine.connect() as conn:
            users = {i: (e, d) for i, e, d in conn.execute(text("SELECT id, email, email_domain FROM users"))}
            members = {i: (e, d) for i, e, d in conn.execute(text("SELECT id, email, email_domain FROM team_members"))}
            indexes = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        assert users == {1: ("ann@acme.uz", "acme.uz"), 2: ("bob@gmail.com", "gmail.com"),
                         3: ("odd@x@last.org", "last.org"), 4: ("BOB@gmail.com", "gmail.com")}
        assert members == {1: ("cto@acme.uz", "acme.uz"), 2: (None, None), 3: ("no-at-sign", None),
                           4: ("trailing@", None)}
        assert {"ix_team_members_email_domain", "ix_users_email_domain"} <= indexes
        downgrade(revision="0005")
        with _db.engine.connect() as conn:
            assert "email_domain" not in {c["name"] for c in inspect(conn).get_columns("users")}
        _db.engine.dispose()
