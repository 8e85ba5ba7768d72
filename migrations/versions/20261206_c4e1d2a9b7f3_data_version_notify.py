"""Notify listeners of every data change (the data_version channel)

Revision ID: c4e1d2a9b7f3
Revises: d6ac5993c1f4
Create Date: 2026-12-06 07:45:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4e1d2a9b7f3"
down_revision: Union[str, Sequence[str], None] = "d6ac5993c1f4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOTIFY_FUNCTION = """
CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- 'name:id': app processes keep the newest id per source in memory (app/services/versions.py).
    -- Delivered on commit only, so a rolled-back import or approval notifies nobody.
    PERFORM pg_notify('data_version', NEW.name || ':' || NEW.id);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    """A trigger on dataset notifies the data_version channel on every insert and update."""
    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER dataset_notify_data_version AFTER INSERT OR UPDATE ON dataset"
        " FOR EACH ROW EXECUTE FUNCTION notify_data_version()"
    )


def downgrade() -> None:
    """Drop the trigger and its function."""
    op.execute("DROP TRIGGER IF EXISTS dataset_notify_data_version ON dataset")
    op.execute("DROP FUNCTION IF EXISTS notify_data_version()")
