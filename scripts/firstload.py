"""First load of the home map in Chromium: bytes transferred, requests, and time to the LA layer.

Usage: .venv/bin/python scripts/firstload.py [BASE_URL] [--slow]
Opens the home page in a fresh headless Chromium (no cache), counts every response's encoded
bytes as the network saw them, and reads how long after navigation the first local authority
polygon was drawn. ``--slow`` emulates a slow 4G link. Prints one JSON line; loopback only.
"""

from __future__ import annotations

import json
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 750e3 / 8,
}


def measure(base_url: str, slow: bool) -> dict[str, object]:
    """One cold load of ``/``; figures as a dict."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if slow:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        sizes: dict[str, float] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        started = time.perf_counter()
        page.goto(base_url + "/", wait_until="commit")
        page.wait_for_selector("path.pm-la", state="attached", timeout=60_000)
        la_ms = page.evaluate("() => performance.now()")
        page.wait_for_selector('#map[data-ready="true"]', timeout=60_000)
        page.wait_for_load_state("networkidle")
        total = time.perf_counter() - started
        browser.close()
    return {
        "requests": len(sizes),
        "bytes": int(sum(sizes.values())),
        "la_layer_ms": round(la_ms),
        "settled_s": round(total, 2),
        "slow_4g": slow,
    }


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(json.dumps(measure(argv[0] if argv else "http://127.0.0.1:8000", "--slow" in sys.argv)))
