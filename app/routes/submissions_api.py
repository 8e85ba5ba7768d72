"""The submissions JSON API: suggest a partnership, correction, closure or landscape note, and
read a suggestion's status with its token. Bodies must be JSON (see ``require_json``) and are
size-capped and rate-limited like the forms; the rest is ``app.services.submissions``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from app.db import SessionDep
from app.errors import AppError, InvalidInput
from app.routes._forms import client_hash, private, read_body, settings_of
from app.schemas import SubmissionCreated, SubmissionIn, SubmissionStatus
from app.services import ratelimit, records, submission_store, submission_validation, submissions

router = APIRouter()


class UnsupportedMediaType(AppError):
    """The body is not sent as the API expects (JSON)."""

    status_code = 415


def require_json(request: Request) -> None:
    """Refuse a body not declared as JSON.

    A cross-site page can post ``text/plain``, a form or multipart without asking, but not
    ``application/json``, which needs a CORS preflight this site never grants; so insisting on
    JSON keeps other sites from submitting in a visitor's name.
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType(
            "Send the suggestion as JSON, with the header Content-Type: application/json",
            [{"field": "", "message": f"unsupported content type {media or '(none)'!r}"[:120]}],
        )


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` written in place, for the OpenAPI request body."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.rsplit("/", 1)[1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inline_refs(SubmissionIn.model_json_schema())}},
    }
}


@router.post(
    "/api/v1/submissions",
    status_code=201,
    response_model=SubmissionCreated,
    tags=["submissions"],
    openapi_extra=_REQUEST_BODY,
    responses={
        201: {
            "description": "Stored as pending; keep status_url (its token is shown only once)",
            "links": {
                "status": {
                    "operationId": "api_submission_status_api_v1_submissions__reference__get",
                    "parameters": {"reference": "$response.body#/reference"},
                    "description": "The suggestion's status (needs the token from status_url)",
                }
            },
        },
        413: {"description": "Body over 64 KB"},
        415: {"description": "Body not sent as application/json"},
        422: {"description": "Field errors: {detail, errors: [{field, message}]}"},
        429: {"description": "Too many submissions from this client"},
    },
)
async def api_submit(request: Request, session: SessionDep) -> JSONResponse:
    """Suggest a new partnership, a correction, a closure or a landscape note.

    Nothing changes on the map until a moderator approves it. Keep ``status_url``: its token is
    shown only once.
    """
    require_json(request)
    body = await read_body(request, records.MAX_JSON_BYTES)
    await ratelimit.hit(
        session, "submit", client_hash(request), ratelimit.submit_limit(settings_of(request))
    )
    try:
        payload = SubmissionIn.model_validate_json(body or b"{}")
    except ValidationError as exc:
        raise InvalidInput(
            "The request does not have the expected shape",
            submission_validation.payload_errors(exc),
        ) from exc
    valid = await submissions.validate(session, payload)
    settings = settings_of(request)
    created = await submissions.create(session, settings, valid, client_hash(request))
    url = submission_store.status_url(settings, created.reference, created.token)
    result = SubmissionCreated(reference=created.reference, status=created.status, status_url=url)
    return JSONResponse(
        result.model_dump(),
        status_code=201,
        headers={"Location": f"/api/v1/submissions/{created.reference}?token={created.token}"},
    )


@router.get(
    "/api/v1/submissions/{reference}",
    response_model=SubmissionStatus,
    tags=["submissions"],
    responses={404: {"description": "Unknown reference, or wrong token"}},
)
async def api_submission_status(
    session: SessionDep,
    reference: str,
    token: Annotated[str, Query(max_length=100, description="The token from status_url")] = "",
) -> Response:
    """Where a suggestion has got to: pending, approved, rejected or needs more information."""
    row = await submission_store.load_with_token(session, reference, token)
    result = SubmissionStatus(
        reference=row.reference,
        kind=row.kind,
        status=row.status,
        status_label=row.status_label,
        partnership=row.partnership_slug,
        area=row.area_code,
        moderator_note=row.moderator_note,
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_at=row.decided_at,
    )
    return private(JSONResponse(result.model_dump(mode="json")))
