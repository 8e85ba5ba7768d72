"""Cached answers skip the database; the data version follows LISTEN/NOTIFY; an approval-like
change rebuilds only the payloads built from partnerships; responses and assets are compressed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from _slow_compression import slow_compression
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event

from app.compression import precompress
from app.main import create_app
from app.services.versions import APPLICATION_NAME
from app.settings import PROJECT_ROOT, Settings
from app.templating import static_url

LA_LAYER = "/api/v1/areas?level=local_authority&zoom=6"
SCHOOL_TILE = "/tiles/schools/12/2020/1321.mvt"  # Sheffield city centre


@pytest.fixture(scope="module")
async def app(database: str, settings: Settings) -> AsyncIterator[FastAPI]:
    """An app of its own, so counting its statements and reading its cache is unambiguous."""
    application = create_app(settings)
    async with LifespanManager(application):
        await application.state.prebuilt  # the start-up build is done before statements are counted
        yield application


@pytest.fixture()
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for that app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement and pool checkout the app makes inside the block."""
    seen: list[str] = []
    engine = app.state.engine.sync_engine

    def on_execute(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    def on_checkout(*_a: Any) -> None:
        seen.append("<pool checkout>")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine.pool, "checkout", on_checkout)


async def test_the_data_version_is_held_in_process(app: FastAPI) -> None:
    versions = app.state.data_versions
    assert versions.live
    assert versions.current() is not None and versions.current() > 0


async def test_the_national_layers_are_built_at_start_up(app: FastAPI) -> None:
    # Runs before any test here changes the data version.
    versions = app.state.data_versions
    for level, bands in (("local_authority", (6, 8)), ("combined_authority", (6, 8, 10))):
        for band in bands:  # bands are named after their top zoom
            assert app.state.cache.peek(("areas", level, band), versions.current()) is not None


@pytest.mark.parametrize("url", [LA_LAYER, SCHOOL_TILE, "/tiles/local_authority/6/31/20.mvt"])
async def test_a_cached_hit_and_a_304_run_no_sql(
    http: httpx.AsyncClient, app: FastAPI, url: str
) -> None:
    first = await http.get(url, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200
    with counting(app) as statements:
        hit = await http.get(url, headers={"Accept-Encoding": "br"})
        not_modified = await http.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert hit.status_code == 200 and hit.headers["etag"] == first.headers["etag"]
    assert not_modified.status_code == 304
    assert statements == []


async def test_a_miss_does_not_block_a_cached_request(
    http: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a rebuilt payload is being compressed, cached requests and /healthz are answered."""
    await http.get(LA_LAYER)
    body = b'{"slow": "miss"}' * 100
    compressing, release = slow_compression(monkeypatch, body)

    async def slow_build() -> bytes:
        return body

    miss = asyncio.create_task(app.state.cache.get_or_build(("slow miss",), slow_build, version=1))
    for _ in range(1000):
        if compressing.is_set():
            break
        await asyncio.sleep(0.01)
    assert compressing.is_set()
    hit = await http.get(LA_LAYER)
    health = await http.get("/healthz")
    assert hit.status_code == 200 and health.status_code == 200
    assert not miss.done()  # both answered while the miss was still compressing
    release.set()
    await miss


async def test_a_moderation_change_rebuilds_partnership_payloads_only(
    http: httpx.AsyncClient, app: FastAPI, database: str
) -> None:
    versions = app.state.data_versions
    boundary_url = "/tiles/local_authority/7/63/41.mvt"
    for url in (LA_LAYER, SCHOOL_TILE, boundary_url):
        assert (await http.get(url)).status_code == 200
    before = versions.current()
    with psycopg.connect(database, autocommit=True) as conn:
        new_id = conn.execute(
            "INSERT INTO dataset (name, source, vintage, licence, checksum)"
            " VALUES ('moderation', 'cache test', '2026-01-01', 'test', md5(random()::text))"
            " RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        try:
            for _ in range(100):  # the notification arrives on the listening connection
                if versions.current() == new_id:
                    break
                await asyncio.sleep(0.05)
            assert versions.current() == new_id > before
            builds = app.state.cache.builds
            with counting(app) as statements:
                await http.get(SCHOOL_TILE)
                await http.get(boundary_url)
            assert statements == []  # schools and boundaries do not depend on partnerships
            assert app.state.cache.builds == builds
            layer = await http.get(LA_LAYER)  # carries partnership counts: rebuilt
            assert layer.status_code == 200
            assert app.state.cache.builds == builds + 1
        finally:
            conn.execute("DELETE FROM dataset WHERE id = %s", (new_id,))


async def test_html_and_json_are_compressed(http: httpx.AsyncClient) -> None:
    page = await http.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "br"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert "<html" in page.text
    api = await http.get("/api/v1/vocabulary", headers={"Accept-Encoding": "gzip"})
    assert api.headers["content-encoding"] == "gzip"
    assert api.json()["kinds"]
    plain = await http.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


async def test_fingerprinted_static_files_are_precompressed_and_immutable(
    http: httpx.AsyncClient,
) -> None:
    precompress(PROJECT_ROOT / "static")
    url = static_url("js/main.js")
    r = await http.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "br"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.content == (PROJECT_ROOT / "static" / "js" / "main.js").read_bytes()
    gz = await http.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.content == r.content
    unversioned = await http.get("/static/js/main.js")
    assert "immutable" not in unversioned.headers.get("cache-control", "")


async def test_an_area_page_is_rendered_once_per_data_version(
    http: httpx.AsyncClient, app: FastAPI
) -> None:
    first = await http.get("/areas/E08000019", headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and "Learn Sheffield" in first.text
    with counting(app) as statements:
        again = await http.get("/areas/E08000019", headers={"Accept-Encoding": "br"})
    assert statements == []
    assert again.text == first.text
    missing = await http.get("/areas/E99999999")
    assert missing.status_code == 404


async def test_search_prefers_substring_matches(http: httpx.AsyncClient) -> None:
    hits = (await http.get("/api/v1/search", params={"q": "st mary"})).json()["results"]
    assert len(hits) == 10
    assert all("st mary" in h["name"].lower() for h in hits)
    # A misspelling finds nothing by substring, so the fuzzy match answers.
    fuzzy = (await http.get("/api/v1/search", params={"q": "Sheffeld"})).json()["results"]
    assert any(h["name"] == "Sheffield" for h in fuzzy)


async def test_the_listener_comes_back_after_losing_its_connection(
    app: FastAPI, database: str
) -> None:
    versions = app.state.data_versions
    before = versions._conn
    with psycopg.connect(database, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            (APPLICATION_NAME,),
        ).fetchone()
        assert killed is not None and killed[0] >= 1
        for _ in range(200):  # the listener notices, then reconnects within seconds
            await asyncio.sleep(0.05)
            if versions.live and versions._conn is not before:
                break
        assert versions.live and versions._conn is not before
        new_id = conn.execute(
            "INSERT INTO dataset (name, source, vintage, licence, checksum)"
            " VALUES ('moderation', 'listener test', '2026-01-01', 'test', md5(random()::text))"
            " RETURNING id"
        ).fetchone()[0]  # type: ignore[index]
        try:
            for _ in range(100):
                if versions.current() == new_id:
                    break
                await asyncio.sleep(0.05)
            assert versions.current() == new_id
        finally:
            conn.execute("DELETE FROM dataset WHERE id = %s", (new_id,))
