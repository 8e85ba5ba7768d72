"""Exact row counts of every table in the public schema, to show that a test run leaves none behind.

Usage:
  scripts/rowcounts.py [URL]                 print "table count" lines (URL: the settings' database)
  scripts/rowcounts.py [URL] --compare FILE  exit 1, naming the tables, when counts differ from FILE

The test suite calls ``row_counts()`` before and after a run on the database it imported into;
``make test`` also compares the counts around pytest with this script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


def row_counts(url: str) -> dict[str, int]:
    """Every public table's exact row count, by table name."""
    with psycopg.connect(url) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename NOT IN ('spatial_ref_sys') ORDER BY tablename"
            )
        ]
        counts: dict[str, int] = {}
        for table in tables:
            row: Any = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            counts[table] = int(row[0])
        return counts


def differences(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """One line per table whose count changed, appeared or disappeared."""
    return [
        f"{table}: {before.get(table)} -> {after.get(table)}"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]


def _parse(text: str) -> dict[str, int]:
    pairs = (line.split() for line in text.splitlines() if line.strip())
    return {name: int(count) for name, count in pairs}


def main() -> int:
    """Print the counts, or compare them with a file written earlier."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="postgresql:// URL (default: the settings')")
    parser.add_argument("--compare", type=Path, help="a file this script printed earlier")
    args = parser.parse_args()
    url = args.url
    if not url:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from app.settings import get_settings

        url = get_settings().libpq_url
    counts = row_counts(url)
    if args.compare is None:
        for table, count in counts.items():
            print(table, count)
        return 0
    changed = differences(_parse(args.compare.read_text()), counts)
    for line in changed:
        print(f"row count changed: {line}", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
