"""Server-side sessions, shared authentication-failure counts and read-your-writes routing: user_sessions,
auth_failures and recent_writes.

Revision ID: 20261203_0060
Revises: 20261203_0050
Create Date: 2026-12-03 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0060"
down_revision: str | None = "20261203_0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("failure_key", sa.String(length=255), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failures")),
    )
    op.create_index(
        "ix_auth_failures_failure_key_failed_at", "auth_failures", ["failure_key", "failed_at"], unique=False
    )
    op.create_index(op.f("ix_auth_failures_failed_at"), "auth_failures", ["failed_at"], unique=False)
    op.create_table(
        "recent_writes",
        sa.Column("writer_key", sa.String(length=100), nullable=False),
        sa.Column("read_primary_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("writer_key", name=op.f("pk_recent_writes")),
    )


def downgrade() -> None:
    op.drop_table("recent_writes")
    op.drop_index(op.f("ix_auth_failures_failed_at"), table_name="auth_failures")
    op.drop_index("ix_auth_failures_failure_key_failed_at", table_name="auth_failures")
    op.drop_table("auth_failures")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
