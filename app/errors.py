"""Domain errors, their HTTP status codes, and the handlers that turn them into responses.

Services raise these; routes never build error responses themselves. API paths get JSON
``{"detail": ..., "errors": [...]}``; pages get the HTML error page.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import is_unavailable

log = logging.getLogger("app.errors")
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = (
    "The service is briefly unavailable: its database is not answering. Please try again in a "
    "few seconds."
)


class ErrorItem(BaseModel):
    """One problem with a request: the field it concerns (empty for the whole request)."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="Dotted path of the field, e.g. proposed.members.0.urn")
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers with (4xx and 5xx): a summary and the problems found."""

    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)


class AppError(Exception):
    """Base of every error the service reports to its users."""

    status_code = 400

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(AppError):
    """The request asked for something malformed or out of range."""

    status_code = 422


class NotFound(AppError):
    """The thing asked for does not exist (unknown code, URN, slug or postcode)."""

    status_code = 404


class Conflict(AppError):
    """The change is based on a stale version of the record."""

    status_code = 409


class Unauthorised(AppError):
    """Sign-in needed."""

    status_code = 401


class Forbidden(AppError):
    """Signed in or not, this is not allowed (bad CSRF token, locked account)."""

    status_code = 403


class RateLimited(AppError):
    """Too many requests from one client in the current window."""

    status_code = 429


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, detail: str, errors: list[dict[str, Any]]
) -> Response:
    """The error as JSON for API clients, or as the HTML error page for browsers."""
    if _wants_json(request):
        return JSONResponse({"detail": detail, "errors": errors}, status_code=status)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "detail": detail, "errors": errors},
        status_code=status,
    )
    return response


def unavailable_response(request: Request) -> Response:
    """The 503 for a database that is down or too slow: JSON or the error page, with a retry hint."""
    response = error_response(request, 503, UNAVAILABLE_MESSAGE, [])
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def add_exception_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors and HTTP errors to responses, in one place."""

    async def _database(request: Request, exc: Exception) -> Response:
        if not is_unavailable(exc):
            raise exc
        # One line, no traceback: an outage is the server's state, not a bug in this request.
        first_line = (str(exc).splitlines() or [""])[0][:200]
        log.warning("database unavailable: %s: %s", type(exc).__name__, first_line)
        return unavailable_response(request)

    for kind in (SQLAlchemyError, OSError, TimeoutError, asyncpg.PostgresError):
        app.add_exception_handler(kind, _database)
    app.add_exception_handler(asyncpg.InterfaceError, _database)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        response = error_response(request, exc.status_code, exc.detail, exc.errors)
        retry = next((e.get("retry_after") for e in exc.errors if e.get("retry_after")), None)
        if isinstance(exc, RateLimited) and isinstance(retry, int):
            response.headers["Retry-After"] = str(max(1, retry))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(
                    str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path")
                ),
                "message": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return error_response(request, 422, f"Invalid request: {summary}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Page not found"
        response = error_response(request, exc.status_code, detail, [])
        # Keep the headers the error carries, e.g. ``Allow`` on a 405 (RFC 9110 requires it).
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
