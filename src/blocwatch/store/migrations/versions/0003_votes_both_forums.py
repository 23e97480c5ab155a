"""One vote model for both forums: roll calls of the General Assembly and the Human Rights Council

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The GA tables become forum-neutral (``ga_roll_calls`` -> ``roll_calls``,
``ga_votes`` -> ``votes``, ``ga_vote_states`` -> ``vote_states``,
``ga_vote_vectors`` -> ``vote_vectors``); a roll call gains its forum, its
symbol and title under those names (``unres`` -> ``symbol``, ``short`` ->
``title``), its kind, draft, agenda item, committee, meeting, sponsors,
subjects, the tally its source states, and its classification (country or
thematic text, target, what a yes means for the target). New tables: the
sources of each roll call (a vote held by two sources is stored once, with
both), notes on roll calls (tally mismatches, disagreements between
sources, voters who were not members), and the terms of the states on the
Human Rights Council. Existing rows are kept (forum ``ga``); renames and
added columns are plain ``ALTER TABLE`` on both SQLite and PostgreSQL.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RENAMES = (("ga_roll_calls", "roll_calls"), ("ga_votes", "votes"), ("ga_vote_states", "vote_states"),
           ("ga_vote_vectors", "vote_vectors"))
COLUMN_RENAMES = (("unres", "symbol"), ("short", "title"))
NEW_COLUMNS = (
    ("session_name", sa.String(length=20)),
    ("kind", sa.String(length=20)),
    ("adopted", sa.Boolean()),
    ("draft", sa.String(length=60)),
    ("agenda_item", sa.Text()),
    ("committee", sa.Text()),
    ("meeting", sa.String(length=40)),
    ("sponsors", sa.JSON()),
    ("sponsors_text", sa.JSON()),
    ("subjects", sa.JSON()),
    ("yes_count", sa.SmallInteger()),
    ("no_count", sa.SmallInteger()),
    ("abstain_count", sa.SmallInteger()),
    ("subject", sa.String(length=10)),
    ("target", sa.String(length=3)),
    ("yes_stance", sa.String(length=12)),
    ("classified_by", sa.Text()),
)


def upgrade() -> None:
    op.drop_index("ix_ga_votes_iso3", table_name="ga_votes")
    op.drop_index("ix_ga_roll_calls_session", table_name="ga_roll_calls")
    for old, new in RENAMES:
        op.rename_table(old, new)
    for old, new in COLUMN_RENAMES:
        op.execute(f"ALTER TABLE roll_calls RENAME COLUMN {old} TO {new}")
    op.add_column("roll_calls", sa.Column("forum", sa.String(length=3), nullable=False, server_default="ga"))
    for name, type_ in NEW_COLUMNS:
        op.add_column("roll_calls", sa.Column(name, type_, nullable=True))
    op.create_index("ix_roll_calls_forum_session", "roll_calls", ["forum", "session"])
    op.create_index("ix_roll_calls_symbol", "roll_calls", ["symbol"])
    op.create_index("ix_roll_calls_target", "roll_calls", ["target"])
    op.create_index("ix_votes_iso3", "votes", ["iso3"])
    op.create_table(
        "roll_call_sources",
        sa.Column("rcid", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["rcid"], ["roll_calls.rcid"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("rcid", "source_id"),
    )
    op.create_table(
        "roll_call_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rcid", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["rcid"], ["roll_calls.rcid"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rcid", "kind", "iso3", "detail", name="uq_roll_call_note"),
    )
    op.create_index("ix_roll_call_notes_rcid", "roll_call_notes", ["rcid"])
    op.create_table(
        "council_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum", sa.String(length=3), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["iso3"], ["countries.iso3"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("forum", "iso3", "start", name="uq_council_term"),
    )
    op.create_index("ix_council_terms_iso3", "council_terms", ["iso3"])


def downgrade() -> None:
    # What came with this revision goes first: the Council's roll calls (they would otherwise become GA ones)
    # and the roll calls added through its model (ids from 1,100,000,000: the UN's resolutions, votes added
    # from text), with the log of their loaders, so an upgrade loads them again whole.
    added = "(SELECT rcid FROM roll_calls WHERE forum <> 'ga' OR rcid >= 1100000000)"
    for table in ("roll_call_notes", "roll_call_sources", "vote_vectors", "votes"):
        op.execute(f"DELETE FROM {table} WHERE rcid IN {added}")
    op.execute("DELETE FROM roll_calls WHERE forum <> 'ga' OR rcid >= 1100000000")
    op.execute("DELETE FROM imports WHERE kind IN ('bundled:dgacm', 'bundled:hrc')")
    op.drop_index("ix_council_terms_iso3", table_name="council_terms")
    op.drop_table("council_terms")
    op.drop_index("ix_roll_call_notes_rcid", table_name="roll_call_notes")
    op.drop_table("roll_call_notes")
    op.drop_table("roll_call_sources")
    op.drop_index("ix_votes_iso3", table_name="votes")
    for name in ("ix_roll_calls_target", "ix_roll_calls_symbol", "ix_roll_calls_forum_session"):
        op.drop_index(name, table_name="roll_calls")
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch copy would drop roll_calls under the votes'
    # foreign keys.
    for name, _type in reversed(NEW_COLUMNS):
        op.execute(f"ALTER TABLE roll_calls DROP COLUMN {name}")
    op.execute("ALTER TABLE roll_calls DROP COLUMN forum")
    for old, new in COLUMN_RENAMES:
        op.execute(f"ALTER TABLE roll_calls RENAME COLUMN {new} TO {old}")
    for old, new in RENAMES:
        op.rename_table(new, old)
    op.create_index("ix_ga_roll_calls_session", "ga_roll_calls", ["session"])
    op.create_index("ix_ga_votes_iso3", "ga_votes", ["iso3"])
