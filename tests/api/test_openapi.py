"""The OpenAPI document describes the answers the API really gives: its response models, the
real error shape on 404 and 422, and no internal columns."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.api_models import Coverage, IndicatorList, IndicatorValues
from app.errors import ErrorBody
from app.services import tiles
from app.services.compare import MAX_AREAS

ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture(scope="module")
async def spec(running_app: tuple[FastAPI, Any]) -> dict[str, Any]:
    """The OpenAPI document, fetched once for the module from the session's app (it reads no
    data, so it needs neither the per-test ``client`` nor its transaction)."""
    _, asgi = running_app
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        r = await http.get("/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/api/")
    ]


async def test_every_error_answer_is_declared_with_the_real_shape(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, method, op in operations(spec):
        responses = op["responses"]
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, code)


async def test_json_operations_declare_their_response_models(spec: dict[str, Any]) -> None:
    for path in (
        "/api/v1/areas/{code}",
        "/api/v1/vocabulary",
        "/api/v1/partnerships/{slug}",
        "/api/v1/schools/{urn}",
        "/api/v1/trusts/{uid}",
        "/api/v1/near",
        "/api/v1/search",
        "/api/v1/submissions/{reference}",
        "/api/v1/landscape",
        "/api/v1/areas/{code}/similar",
        "/api/v1/areas/{code}/gaps",
        "/api/v1/compare",
    ):
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"]["$ref"].startswith("#/components/schemas/"), path
    for path, ops in spec["paths"].items():
        if path.startswith(("/api/", "/downloads/")):
            content = ops["get"]["responses"]["200"].get("content", {}) if "get" in ops else {}
            if "application/json" in content:
                assert content["application/json"].get("schema"), path
    detail = spec["components"]["schemas"]["PartnershipDetail"]["properties"]
    assert {"slug", "name", "members", "trusts", "areas"} <= set(detail)
    assert not {"id", "seed_ref", "dataset_id", "seed_key"} & set(detail)


async def test_error_bodies_match_the_declared_shape(
    spec: dict[str, Any], client: httpx.AsyncClient
) -> None:
    """Real error answers have the shape the document declares for that operation and status."""
    components = spec["components"]["schemas"]
    cases = [
        ("/api/v1/areas/{code}", "/api/v1/areas/E99999999", {}),
        ("/api/v1/schools/{urn}", "/api/v1/schools/notanumber", {}),
        ("/api/v1/areas", "/api/v1/areas", {"zoom": "99"}),
        ("/api/v1/partnerships/{slug}", "/api/v1/partnerships/no-such-partnership", {}),
        ("/api/v1/search", "/api/v1/search", {"q": "x" * 101}),
    ]
    answers = [await client.get(url, params=params) for _, url, params in cases]
    assert [r.status_code for r in answers] == [404, 422, 422, 404, 422]
    for (path, _, _), r in zip(cases, answers, strict=True):
        declared = spec["paths"][path]["get"]["responses"][str(r.status_code)]
        assert declared["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
        body = r.json()
        assert set(body) == set(components["ErrorBody"]["properties"])
        ErrorBody.model_validate(body)
        item = components["ErrorItem"]["required"]
        assert all(set(item) <= set(e) for e in body["errors"])


async def test_internal_columns_never_leave_the_api(client: httpx.AsyncClient) -> None:
    listing = (await client.get("/api/v1/partnerships")).json()["features"]
    slug = listing[0]["properties"]["slug"]
    detail = (await client.get(f"/api/v1/partnerships/{slug}")).json()
    assert detail["slug"] == slug
    assert not {"id", "seed_ref", "dataset_id", "seed_key"} & set(detail)
    trust = (await client.get("/api/v1/trusts/1520")).json()
    assert "dataset_id" not in trust["trust"]


async def test_docs_page_uses_local_assets_only(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and "cdn." not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "js/api-docs.js"):
        start = page.text.index(asset)
        url = page.text[page.text.rindex('"', 0, start) + 1 : page.text.index('"', start)]
        assert url.startswith("/static/")
        assert (await client.get(url)).status_code == 200, url


async def test_cached_json_answers_match_their_documented_models(
    client: httpx.AsyncClient,
) -> None:
    indicators = IndicatorList.model_validate((await client.get("/api/v1/indicators")).json())
    assert indicators.indicators
    code = indicators.indicators[0].code
    values = (await client.get(f"/api/v1/indicators/{code}/values")).json()
    assert IndicatorValues.model_validate(values).indicator.code == code
    coverage = Coverage.model_validate((await client.get("/api/v1/coverage")).json())
    assert coverage.local_authorities and coverage.regions


def _parameter(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        p["schema"] for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name
    )
    return found


async def test_declared_parameter_formats_are_the_ones_checked(
    spec: dict[str, Any], client: httpx.AsyncClient
) -> None:
    """What the document declares about a parameter is what the API accepts: a request that
    breaks it is refused, one that keeps it (with real values) is served."""
    layer = _parameter(spec, "/tiles/{layer}/{z}/{x}/{y}.mvt", "layer")
    assert layer["enum"] == list(tiles.LAYERS)
    box = _parameter(spec, "/api/v1/schools", "bbox")["pattern"]
    served = "-0.2,51.45,0.0,51.55"
    assert re.match(box, served) and not re.match(box, "1_0,51,2,52")
    assert (await client.get("/api/v1/schools", params={"bbox": served})).status_code == 200
    # float() reads "1_0" as 10; the declared format does not, and neither does the API
    refused = await client.get("/api/v1/schools", params={"bbox": "-1_0,51,-0.5,52"})
    assert refused.status_code == 422 and "four numbers" in refused.json()["detail"]
    areas = _parameter(spec, "/api/v1/compare", "areas")
    assert areas["uniqueItems"] is True and areas["maxItems"] == MAX_AREAS
    pair = [("areas", "E08000019"), ("areas", "E09000030")]
    assert (await client.get("/api/v1/compare", params=pair)).status_code == 200
    repeated = await client.get("/api/v1/compare", params=[*pair, ("areas", "E08000019")])
    assert repeated.status_code == 422 and repeated.json()["errors"][0]["field"] == "areas"
    seven = [("areas", f"E0900000{i}") for i in range(1, 8)]
    assert (await client.get("/api/v1/compare", params=seven)).status_code == 422
