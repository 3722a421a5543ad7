"""Flask CLI commands: create-admin, seed."""
from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True, default="Administrator")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_admin(email: str, name: str, password: str) -> None:
        """Make the first administrator (or promote an existing account)."""
        from incubator.accounts import services
        from incubator.core.errors import RuleViolation
        from incubator.extensions import db

        user = services.find_user_by_email(email)
        if user is None:
            try:
                user = services.register_user(email=email, password=password, name=name, verified=True)
            except RuleViolation as exc:
                db.session.rollback()
                for field, messages in exc.errors.items():
                    click.echo(f"{field}: {'; '.join(str(m) for m in messages)}", err=True)
                raise SystemExit(2) from None
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.email} is an administrator.")

    @app.cli.command("seed")
    def seed() -> None:
        """Load the demo data (idempotent)."""
        from incubator.demo.seed import seed_demo

        summary = seed_demo()
        for key, value in summary.items():
            click.echo(f"{key}: {value}")
