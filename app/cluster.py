"""The private PostgreSQL cluster under ``var/``: create, start, stop and report on it.

PostgreSQL refuses to run as root, so when we are root every server command runs as the
``postgres`` OS user (created by Debian's postgresql package) and the data directory is
owned by it. The cluster listens on loopback only, on its own port, and asks for a password
(SCRAM-SHA-256): a random one made at ``initdb`` and kept beside the data directory in a file only
its owner can read, so other OS users of the machine cannot connect. Clusters made before that,
with trust authentication, are given a password the next time they start.

Commits are synchronous (``synchronous_commit = on``), so a write the app has acknowledged
survives a crash; the app also asks for that on each of its connections, whatever the server's
default (see ``app.db``).

A clone under a folder the ``postgres`` user cannot enter (``/root`` is mode 700 on Debian)
keeps its cluster under ``/var/lib/postgresql/partnerships-map/`` instead, one folder per
clone, with ``var/pg`` a symbolic link to it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from app.settings import Settings

PG_BIN_CANDIDATES = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/local/bin"), Path("/usr/bin")]
SERVER_HOME = Path("/var/lib/postgresql")  # the postgres user's home on Debian


class ClusterError(RuntimeError):
    """The private cluster could not be set up or started."""


def pg_bin(name: str) -> str:
    """Full path of a PostgreSQL server program such as ``initdb`` or ``pg_ctl``."""
    for folder in PG_BIN_CANDIDATES:
        candidate = folder / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise ClusterError(
            f"{name} not found: install PostgreSQL 15 and PostGIS 3 "
            "(apt-get install postgresql-15 postgresql-15-postgis-3), or set APP_DATABASE_URL."
        )
    return found


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=check)


def data_dir(settings: Settings) -> Path:
    """Where the cluster's files live."""
    return settings.db_dir.resolve()


def password_file(settings: Settings) -> Path:
    """The file holding the cluster's ``postgres`` password (mode 0600), beside its data directory."""
    return settings.db_password_file


def _new_password(settings: Settings) -> str:
    """Make (or read) the cluster password and keep it where ``Settings`` looks for it."""
    path = password_file(settings)
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


HBA = (
    "# Partnerships Map private cluster: loopback TCP only, password required.\n"
    "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
    "host    all       all   127.0.0.1/32  scram-sha-256\n"
    "host    all       all   ::1/128       scram-sha-256\n"
)


def is_running(settings: Settings) -> bool:
    """True when the cluster's postmaster answers ``pg_ctl status``."""
    pgdata = data_dir(settings)
    if not (pgdata / "PG_VERSION").exists():
        return False
    return _run([pg_bin("pg_ctl"), "-D", str(pgdata), "status"], check=False).returncode == 0


def _server_can_enter(folder: Path) -> bool:
    """True when the server's OS user can reach ``folder`` (search permission all the way)."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(folder)],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def _place_where_server_can_enter(settings: Settings) -> Path:
    """Make the data directory under the server user's home and link ``db_dir`` to it."""
    link = settings.db_dir.absolute()
    if not (SERVER_HOME.is_dir() and _server_can_enter(SERVER_HOME)):
        raise ClusterError(
            f"The postgres user cannot enter {link.parent}: clone the project into a folder "
            "it can reach (such as /srv or /opt), or set APP_DB_DIR to one."
        )
    if link.is_dir() and not any(link.iterdir()):
        link.rmdir()  # left empty by an earlier attempt
    if link.exists() or link.is_symlink():
        raise ClusterError(
            f"The postgres user cannot enter {link}: move it away or set APP_DB_DIR "
            "to a folder the postgres user can reach."
        )
    digest = hashlib.sha256(str(link).encode()).hexdigest()[:12]
    target = SERVER_HOME / "partnerships-map" / f"{link.parent.parent.name}-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    shutil.chown(target.parent, "postgres", "postgres")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=True)
    return target


def init(settings: Settings) -> bool:
    """Create the cluster if it does not exist; return True when it was created now."""
    pgdata = data_dir(settings)
    if (pgdata / "PG_VERSION").exists():
        return False
    pgdata.mkdir(parents=True, exist_ok=True)
    if not _server_can_enter(pgdata.parent):
        pgdata = _place_where_server_can_enter(settings)
    if os.geteuid() == 0:
        shutil.chown(pgdata, "postgres", "postgres")
        pgdata.chmod(0o700)
    password = _new_password(settings)
    # initdb reads the password from a file the server user can read; it is removed at once.
    pwfile = pgdata.parent / f".{pgdata.name}.initpw"
    pwfile.write_text(password + "\n")
    pwfile.chmod(0o600)
    if os.geteuid() == 0:
        shutil.chown(pwfile, "postgres", "postgres")
    try:
        result = _run(
            [
                pg_bin("initdb"),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=False,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise ClusterError(f"initdb failed:\n{result.stderr}")
    (pgdata / "pg_hba.conf").write_text(HBA)
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# Partnerships Map private cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "max_connections = 60\n"
            "shared_buffers = 512MB\n"
            "work_mem = 32MB\n"
            "maintenance_work_mem = 512MB\n"
            "max_wal_size = 4GB\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
        )
    return True


def start(settings: Settings) -> None:
    """Create the cluster when missing and start it; waits until it accepts connections."""
    init(settings)
    if is_running(settings):
        _secure(settings)
        return
    pgdata = data_dir(settings)
    log = pgdata / "server.log"
    result = _run(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(pgdata),
            "-l",
            str(log),
            "-o",
            f"-p {settings.db_port}",
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=False,
    )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise ClusterError(f"pg_ctl start failed:\n{result.stderr}\n{tail}")
    _wait_ready(settings)
    _secure(settings)


_TRUST = re.compile(r"^\s*(local|host)\S*\s.*\btrust\s*$", re.MULTILINE)
_ASYNC_COMMIT = re.compile(r"^\s*synchronous_commit\s*=\s*off\b.*$", re.MULTILINE)


def _secure(settings: Settings) -> None:
    """Upgrade a running cluster made by an older version: password auth, synchronous commits."""
    import psycopg
    from psycopg import sql

    pgdata = data_dir(settings)
    hba = pgdata / "pg_hba.conf"
    conf = pgdata / "postgresql.conf"
    trusting = bool(_TRUST.search(hba.read_text()))
    asynchronous = bool(_ASYNC_COMMIT.search(conf.read_text()))
    if not (trusting or asynchronous):
        return
    if trusting:
        password = _new_password(settings)
        # Trust still applies until the reload below, so this connection needs no password.
        url = f"postgresql://postgres@127.0.0.1:{settings.db_port}/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(password)))
        hba.write_text(HBA)
    if asynchronous:
        conf.write_text(_ASYNC_COMMIT.sub("synchronous_commit = on", conf.read_text()))
    _run([pg_bin("pg_ctl"), "-D", str(pgdata), "reload"])


def _wait_ready(settings: Settings, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(settings.db_port)],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return
        time.sleep(0.2)
    raise ClusterError("the cluster did not accept connections in time")


def stop(settings: Settings) -> None:
    """Stop the cluster if it runs."""
    if is_running(settings):
        _run([pg_bin("pg_ctl"), "-D", str(data_dir(settings)), "-m", "fast", "-w", "stop"])


def ensure_database(settings: Settings, name: str | None = None) -> None:
    """Create the database (and the PostGIS extension in it) when it does not exist."""
    import psycopg

    dbname = name or settings.db_name
    admin = settings.libpq_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def drop_database(settings: Settings, name: str) -> None:
    """Drop a database of the private cluster, closing its connections first."""
    import psycopg

    admin = settings.libpq_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
