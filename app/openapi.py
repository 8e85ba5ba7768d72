"""The OpenAPI document, made to describe the answers the API really gives.

FastAPI documents its own validation error shape for 422, but ``app.errors`` answers every
error with ``ErrorBody`` (``{"detail", "errors": [{"field", "message"}]}``); this module puts that
shape on every 4xx and 5xx the API declares, declares the 404 an unknown code, slug, URN or
reference gets, and the 503 (with ``Retry-After``) any database-backed operation can give while
the database is unavailable.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_DESCRIPTIONS = {
    "404": "Not found: no such code, slug, URN, UID, postcode or reference",
    "413": "The request body is too large",
    "415": "The body is not sent as application/json",
    "422": "The request is not valid; `errors` names each field and what is wrong with it",
    "429": "Too many requests from this client; try again later",
    "503": "The database is briefly unavailable; retry after `Retry-After` seconds",
}
# Operations that read nothing that can be missing, so never answer 404.
_NEVER_404 = {
    "/healthz",
    "/readyz",
    "/api/v1/vocabulary",
    "/api/v1/coverage",
    "/api/v1/indicators",
    "/downloads/partnerships.csv",
    "/downloads/partnerships.geojson",
}


def _error(code: str, existing: dict[str, Any] | None, api: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": ERROR_REF}}
    if not api:  # outside /api/, browsers get the site's error page unless they ask for JSON
        content["text/html"] = {"schema": {"type": "string"}}
    response: dict[str, Any] = {
        "description": (existing or {}).get("description") or _DESCRIPTIONS[code],
        "content": content,
    }
    if code in ("503", "429"):
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return response


def build(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` with the error answers described as they are."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorBody"] = error_schema
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("422", {})
            if path not in _NEVER_404:
                responses.setdefault("404", {})
            if path != "/healthz":
                responses.setdefault("503", {})
            for code in list(responses):
                if code in _DESCRIPTIONS:
                    responses[code] = _error(code, responses[code], path.startswith("/api/"))
    return schema


def install(app: FastAPI) -> None:
    """Make ``app`` serve the document ``build`` makes (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
