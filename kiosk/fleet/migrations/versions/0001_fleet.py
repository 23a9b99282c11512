"""The first fleet schema: kiosks, heartbeats, users, sessions, rollouts, stages, audit."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("terminal", sa.String(64), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("kiosk_group", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("kiosk_version", sa.String(32), nullable=False),
        sa.Column("bundle", sa.Integer, nullable=True),
        sa.Column("update_state", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.Float, nullable=True, index=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("paper", sa.String(16), nullable=False),
        sa.Column("faults", sa.JSON, nullable=False),
        sa.Column("devices", sa.JSON, nullable=False),
        sa.Column("outbox_backlog", sa.Integer, nullable=False),
        sa.Column("backlog_growing", sa.Integer, nullable=False),
    )
    op.create_table(
        "heartbeats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id"), nullable=False, index=True),
        sa.Column("received_at", sa.Float, nullable=False, index=True),
        sa.Column("bundle", sa.Integer, nullable=True),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("rollbacks", sa.Integer, nullable=False),
        sa.Column("paper", sa.String(16), nullable=False),
        sa.Column("faults", sa.JSON, nullable=False),
        sa.Column("outbox_backlog", sa.Integer, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "rollouts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("bundle", sa.Integer, nullable=False),
        sa.Column("previous_bundle", sa.Integer, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("stage_started_at", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "stages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "rollout_id", sa.Integer, sa.ForeignKey("rollouts.id"), nullable=False, index=True
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("groups", sa.JSON, nullable=False),
        sa.Column("percent", sa.Float, nullable=True),
        sa.Column("max_failure_excess", sa.Float, nullable=False),
        sa.Column("max_rollbacks", sa.Integer, nullable=False),
        sa.Column("advance_after", sa.Float, nullable=True),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False, index=True),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("audit", "stages", "rollouts", "login_sessions", "users", "heartbeats", "kiosks"):
        op.drop_table(table)
