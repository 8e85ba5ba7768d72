"""Notify listeners of every data change; store and index the areas each partnership serves

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


# The partnership_coverage view, stored: hot queries filter it by area, which the view cannot do
# without rolling up every partnership first. Refreshed by every import and every moderated change.
SERVED_AREA = """
CREATE MATERIALIZED VIEW partnership_served_area AS
SELECT partnership_id, area_code, direct FROM partnership_coverage
"""


def upgrade() -> None:
    """A trigger on dataset notifies the data_version channel on every insert and update."""
    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER dataset_notify_data_version AFTER INSERT OR UPDATE ON dataset"
        " FOR EACH ROW EXECUTE FUNCTION notify_data_version()"
    )
    op.execute(SERVED_AREA)
    op.execute(
        "CREATE UNIQUE INDEX pk_partnership_served_area"
        " ON partnership_served_area (partnership_id, area_code)"
    )
    op.execute(
        "CREATE INDEX ix_partnership_served_area_area_code"
        " ON partnership_served_area (area_code, partnership_id)"
    )


def downgrade() -> None:
    """Drop the stored coverage, the trigger and its function."""
    op.execute("DROP MATERIALIZED VIEW IF EXISTS partnership_served_area")
    op.execute("DROP TRIGGER IF EXISTS dataset_notify_data_version ON dataset")
    op.execute("DROP FUNCTION IF EXISTS notify_data_version()")
