"""sources.publisher: the kind of publisher of a web source (un, government, ngo, news, mirror)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

The values are filled by the ``bundled:publishers`` loader (from
``data/publishers.csv``), which also runs once on a database made before
this revision.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("publisher", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("publisher")
