"""The fast lane answers a learned URL from the payload cache exactly as its route would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request, Response

from app.db import SessionDep
from app.fastlane import FastLaneMiddleware
from app.main import create_app
from app.services.payloads import cached
from app.settings import Settings

LA_LAYER = "/api/v1/areas?level=local_authority&zoom=6"
SCHOOL_TILE = "/tiles/schools/13/4040/2642.mvt"  # Sheffield
# Headers that differ between any two responses.
PER_RESPONSE = {"x-request-id", "date"}


@pytest.fixture(scope="module")
async def app(database: str, settings: Settings) -> AsyncIterator[FastAPI]:
    """An app of its own: these tests read its lane's table and change its data version."""
    application = create_app(settings)
    async with LifespanManager(application):
        await application.state.prebuilt
        yield application


@pytest.fixture()
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for that app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def lane_of(app: FastAPI) -> FastLaneMiddleware:
    """The app's fast lane, found in its middleware stack."""
    layer: Any = app.middleware_stack
    while layer is not None and not isinstance(layer, FastLaneMiddleware):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, FastLaneMiddleware)
    return layer


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_RESPONSE}


@pytest.mark.parametrize("url", [LA_LAYER, SCHOOL_TILE])
@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
async def test_the_lane_answers_as_the_route_did(
    http: httpx.AsyncClient, app: FastAPI, url: str, encoding: str
) -> None:
    routed = await http.get(url, headers={"Accept-Encoding": encoding})
    lane = lane_of(app)
    assert routed.status_code == 200
    before = lane.hits
    served = await http.get(url, headers={"Accept-Encoding": encoding})
    assert lane.hits == before + 1
    assert served.status_code == 200
    assert served.content == routed.content
    assert _headers(served) == _headers(routed)
    assert served.headers["x-request-id"] != routed.headers["x-request-id"]
    not_modified = await http.get(url, headers={"If-None-Match": routed.headers["etag"]})
    assert not_modified.status_code == 304 and lane.hits == before + 2


async def test_uncached_and_refused_urls_are_not_learned(
    http: httpx.AsyncClient, app: FastAPI
) -> None:
    near = "/api/v1/near?postcode=S1%202HE"
    refused = "/api/v1/areas?level=local_authority&zoom=99"
    for _ in range(2):
        assert (await http.get(near)).status_code == 200
        assert (await http.get(refused)).status_code == 422
    lane = lane_of(app)
    learned = {path + ("?" + query.decode() if query else "") for path, query in lane.urls}
    assert near not in learned and refused not in learned


async def test_a_new_data_version_goes_back_through_the_route(
    http: httpx.AsyncClient, app: FastAPI
) -> None:
    first = await http.get(LA_LAYER)
    lane = lane_of(app)
    assert (await http.get(LA_LAYER)).status_code == 200
    hits = lane.hits
    versions = app.state.data_versions
    builds = app.state.cache.builds
    # As an approval seen by this process: the LA layer carries partnership counts.
    versions.saw("moderation", (versions.current() or 0) + 1)
    rebuilt = await http.get(LA_LAYER)
    assert rebuilt.status_code == 200 and lane.hits == hits
    assert app.state.cache.builds == builds + 1
    assert rebuilt.content == first.content  # nothing in the data changed
    again = await http.get(LA_LAYER)
    assert again.status_code == 200 and lane.hits == hits + 1


async def test_the_table_of_urls_is_bounded(http: httpx.AsyncClient, app: FastAPI) -> None:
    lane = lane_of(app)
    kept = lane.max_urls
    lane.max_urls = 2
    try:
        for x in (4040, 4041, 4042):
            assert (await http.get(f"/tiles/schools/13/{x}/2642.mvt")).status_code == 200
        assert len(lane.urls) == 2
        assert ("/tiles/schools/13/4040/2642.mvt", b"") not in lane.urls
    finally:
        lane.max_urls = kept


async def test_a_route_that_adds_to_a_cached_payload_is_not_short_cut(
    http: httpx.AsyncClient, app: FastAPI
) -> None:
    async def named_download(request: Request, session: SessionDep) -> Response:
        async def build() -> bytes:
            return b"urn,name\n100000,A school\n"

        payload = await cached(session, app.state.cache, ("lane test",), build, "text/csv")
        response = payload.respond(request)
        response.headers["Content-Disposition"] = 'attachment; filename="schools.csv"'
        return response

    app.add_api_route("/api/v1/lane-test.csv", named_download, methods=["GET"])
    assert (await http.get("/healthz")).status_code == 200  # the middleware stack is built
    lane = lane_of(app)
    hits = lane.hits
    for _ in range(2):
        r = await http.get("/api/v1/lane-test.csv")
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="schools.csv"'
    assert lane.hits == hits
    assert ("/api/v1/lane-test.csv", b"") not in lane.urls
