"""A clone in a folder the postgres user cannot enter (such as /root) still gets its cluster.

As root, the private cluster's server runs as the ``postgres`` OS user; pytest's temporary
folders (``/tmp/pytest-of-root``, mode 700) are such a place, as ``/root`` is on Debian.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import psycopg
import pytest

from app import cluster
from app.settings import Settings

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="the server runs as the postgres user only when started by root"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clone_in_closed_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    clone = home / "partnerships-map"
    clone.mkdir()
    assert not cluster._server_can_enter(clone)
    return clone


def test_cluster_starts_for_a_clone_postgres_cannot_enter(tmp_path: Path) -> None:
    clone = _clone_in_closed_home(tmp_path)
    settings = Settings(db_dir=clone / "var" / "pg", db_port=_free_port(), db_name="postgres")
    target: Path | None = None
    try:
        cluster.start(settings)
        target = cluster.data_dir(settings)
        assert (clone / "var" / "pg").is_symlink()
        assert target.is_relative_to(cluster.SERVER_HOME / "partnerships-map")
        assert target.owner() == "postgres"
        with psycopg.connect(settings.libpq_url) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
        assert cluster.is_running(settings)
        cluster.stop(settings)
        assert not cluster.is_running(settings)
        # Started again through the link: the same cluster, not a new one.
        assert cluster.init(settings) is False
    finally:
        cluster.stop(settings)
        if target is not None:
            shutil.rmtree(target, ignore_errors=True)


def test_without_a_place_the_server_can_reach_it_stops_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone_in_closed_home(tmp_path)
    monkeypatch.setattr(cluster, "SERVER_HOME", tmp_path / "no-such-home")
    settings = Settings(db_dir=clone / "var" / "pg", db_port=_free_port())
    with pytest.raises(cluster.ClusterError, match=r"The postgres user cannot enter .*: clone the"):
        cluster.start(settings)
    assert not (clone / "var" / "pg" / "PG_VERSION").exists()
