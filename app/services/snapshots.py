"""JSON snapshots of partnerships, as stored in ``revision.snapshot`` and compared in moderation diffs.

A snapshot is the whole public record at one version: the partnership's own fields, its themes
(sorted codes), the areas it serves (in order, with the area's name at the time and the
"(part)"-style note) and its members. Import bookkeeping (``seed_key``, ``seed_ref``,
``dataset_id``) and timestamps are left out, so two snapshots differ only when the record does.
The JSON is built in PostgreSQL, so dates come out as ISO strings exactly as the database has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

SNAPSHOT_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "summary",
    "lead_organisation",
    "website",
    "contact_email",
    "founded_year",
    "status",
    "source_url",
    "source_title",
    "source_date",
    "last_verified",
    "version",
)

_FIELDS_SQL = ", ".join(f"'{field}', p.{field}" for field in SNAPSHOT_FIELDS)

SNAPSHOT_SQL = f"""
SELECT p.id,
       jsonb_build_object({_FIELDS_SQL})
       || jsonb_build_object(
           'themes', COALESCE(
               (SELECT jsonb_agg(t.theme_code ORDER BY t.theme_code)
                  FROM partnership_theme t WHERE t.partnership_id = p.id), '[]'::jsonb),
           'areas', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object('code', pa.area_code, 'name', a.name,
                                                    'note', pa.note)
                                 ORDER BY pa.position, pa.area_code)
                  FROM partnership_area pa LEFT JOIN area a ON a.code = pa.area_code
                 WHERE pa.partnership_id = p.id), '[]'::jsonb),
           'members', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object(
                           'member_type', m.member_type, 'name', m.name, 'urn', m.urn,
                           'trust_uid', m.trust_uid, 'area_code', m.area_code, 'role', m.role,
                           'joined_on', m.joined_on, 'left_on', m.left_on)
                       ORDER BY m.id)
                  FROM partnership_member m WHERE m.partnership_id = p.id), '[]'::jsonb))
  FROM partnership p
 WHERE p.id = ANY(%s)
"""


def partnership_snapshots(
    conn: psycopg.Connection[Any], ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Snapshots of several partnerships by id; ids that do not exist are absent from the result."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(SNAPSHOT_SQL, (wanted,)).fetchall()
    return {int(row[0]): dict(row[1]) for row in rows}


def partnership_snapshot(conn: psycopg.Connection[Any], partnership_id: int) -> dict[str, Any]:
    """The snapshot of one partnership; LookupError when there is no such partnership."""
    snapshot = partnership_snapshots(conn, [partnership_id]).get(partnership_id)
    if snapshot is None:
        raise LookupError(f"no partnership with id {partnership_id}")
    return snapshot
