"""Per-flow counts of each heartbeat, for rollouts that compare flow by flow; a rollout's
running tally (so a check reads only new heartbeats); no index on a kiosk's last_seen (no query
uses it, and every heartbeat rewrote it)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the flow_counts table."""
    op.create_table(
        "flow_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False, index=True),
        sa.Column("bundle", sa.Integer, nullable=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    op.drop_index("ix_kiosks_last_seen", table_name="kiosks")
    op.add_column("rollouts", sa.Column("counted_until", sa.Float, nullable=True))
    op.add_column("rollouts", sa.Column("tally", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop the flow_counts table; index last_seen again."""
    op.drop_column("rollouts", "tally")
    op.drop_column("rollouts", "counted_until")
    op.create_index("ix_kiosks_last_seen", "kiosks", ["last_seen"])
    op.drop_table("flow_counts")
