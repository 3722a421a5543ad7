"""email domains: a stored, indexed, lower-cased e-mail domain on users and team members, and their
addresses stored lower-cased (conflict detection looks people up by index instead of scanning for
LIKE '%@domain' or lower(email) = ...)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('users', 'team_members')


def _backfill(table):
    """The domain after the "@", lower-cased, NULL when there is none: one UPDATE on SQLite and on
    PostgreSQL (only the name of the find-a-substring function differs). Addresses with more than one
    "@" (none are valid; kept exact anyway) are then set from the last one, as domain_of does."""
    bind = op.get_bind()
    at = "instr(email, '@')" if bind.dialect.name == 'sqlite' else "strpos(email, '@')"
    op.execute(sa.text(
        f"UPDATE {table} SET email_domain = NULLIF(lower(trim(substr(email, {at} + 1))), '') "
        f"WHERE email IS NOT NULL AND {at} > 0"))
    odd = bind.execute(sa.text(f"SELECT id, email FROM {table} WHERE email LIKE '%@%@%'")).all()
    for row_id, email in odd:
        domain = email.strip().rsplit('@', 1)[1].lower() or None
        bind.execute(sa.text(f"UPDATE {table} SET email_domain = :d WHERE id = :i"), {'d': domain, 'i': row_id})


def _lower_addresses():
    """Addresses as the models now store them (stripped, lower-cased; the services always did).
    A user whose lower-cased address another account already has keeps theirs."""
    bind = op.get_bind()
    op.execute(sa.text("UPDATE team_members SET email = lower(trim(email)) "
                       "WHERE email IS NOT NULL AND email <> lower(trim(email))"))
    odd = bind.execute(sa.text("SELECT id, email FROM users WHERE email <> lower(trim(email))")).all()
    for user_id, email in odd:
        clean = email.strip().lower()
        if bind.execute(sa.text("SELECT 1 FROM users WHERE email = :e"), {'e': clean}).first() is None:
            bind.execute(sa.text("UPDATE users SET email = :e WHERE id = :i"), {'e': clean, 'i': user_id})


def upgrade():
    _lower_addresses()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('email_domain', sa.String(length=254), nullable=True))
        _backfill(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_email_domain'), ['email_domain'], unique=False)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_email_domain'))
            batch_op.drop_column('email_domain')
