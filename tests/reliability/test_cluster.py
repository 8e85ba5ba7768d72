"""The private cluster asks for a password: other OS users of the machine cannot connect."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
import pytest

from app import cluster

if TYPE_CHECKING:
    from conftest import Scratch


def _without_password(scratch: Scratch) -> str:
    return f"postgresql://postgres@127.0.0.1:{scratch.settings.db_port}/postgres"


def test_connections_need_the_password(scratch: Scratch) -> None:
    scratch.start()
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(_without_password(scratch), connect_timeout=5).close()
    wrong = _without_password(scratch).replace("postgres@", "postgres:not-it@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong, connect_timeout=5).close()
    password_file = cluster.password_file(scratch.settings)
    assert password_file.stat().st_mode & 0o077 == 0
    with scratch.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_cluster_made_with_trust_is_given_a_password_when_started(scratch: Scratch) -> None:
    """Clusters made by earlier versions trusted every local connection; start() fixes that."""
    scratch.start()
    pgdata = cluster.data_dir(scratch.settings)
    (pgdata / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    conf = pgdata / "postgresql.conf"
    conf.write_text(conf.read_text() + "\nsynchronous_commit = off\n")
    cluster._run([cluster.pg_bin("pg_ctl"), "-D", str(pgdata), "reload"])
    cluster.start(scratch.settings)  # already running: only the upgrade runs
    assert "trust" not in (pgdata / "pg_hba.conf").read_text()
    assert "synchronous_commit = off" not in conf.read_text()
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(_without_password(scratch), connect_timeout=5).close()
    with scratch.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
