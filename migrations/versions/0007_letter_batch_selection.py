"""letter batch selection: what a batch of letters was asked to send (event ids, application ids or
every unsent decision) and when the `letters.send_batch` task prepared it (rendered its letters and
wrote their outbox rows), so the manager's request no longer renders them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('application_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('all_unsent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('prepared_at', sa.DateTime(timezone=True), nullable=True))
    # The batches sent before were prepared inside the request that created them.
    op.execute(sa.text("UPDATE letter_batches SET prepared_at = created_at"))


def downgrade():
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.drop_column('prepared_at')
        batch_op.drop_column('all_unsent')
        batch_op.drop_column('application_ids')
        batch_op.drop_column('event_ids')
