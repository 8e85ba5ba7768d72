"""A throwaway PostgreSQL cluster for tests that stop, freeze or crash the database.

The cluster lives under ``var/`` (the server's OS user must be able to reach it), listens on its
own free port and holds a copy of the test database made with ``partnerships-map backup`` /
``restore``, so the shared test cluster is never touched. Its server default is
``synchronous_commit = off`` on purpose: the app must make its own writes durable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from app import backup, cluster
from app.cli import cli
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Scratch:
    """The throwaway cluster: its settings, and the dump it was loaded from."""

    settings: Settings
    dump: Path

    def processes(self) -> list[int]:
        """The postmaster's pid and its children's."""
        pid_file = cluster.data_dir(self.settings) / "postmaster.pid"
        postmaster = int(pid_file.read_text().splitlines()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def signal_all(self, sig: signal.Signals) -> None:
        """Send a signal to every process of the cluster at once."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def crash(self) -> None:
        """Kill every server process with SIGKILL: nothing gets to flush."""
        self.signal_all(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while cluster.is_running(self.settings) and time.monotonic() < deadline:
            time.sleep(0.1)

    def start(self) -> None:
        """Start (after a crash, recovery runs first; retried while old processes linger)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                cluster.start(self.settings)
                return
            except cluster.ClusterError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        """A clean, fast shutdown."""
        cluster.stop(self.settings)

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """A plain connection to the cluster's database."""
        return psycopg.connect(self.settings.libpq_url, autocommit=True)


@pytest.fixture(scope="package")
def scratch(database: str, settings: Settings) -> Iterator[Scratch]:
    """The throwaway cluster, loaded from a backup of the test database."""
    if settings.database_url:
        pytest.skip("needs the private cluster's server programs (APP_DATABASE_URL is set)")
    root = PROJECT_ROOT / "var" / f"scratch-{uuid.uuid4().hex[:8]}"
    scratch_settings = Settings(
        database_url="",
        db_dir=root / "pg",
        db_port=_free_port(),
        db_name="partnerships_map",
        environment="test",
        secret_key=settings.secret_key,
        geodata_dir=settings.geodata_dir,
    )
    dump = root / "test.dump"
    try:
        made = CliRunner().invoke(cli, ["backup", str(dump)])
        assert made.exit_code == 0, made.output
        cluster.start(scratch_settings)
        with psycopg.connect(scratch_settings.libpq_url.rsplit("/", 1)[0] + "/postgres") as conn:
            conn.autocommit = True
            conn.execute("ALTER SYSTEM SET synchronous_commit = off")
            conn.execute("SELECT pg_reload_conf()")
        cluster.ensure_database(scratch_settings)
        backup.restore(scratch_settings, dump)
        yield Scratch(scratch_settings, dump)
    finally:
        if (root / "pg" / "postmaster.pid").exists():
            try:
                Scratch(scratch_settings, dump).signal_all(signal.SIGCONT)
                cluster.stop(scratch_settings)
            except (OSError, cluster.ClusterError, ValueError):
                pass
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
async def scratch_app(scratch: Scratch) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh app on the throwaway cluster, through ASGI."""
    scratch.start()
    app = create_app(scratch.settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("10.77.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
