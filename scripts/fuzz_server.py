"""Serve the app for ``make fuzz``: as in production, but with the submission rate limit raised
so generated suggestions reach validation instead of all getting 429 after the twentieth."""

from __future__ import annotations

import sys

from app import server
from app.settings import get_settings


def main() -> None:
    """``python scripts/fuzz_server.py PORT``."""
    port = int(sys.argv[1])
    settings = get_settings().model_copy(update={"submit_rate_limit": 1_000_000})
    server.run(settings, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
