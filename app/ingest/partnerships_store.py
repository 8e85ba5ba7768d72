"""Storing the partnership register: seed records created, updated in place or left as moderation
left them, each change recorded as a ``revision``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from app.ingest.base import Context
from app.ingest.common import statement
from app.ingest.partnerships_rows import PartnershipContent, SeedRecord, ServedArea
from app.ingest.register import write_seed_revisions
from app.services.snapshots import partnership_snapshots
from app.slugs import unique_slug


@dataclass(frozen=True)
class StoredSeed:
    """A seed record as it is in the database."""

    id: int
    slug: str
    seed_ref: str | None
    moderated: bool
    content: PartnershipContent


def moderated_partnerships(conn: psycopg.Connection[Any]) -> set[int]:
    """The ids of the partnerships moderation has touched; the register leaves them alone."""
    return {int(row[0]) for row in conn.execute(statement("partnerships_moderated"))}


def stored_seeds(conn: psycopg.Connection[Any]) -> dict[str, StoredSeed]:
    """Every seed record in the database, by seed key."""
    moderated = moderated_partnerships(conn)
    found: dict[str, StoredSeed] = {}
    for row in conn.execute(statement("partnerships_stored_seeds")):
        (pid, key, slug, ref, *columns, themes, codes, notes, whole) = row
        areas = tuple(ServedArea(c, n, w) for c, n, w in zip(codes, notes, whole, strict=True))
        content = PartnershipContent._make((*columns, tuple(themes), areas))
        found[key] = StoredSeed(pid, slug, ref, pid in moderated, content)
    return found


def _partnership_values(record: SeedRecord) -> tuple[Any, ...]:
    return (
        record.name,
        record.kind,
        record.summary,
        record.lead_organisation,
        record.website,
        record.founded_year,
        record.status,
        record.source_url,
        record.source_title,
        record.source_date,
        record.checked_on,
        record.status_evidence_url,
        record.status_evidence_title,
        record.status_evidence_date,
        record.seed_ref,
    )


def _write_links(cur: psycopg.Cursor[Any], partnership_id: int, record: SeedRecord) -> None:
    cur.executemany(
        statement("partnerships_insert_themes"),
        [(partnership_id, theme) for theme in record.themes],
    )
    cur.executemany(
        statement("partnerships_insert_areas"),
        [(partnership_id, a.code, i, a.note, a.whole) for i, a in enumerate(record.areas)],
    )


@dataclass
class Applied:
    """What storing the register did."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    moved: int = 0
    unchanged: int = 0
    kept_moderated: list[str] = field(default_factory=list)


def apply_register(
    ctx: Context, records: Sequence[SeedRecord], stored: Mapping[str, StoredSeed]
) -> Applied:
    """Create, update or leave each seed record, then write a revision for each one changed."""
    conn = ctx.conn
    applied = Applied()
    taken = {row[0] for row in conn.execute("SELECT slug FROM partnership")}
    with conn.cursor() as cur:
        for record in ctx.track(records, "partnerships", total=len(records)):
            current = stored.get(record.seed_key)
            if current is None:
                slug = unique_slug(record.name, taken)
                taken.add(slug)
                cur.execute(
                    statement("partnerships_insert"),
                    (*_partnership_values(record), slug, record.seed_key, ctx.dataset_id),
                )
                partnership_id = int(cur.fetchone()[0])  # type: ignore[index]
                _write_links(cur, partnership_id, record)
                applied.created.append(partnership_id)
            elif current.moderated:
                applied.kept_moderated.append(f"{record.seed_ref}: {current.slug}")
            elif current.content != record.content():
                cur.execute(
                    statement("partnerships_update"),
                    (*_partnership_values(record), ctx.dataset_id, current.id),
                )
                cur.execute(
                    "DELETE FROM partnership_theme WHERE partnership_id = %s", (current.id,)
                )
                cur.execute("DELETE FROM partnership_area WHERE partnership_id = %s", (current.id,))
                _write_links(cur, current.id, record)
                applied.updated.append(current.id)
            elif current.seed_ref != record.seed_ref:
                # Only the row's place in the register moved: provenance, not a new version.
                cur.execute(
                    statement("partnerships_move"),
                    (record.seed_ref, ctx.dataset_id, current.id),
                )
                applied.moved += 1
            else:
                applied.unchanged += 1
        created = set(applied.created)
        snapshots = partnership_snapshots(conn, [*applied.created, *applied.updated])
        write_seed_revisions(cur, "partnership_id", snapshots, created)
    return applied
