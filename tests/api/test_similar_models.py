"""The declared response models of the similar-areas, gaps and compare operations hold the real
answers (served as cached bytes, so nothing else checks them): every key validates, and dumping
the model gives the answer back, so no public field is missing from the contract."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel, RootModel

from app.api_models import Comparison, GapAnalysis, SimilarAreas, SimilarByDfe, SimilarByIndicators

LIVERPOOL, MANCHESTER, CAMBRIDGESHIRE = "E08000012", "E08000003", "E10000003"


@pytest.mark.parametrize(
    ("url", "model", "shape"),
    [
        (f"/api/v1/areas/{LIVERPOOL}/similar", SimilarAreas, SimilarByDfe),
        (
            f"/api/v1/areas/{LIVERPOOL}/similar?method=indicators&k=10",
            SimilarAreas,
            SimilarByIndicators,
        ),
        (f"/api/v1/areas/{LIVERPOOL}/gaps", GapAnalysis, GapAnalysis),
        (
            f"/api/v1/compare?areas={LIVERPOOL},{MANCHESTER},{CAMBRIDGESHIRE}",
            Comparison,
            Comparison,
        ),
    ],
)
async def test_real_answers_match_their_declared_models(
    client: httpx.AsyncClient,
    url: str,
    model: type[BaseModel],
    shape: type[BaseModel],
) -> None:
    r = await client.get(url)
    assert r.status_code == 200, r.text
    answer: Any = r.json()
    parsed = model.model_validate(answer)
    inner = parsed.root if isinstance(parsed, RootModel) else parsed
    assert isinstance(inner, shape)
    assert parsed.model_dump(mode="json") == answer
