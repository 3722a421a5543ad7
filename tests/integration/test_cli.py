"""The command line: create-admin."""
from __future__ import annotations

from sqlalchemy import select

from incubator.accounts.models import User


def test_create_admin_makes_a_verified_administrator(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org", "--name", "Boss",
                                 "--password", "Tashkent-Tower-375"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.is_admin and user.is_verified


def test_create_admin_with_a_weak_password_explains_and_creates_nothing(app, db):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "a@example.org", "--name", "A",
                                                "--password", "123"])
    assert result.exit_code == 2 and "password" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_promotes_an_existing_account(app, db, founder):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", founder.email, "--name", "x",
                                                "--password", "whatever-it-is"])
    assert result.exit_code == 0
    db.session.refresh(founder)
    assert founder.is_admin
