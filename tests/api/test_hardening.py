"""Hostile and unlucky requests get clear 4xx/5xx answers: NUL bytes, crashes in a route, HTTPS
headers, request logs without addresses or tokens, and a real secret key in production."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app import server
from app.main import create_app
from app.settings import DEV_SECRET, Settings

NUL_ROUTES = [
    "/api/v1/partnerships/%00",
    "/api/v1/search?q=a%00b",
    "/api/v1/areas/%00",
    "/api/v1/areas/E09000030/boundary?zoom=%00",
    "/api/v1/near?postcode=E1%00",
    "/api/v1/partnerships?q=%00",
    "/api/v1/submissions/PM-%00?token=x",
    "/?q=%00",
    "/search?q=%00",
    "/areas/%00",
    "/partnerships/%00",
    "/partnerships/x%00y/suggest",
    "/suggest?name=%00",
    "/moderate/login?next=/%00",
]


class Records(logging.Handler):
    """Keeps the records of one logger."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture()
def request_log() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
async def crashing_app(database: str, settings: Settings) -> AsyncIterator[Any]:
    """The app with one extra route that fails the way a bug would."""
    app: FastAPI = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug in a route")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    async with LifespanManager(app) as manager:
        yield manager.app


def client_of(app: Any, scheme: str = "http", ip: str = "10.1.2.3") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver")


@pytest.mark.parametrize("path", NUL_ROUTES)
async def test_nul_bytes_get_a_422_not_a_server_error(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 422, r.text[:300]
    assert "content-security-policy" in r.headers
    if path.startswith("/api/"):
        assert r.json()["errors"][0]["message"] == "NUL characters are not allowed"
    else:
        assert r.headers["content-type"].startswith("text/html")


async def test_an_unhandled_error_gets_the_error_page_with_security_headers(
    crashing_app: Any, request_log: Records
) -> None:
    async with client_of(crashing_app) as c:
        page = await c.get("/boom")
        api = await c.get("/api/v1/boom")
    assert page.status_code == 500 and api.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Sorry, something went wrong" in page.text and "a bug in a route" not in page.text
    assert api.json()["detail"].startswith("Something went wrong on our side")
    for r in (page, api):
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-request-id"]
    failures = [rec for rec in request_log.records if rec.exc_info]
    assert len(failures) == 2
    assert {getattr(rec, "request_id", None) for rec in failures} == {
        page.headers["x-request-id"],
        api.headers["x-request-id"],
    }


async def test_hsts_only_over_https(crashing_app: Any) -> None:
    async with client_of(crashing_app, "https") as secure, client_of(crashing_app) as plain:
        assert "max-age=" in (await secure.get("/healthz")).headers["strict-transport-security"]
        assert "max-age=" in (await secure.get("/boom")).headers["strict-transport-security"]
        assert "strict-transport-security" not in (await plain.get("/healthz")).headers


async def test_one_json_log_line_per_request_without_addresses_or_tokens(
    client: httpx.AsyncClient, request_log: Records
) -> None:
    secret_token = secrets.token_urlsafe(24)
    r = await client.get(
        "/api/v1/submissions/PM-AAAA-AAAA",
        params={"token": secret_token},
        headers={"X-Request-ID": "trace-me-12345"},
    )
    assert r.status_code == 404 and r.headers["x-request-id"] == "trace-me-12345"
    lines = [rec for rec in request_log.records if rec.name == "app.request"]
    assert len(lines) == 1
    formatted = logging.getLogger("app").handlers[0].format(lines[0])
    entry = json.loads(formatted)
    assert entry["request_id"] == "trace-me-12345" and entry["status"] == 404
    assert entry["path"] == "/api/v1/submissions/PM-AAAA-AAAA"
    assert secret_token not in formatted and "token=%5Bredacted%5D" in entry["query"]
    assert "127.0.0.1" not in formatted and len(entry["client"]) == 12


def test_production_needs_a_real_secret_key(tmp_path: Path) -> None:
    for weak in ("", "x", DEV_SECRET, "a" * 31):
        with pytest.raises(pydantic.ValidationError, match="APP_SECRET_KEY must be set"):
            Settings(environment="production", secret_key=weak, db_dir=tmp_path / "pg")
    strong = secrets.token_urlsafe(48)
    assert Settings(environment="production", secret_key=strong).secret_key == strong
    first = Settings(environment="development", secret_key="", db_dir=tmp_path / "pg")
    again = Settings(environment="development", secret_key="", db_dir=tmp_path / "pg")
    assert first.secret_key == again.secret_key != DEV_SECRET
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret-key").stat().st_mode & 0o077 == 0


@pytest.fixture(scope="module")
def live_server(database: str, settings: Settings) -> Iterator[int]:
    """The app served by Uvicorn as ``partnerships-map serve`` runs it, with a short header
    timeout."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    quick = settings.model_copy(update={"header_timeout_s": 0.5})
    cfg = server.config(quick, app=create_app(quick), port=port)
    srv = uvicorn.Server(cfg)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield port
    srv.should_exit = True
    thread.join(15)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_slow_request_head_is_cut_off(live_server: int) -> None:
    with socket.create_connection(("127.0.0.1", live_server)) as sock:
        sock.settimeout(20)  # far above the 0.5 s header timeout: only a hang reaches it
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        assert _read_all(sock) == b""  # closed by the server, head never completed


def test_an_oversized_request_head_is_refused(live_server: int) -> None:
    with socket.create_connection(("127.0.0.1", live_server)) as sock:
        sock.settimeout(20)
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1024 * 1024)
        try:
            sock.sendall(head + b"\r\n\r\n")
            answer = _read_all(sock)
        except (BrokenPipeError, ConnectionResetError):
            return  # refused (and the connection dropped) before it was all read
        assert answer == b"" or answer.startswith(b"HTTP/1.1 400")


def test_ordinary_requests_are_served(live_server: int) -> None:
    r = httpx.get(f"http://127.0.0.1:{live_server}/healthz", timeout=20)
    assert r.status_code == 200 and r.headers["x-request-id"]


def _one_answer(sock: socket.socket) -> bytes:
    """Read one HTTP/1.1 answer with a Content-Length body ('' if the server closed instead)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_an_idle_connection_outlives_the_clients_idle_limit(live_server: int) -> None:
    """Clients and proxies close their idle pooled connections themselves (httpx after 5 s): a
    server that closed them at the same moment would reset requests sent on them."""
    client_idle_limit = httpx.Limits().keepalive_expiry
    assert client_idle_limit is not None
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", live_server)) as sock:
        sock.settimeout(20)
        sock.sendall(request)
        assert _one_answer(sock).startswith(b"HTTP/1.1 200")
        time.sleep(client_idle_limit + 1)
        sock.sendall(request)
        assert _one_answer(sock).startswith(b"HTTP/1.1 200")
