"""What every importer shares: the source registry, one transaction per dataset, progress and summary.

An importer is a module in ``app/ingest`` that defines an :class:`Importer`. The runner
checksums the importer's source files, opens one transaction, records a ``dataset`` row and
calls the importer. Anything that goes wrong rolls the whole dataset back, so the previously
imported data stays as it was. A dataset whose files have not changed since the last
successful import keeps its ``dataset`` row (and so its id, the data version that keys caches).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.types.json import Jsonb
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from app.ingest.common import statement
from app.settings import PROJECT_ROOT

T = TypeVar("T")


class ImportFailed(RuntimeError):
    """A source could not be imported; the message says which file and why."""


@dataclass
class Summary:
    """What an import joined and what it could not, printed at the end and kept on the dataset row."""

    rows: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    unmatched: dict[str, list[str]] = field(default_factory=dict)

    def count(self, table: str, n: int) -> None:
        """Record how many rows a table holds after the import."""
        self.rows[table] = n

    def fact(self, key: str, value: Any) -> None:
        """Record a figure worth reporting (a share, a match rate)."""
        self.facts[key] = value

    def miss(self, key: str, items: Iterable[str]) -> None:
        """Record what could not be joined, by category; nothing is dropped silently."""
        self.unmatched[key] = sorted(set(items))

    def as_json(self) -> dict[str, Any]:
        """The summary as stored in ``dataset.summary``."""
        return {"rows": self.rows, "facts": self.facts, "unmatched": self.unmatched}


@dataclass
class Context:
    """What an importer is given: the source folder, a connection inside a transaction, output."""

    source_dir: Path
    conn: psycopg.Connection[Any]
    dataset_id: int
    console: Console
    summary: Summary = field(default_factory=Summary)
    quiet: bool = False

    def path(self, relative: str) -> Path:
        """A source file by its path below the source folder; a clear error when it is missing."""
        path = self.source_dir / relative
        if not path.exists():
            raise ImportFailed(f"missing source file: {path}")
        return path

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        """Iterate with a progress bar (silent when quiet)."""
        if self.quiet:
            yield from items
            return
        with Progress(
            TextColumn("  {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        ) as progress:
            task = progress.add_task(description, total=total)
            for item in items:
                yield item
                progress.advance(task)

    def scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        """The first column of the first row of a query."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def count_rows(self, table: str, where: str = "") -> int:
        """Count a table's rows into the summary (table names are ours, never user input)."""
        n = int(self.scalar(f"SELECT count(*) FROM {table} {where}"))
        self.summary.count(table if not where else f"{table} {where}", n)
        return n


@dataclass(frozen=True)
class Importer:
    """One source: its name, what it describes, its files and the function that loads them."""

    name: str
    title: str
    vintage: str
    licence: str
    files: tuple[str, ...]
    load: Callable[[Context], None]
    depends: tuple[str, ...] = ()
    # Bump when the importer's own logic or catalogue changes, so the next import re-runs it.
    version: int = 1
    # Files of the project itself (paths relative to its root) the importer also reads.
    extra_files: tuple[Path, ...] = ()

    def checksum(self, source_dir: Path) -> str:
        """A sha256 over the importer version and the source files' names and bytes.

        When the importer reads project files too, the result is extended with theirs.
        """
        source_checksum = self._source_checksum(source_dir)
        if not self.extra_files:
            return source_checksum
        digest = hashlib.sha256(source_checksum.encode())
        for relative in self.extra_files:
            path = PROJECT_ROOT / relative
            if not path.exists():
                raise ImportFailed(f"{self.name}: missing project file {path}")
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def _source_checksum(self, source_dir: Path) -> str:
        digest = hashlib.sha256(f"{self.name}:v{self.version}".encode())
        for relative in self.files:
            paths = (
                sorted(source_dir.glob(relative)) if "*" in relative else [source_dir / relative]
            )
            if not paths or not all(p.exists() for p in paths):
                raise ImportFailed(f"{self.name}: missing source file {source_dir / relative}")
            for path in paths:
                digest.update(str(path.relative_to(source_dir)).encode())
                with path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        digest.update(block)
        return digest.hexdigest()


@dataclass
class Outcome:
    """How one importer's run ended."""

    name: str
    status: str  # imported | unchanged | failed
    seconds: float
    summary: Summary | None = None
    error: str | None = None


def run_importer(
    importer: Importer,
    conninfo: str,
    source_dir: Path,
    console: Console,
    force: bool = False,
    quiet: bool = False,
) -> Outcome:
    """Import one source in one transaction; on any error roll back and report it."""
    started = time.perf_counter()
    try:
        checksum = importer.checksum(source_dir)
    except ImportFailed as exc:
        return Outcome(importer.name, "failed", 0.0, error=str(exc))
    with psycopg.connect(conninfo) as conn:
        # A dependency imported anew (schools after postcodes, say) means this one must re-run too.
        if importer.depends:
            upstream = conn.execute(
                statement("dataset_upstream"), (list(importer.depends),)
            ).fetchall()
            checksum = hashlib.sha256(f"{checksum}:{upstream}".encode()).hexdigest()
        previous = conn.execute(statement("dataset_previous"), (importer.name, checksum)).fetchone()
        if previous and not force:
            return Outcome(importer.name, "unchanged", time.perf_counter() - started)
        try:
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '30s'")
                if previous:
                    dataset_id = previous[0]
                else:
                    dataset_id = conn.execute(
                        statement("dataset_insert"),
                        (
                            importer.name,
                            importer.title,
                            importer.vintage,
                            importer.licence,
                            checksum,
                        ),
                    ).fetchone()[0]  # type: ignore[index]
                ctx = Context(source_dir, conn, dataset_id, console, quiet=quiet)
                importer.load(ctx)
                elapsed = time.perf_counter() - started
                conn.execute(
                    statement("dataset_finish"),
                    (
                        sum(ctx.summary.rows.values()),
                        round(elapsed, 2),
                        Jsonb(ctx.summary.as_json()),
                        dataset_id,
                    ),
                )
        except ImportFailed as exc:
            return Outcome(importer.name, "failed", time.perf_counter() - started, error=str(exc))
        except Exception as exc:  # any failure rolls the dataset back and is reported, not raised
            message = f"{importer.name}: {type(exc).__name__}: {exc}".strip()
            return Outcome(importer.name, "failed", time.perf_counter() - started, error=message)
        # The look-ups above opened the transaction (the block is its savepoint): commit it
        # here, which also refreshes the stored views the import changed.
        conn.commit()
        _analyze(conn, console)
    return Outcome(importer.name, "imported", time.perf_counter() - started, ctx.summary)


def _analyze(conn: psycopg.Connection[Any], console: Console) -> None:
    """Planner statistics for what a committed import wrote and the views it refreshed.

    At once (under a second), in a transaction of its own: autovacuum gets there within a
    minute or so, but a statement planned before it does (the tests straight after a fresh
    import, a first visitor) can choose far worse; near-me once read every partnership rather
    than those serving one area, in a database copied before its statistics existed. The import
    stands whatever happens here.
    """
    try:
        conn.execute("ANALYZE")
        conn.commit()
    except psycopg.Error as exc:
        conn.rollback()
        console.print(
            f"  [yellow]statistics not refreshed[/] ({type(exc).__name__}); autovacuum will"
        )


def copy_rows(
    conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Bulk-load rows with COPY (table and column names are ours, never user input)."""
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
