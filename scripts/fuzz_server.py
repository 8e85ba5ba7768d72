"""Serve the app for ``make fuzz``: as in production, but with the submission rate limit raised
so generated suggestions reach validation instead of all getting 429 after the twentieth."""

from __future__ import annotations

import sys

from app import server
from app.services import ratelimit
from app.settings import get_settings


def main() -> None:
    """``python scripts/fuzz_server.py PORT``."""
    port = int(sys.argv[1])
    ratelimit.SUBMIT = ratelimit.Limit(hits=1_000_000, window_s=3600)
    server.run(get_settings(), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
