"""Browser test fixtures: the app served by Uvicorn on loopback, driven in Debian's Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(database: str, settings: Settings) -> Iterator[str]:
    """The app served on a free loopback port for the whole session."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/setup.sh --browser (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A fresh page (own context, desktop size) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests save screenshots of the main pages."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


AXE_URL = "/static/vendor/axe-core/axe.min.js"


def axe_violations(
    pg: object, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, object]]:
    """Run axe-core on the page; return violations of the given impacts."""
    # Loaded from the app itself: the content security policy refuses inline scripts.
    pg.add_script_tag(url=AXE_URL)  # type: ignore[attr-defined]
    result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    return [v for v in result["violations"] if v.get("impact") in impacts]


# Local authorities on the map ---------------------------------------------------------------
# From zoom 8 the LAs come as vector tiles, so one LA may be drawn as several paths (one per tile
# it crosses); below it, as one GeoJSON path each. These read every path of an LA.


def la_outline_widths(pg: object, code: str) -> set[str]:
    """The stroke widths of every path drawn for an LA (``{"4"}`` when it is the selected one)."""
    widths: list[str] = pg.locator(f'path.pm-la[data-code="{code}"]').evaluate_all(  # type: ignore[attr-defined]
        "paths => paths.map(p => p.getAttribute('stroke-width'))"
    )
    return set(widths)


def la_fills(pg: object) -> dict[str, str]:
    """Each drawn LA's fill, by code; fails if two paths of one LA are filled differently."""
    # A tile's paths are named by LA code just after the tile draws them, so read them in one go
    # at a moment when every path drawn so far is named.
    pairs: list[list[str]] = pg.wait_for_function(  # type: ignore[attr-defined]
        """() => {
            const paths = [...document.querySelectorAll('path.pm-la')];
            return paths.every(p => p.dataset.code)
                && paths.map(p => [p.dataset.code, p.getAttribute('fill')]);
        }"""
    ).json_value()
    fills: dict[str, str] = {}
    for code, fill in pairs:
        assert fills.setdefault(code, fill) == fill, (code, fills[code], fill)
    return fills
