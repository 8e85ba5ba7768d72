"""Back up and restore the database with ``pg_dump`` / ``pg_restore`` (custom format).

The password travels in the child's environment (``PGPASSWORD``), never on its command line,
where other users of the machine could read it. A restore runs in one transaction and stops at
the first error, so a damaged or foreign file leaves the database as it was.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from app.cluster import pg_bin
from app.settings import Settings


class BackupError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries its error output."""


_ENV_NAMES = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
}


def _client_env(settings: Settings) -> dict[str, str]:
    """libpq environment variables for the configured database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in conninfo_to_dict(settings.libpq_url).items():
        if key in _ENV_NAMES and value is not None:
            env[_ENV_NAMES[key]] = str(value)
    return env


def _run(cmd: list[str], settings: Settings) -> None:
    result = subprocess.run(
        cmd, env=_client_env(settings), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed:\n{result.stderr.strip()[-2000:]}")


def dump(settings: Settings, path: Path, exclude_data: list[str] | None = None) -> int:
    """Write the whole database to ``path`` (custom format); returns the file's size in bytes.

    ``exclude_data`` names tables whose rows are left out (their definitions are kept), e.g. a
    large table an import can rebuild.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [pg_bin("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    cmd += [f"--exclude-table-data={table}" for table in exclude_data or []]
    cmd += ["--file", str(path)]
    _run(cmd, settings)
    return path.stat().st_size


def restore(settings: Settings, path: Path) -> None:
    """Replace the database's contents with a file written by ``dump``, all or nothing."""
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    _run(
        [
            pg_bin("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo_to_dict(settings.libpq_url).get('dbname') or settings.db_name}",
            str(path),
        ],
        settings,
    )
