"""Write brotli and gzip copies beside every text asset in static/, once, at set-up."""

from __future__ import annotations

from app.compression import precompress
from app.settings import PROJECT_ROOT


def main() -> None:
    """Compress what is new or changed since the last run."""
    count = precompress(PROJECT_ROOT / "static")
    print(f"static assets precompressed: {count} files checked")


if __name__ == "__main__":
    main()
