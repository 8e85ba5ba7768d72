"""Text clean-up shared by the importers and the forms: whitespace collapsed, blanks made empty."""

from __future__ import annotations

import math
import re


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def one_line(value: object) -> str:
    """Runs of whitespace (newlines included) made one space, trimmed; '' for None or NaN."""
    return "" if _blank(value) else " ".join(str(value).split())


def paragraphs(value: object) -> str:
    """Spaces collapsed within lines, at most one blank line between paragraphs; '' for blank."""
    if _blank(value):
        return ""
    lines = [one_line(line) for line in str(value).replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
