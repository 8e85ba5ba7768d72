"""Moderator sign-in and sign-out under ``/moderate``, and the checks every moderation route uses.

Every moderation page needs a signed-in moderator (anonymous requests get 401) and every form
carries the session's CSRF token (a missing or wrong one gets 403). Session cookies are HttpOnly,
SameSite=Lax, and Secure when the site is served over HTTPS.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import SessionDep
from app.errors import RateLimited, Unauthorised
from app.routes._forms import (
    csrf_cookie,
    form_token,
    is_https,
    read_form,
    render,
    set_csrf_cookie,
    settings_of,
)
from app.services import accounts, csrf
from app.services.accounts import ModeratorIdentity

router = APIRouter(prefix="/moderate", include_in_schema=False)


async def optional_moderator(request: Request, session: SessionDep) -> ModeratorIdentity | None:
    """The signed-in moderator, if the request carries a live session cookie."""
    return await accounts.current_moderator(session, request.cookies.get(accounts.SESSION_COOKIE))


async def require_moderator(request: Request, session: SessionDep) -> ModeratorIdentity:
    """The signed-in moderator; ``Unauthorised`` (401) without a live session."""
    moderator = await optional_moderator(request, session)
    if moderator is None:
        raise Unauthorised("Sign in as a moderator to do this")
    return moderator


async def require_post(
    request: Request, session: SessionDep
) -> tuple[ModeratorIdentity, dict[str, str], list[tuple[str, str]]]:
    """A moderator's form post: who sent it, its fields and its pairs; 403 on a wrong CSRF token."""
    moderator = await require_moderator(request, session)
    pairs = await read_form(request)
    data = dict(pairs)
    csrf.check_session_token(moderator.csrf_token, data.get("csrf_token"))
    return moderator, data, pairs


def _login_page(
    request: Request,
    next_url: str,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    email: str = "",
    notice: str = "",
) -> Response:
    cookie, new_cookie = csrf_cookie(request)
    response = render(
        request,
        "moderate/login.html",
        {
            "next": next_url,
            "email": email,
            "csrf_token": form_token(request, cookie, "login"),
            "errors": dict(errors or []),
            "error_list": errors or [],
            "notice": notice,
        },
        status,
    )
    if new_cookie:
        set_csrf_cookie(request, response, cookie)
    return response


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return "/moderate"


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/moderate"
) -> Response:
    """The moderators' sign-in page."""
    return _login_page(request, _safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep) -> Response:
    """Check the credentials, start a session and go where the moderator was heading."""
    data = dict(await read_form(request, 16 * 1024))
    next_url = _safe_next(data.get("next"))
    email = data.get("email", "")[:254]
    try:
        csrf.check_form_token(
            settings_of(request).secret_key,
            request.cookies.get(csrf.COOKIE_NAME),
            data.get("csrf_token"),
            "login",
            min_seconds=0,
        )
    except csrf.FormExpired as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 403, email)
    try:
        new = await accounts.sign_in(
            session,
            settings_of(request),
            email,
            data.get("password", ""),
            request.client.host if request.client else None,
        )
    except Unauthorised as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 401, email)
    except RateLimited as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 429, email)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        accounts.SESSION_COOKIE,
        new.token,
        max_age=int(accounts.session_lifetime(settings_of(request)).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    """End the session."""
    await require_post(request, session)
    await accounts.sign_out(session, request.cookies.get(accounts.SESSION_COOKIE))
    response = RedirectResponse("/moderate/login", status_code=303)
    response.delete_cookie(
        accounts.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )
    return response


def unauthorised_page(request: Request) -> Response:
    """The sign-in page (401) for a moderation page asked for without a session."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Nothing was submitted yet: say what the page needs, without an error box.
    return _login_page(
        request, _safe_next(path), status=401, notice="Sign in as a moderator to see this page."
    )
