"""The ``partnerships-map`` command line: database, migrations, imports, moderators and the server."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app import cluster
from app.settings import Settings, get_settings

# What the importers need beyond the web app's dependencies (the ``ingest`` extra).
INGEST_STACK = ("shapely", "geopandas", "pyogrio", "pandas", "pyarrow", "openpyxl")

cli = typer.Typer(
    help="Partnerships Map: a map of England's local education partnerships.",
    no_args_is_help=True,
    add_completion=False,
)
db_cli = typer.Typer(help="The private PostgreSQL cluster under var/.", no_args_is_help=True)
moderator_cli = typer.Typer(help="Moderator accounts.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(moderator_cli, name="moderator")
console = Console(stderr=True)


def _uses_private_cluster(settings: Settings) -> bool:
    return not settings.database_url


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


@db_cli.command("start")
def db_start() -> None:
    """Create the cluster if needed, start it and create the database."""
    settings = get_settings()
    if not _uses_private_cluster(settings):
        console.print("APP_DATABASE_URL is set: using that database, no private cluster.")
        return
    try:
        created = cluster.init(settings)
        cluster.start(settings)
        cluster.ensure_database(settings)
    except cluster.ClusterError as exc:
        _fail(str(exc))
    state = "created and started" if created else "running"
    console.print(f"cluster {state} at {cluster.data_dir(settings)} (port {settings.db_port})")


@db_cli.command("reset")
def db_reset(
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: every row in the database is lost.")
    ] = False,
) -> None:
    """Drop and re-create the private cluster's database (for throwaway test and bench runs)."""
    settings = get_settings()
    if not _uses_private_cluster(settings):
        _fail("db reset only works on the private cluster; APP_DATABASE_URL is set.")
    if not yes:
        _fail(f"this deletes the database {settings.db_name}; pass --yes to confirm.")
    cluster.start(settings)
    cluster.drop_database(settings, settings.db_name)
    cluster.ensure_database(settings)
    console.print(f"database {settings.db_name} dropped and re-created")


@db_cli.command("stop")
def db_stop() -> None:
    """Stop the private cluster."""
    settings = get_settings()
    cluster.stop(settings)
    console.print("cluster stopped")


@db_cli.command("status")
def db_status() -> None:
    """Say whether the private cluster runs; exit 1 when it does not."""
    settings = get_settings()
    if not _uses_private_cluster(settings):
        typer.echo(f"external database: {settings.effective_database_url}")
        return
    running = cluster.is_running(settings)
    typer.echo(
        f"{'running' if running else 'stopped'}: {cluster.data_dir(settings)} port {settings.db_port}"
    )
    if not running:
        raise typer.Exit(1)


@db_cli.command("url")
def db_url() -> None:
    """Print the database connection URL."""
    typer.echo(get_settings().libpq_url)


@cli.command()
def migrate(revision: str = "head") -> None:
    """Apply the Alembic migrations (to ``head`` unless told otherwise)."""
    from alembic import command
    from alembic.config import Config

    from app.settings import PROJECT_ROOT

    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), revision)
    console.print(f"database migrated to {revision}")


@cli.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The file to write (pg_dump custom format).")],
    exclude_data: Annotated[
        list[str] | None,
        typer.Option(help="Leave out this table's rows, keeping its definition (repeatable)."),
    ] = None,
) -> None:
    """Back up the whole database to a file that ``restore`` reads."""
    from app import backup as backups

    try:
        size = backups.dump(get_settings(), path, exclude_data)
    except (backups.BackupError, cluster.ClusterError) as exc:
        _fail(str(exc))
    console.print(f"backed up to {path} ({size / 1e6:.1f} MB)")


@cli.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `partnerships-map backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the database's contents are replaced.")
    ] = False,
) -> None:
    """Replace the database's contents with a backup, in one transaction (stop the app first)."""
    from app import backup as backups

    settings = get_settings()
    if not yes:
        _fail(f"this replaces everything in {settings.db_name}; pass --yes to confirm.")
    try:
        if _uses_private_cluster(settings):
            cluster.start(settings)
            cluster.ensure_database(settings)
        backups.restore(settings, path)
    except (backups.BackupError, cluster.ClusterError) as exc:
        _fail(str(exc))
    console.print(f"restored {path} into {settings.db_name}")


@cli.command("import")
def import_data(
    source: Annotated[
        Path | None, typer.Option(help="Folder of source files (default APP_GEODATA_DIR).")
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="Import only this source (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Import even when the files have not changed.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Do nothing when data is already imported.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = False,
) -> None:
    """Import the official open data and the seed partnership register, one transaction per source."""
    from app.ingest import IMPORTER_MODULES, get_importer
    from app.ingest.base import run_importer

    missing = [m for m in INGEST_STACK if importlib.util.find_spec(m) is None]
    if missing:
        _fail(
            f"the importers need {', '.join(missing)}: install the ingest extra "
            "(pip install '.[ingest]'; scripts/setup.sh does)"
        )
    settings = get_settings()
    source_dir = (source or settings.geodata_dir).resolve()
    if not source_dir.is_dir():
        _fail(f"source folder not found: {source_dir} (set APP_GEODATA_DIR or pass --source)")
    if if_empty and _imported_sources(settings) >= set(IMPORTER_MODULES):
        console.print("data already imported; skipping (run `partnerships-map import` to refresh)")
        return
    names = only or list(IMPORTER_MODULES)
    try:
        importers = [get_importer(n) for n in names]
    except ValueError as exc:
        _fail(str(exc))
    started = time.perf_counter()
    results = []
    for importer in importers:
        console.print(f"[bold]{importer.name}[/]: {importer.title}")
        outcome = run_importer(importer, settings.libpq_url, source_dir, console, force, quiet)
        results.append(outcome)
        if outcome.status == "failed":
            console.print(f"  [bold red]failed[/], rolled back: {outcome.error}")
            break
        console.print(f"  {outcome.status} in {outcome.seconds:.1f}s")
        if outcome.summary:
            _print_summary(outcome.summary)
    table = Table(title="Import summary")
    for column in ("source", "status", "seconds"):
        table.add_column(column)
    for outcome in results:
        table.add_row(outcome.name, outcome.status, f"{outcome.seconds:.1f}")
    table.add_row("total", "", f"{time.perf_counter() - started:.1f}")
    console.print(table)
    if any(o.status == "failed" for o in results):
        raise typer.Exit(1)


def _print_summary(summary: object) -> None:
    from app.ingest.base import Summary

    assert isinstance(summary, Summary)
    for table, n in summary.rows.items():
        console.print(f"    {table}: {n:,} rows")
    for key, value in summary.facts.items():
        if isinstance(value, dict | list) and len(value) > 12:
            value = f"{len(value)} entries (kept in dataset.summary)"
        console.print(f"    {escape(str(key))}: {escape(str(value))}")
    for key, items in summary.unmatched.items():
        shown = ", ".join(items[:8]) + (f" … (+{len(items) - 8} more)" if len(items) > 8 else "")
        console.print(f"    [yellow]not joined[/] {escape(key)} ({len(items)}): {escape(shown)}")


def _imported_sources(settings: Settings) -> set[str]:
    import psycopg

    with psycopg.connect(settings.libpq_url) as conn:
        return {r[0] for r in conn.execute("SELECT DISTINCT name FROM dataset")}


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
) -> None:
    """Serve the web app with Uvicorn (request head limits; JSON request logs)."""
    from app import server

    server.run(get_settings(), host=host, port=port, workers=workers, reload=reload)


@moderator_cli.command("create")
def moderator_create(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a moderator account (or reset its password); the password is argon2-hashed."""
    from app.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        created = accounts.create_moderator(get_settings(), email, password)
    except accounts.AccountError as exc:
        _fail(str(exc))
    console.print(f"moderator {'created' if created else 'updated'}: {email}")


def main() -> None:
    """Entry point of the console script."""
    cli()


if __name__ == "__main__":
    main()
