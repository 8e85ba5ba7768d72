"""Unit tests of the similarity arithmetic, ranking, parsing and chart placement (no database)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from app.errors import InvalidInput
from app.services import compare, compare_chart
from app.services.similarity_data import build_matrix
from app.services.similarity_maths import (
    dfe_overlap,
    nearest,
    quartile,
    rank_values,
    standardise,
    weighted_distances,
)
from app.services.similarity_shapes import Matrix

NAN = math.nan


def _indicator(code: str, default: bool = True, polarity: str = "neutral") -> dict[str, Any]:
    return {
        "code": code,
        "label": code.upper(),
        "description": "",
        "unit": "%",
        "polarity": polarity,
        "topic": "Test",
        "source": "Test source",
        "period": "2025",
        "in_default_similarity": default,
    }


def _matrix(values: dict[str, dict[str, float]], regions: dict[str, str] | None = None) -> Matrix:
    """A matrix of LAs E0600000n with the given indicator values (missing keys are missing)."""
    indicators = sorted({i for row in values.values() for i in row})
    rows = []
    for code, row in values.items():
        base = {
            "code": code,
            "name": f"LA {code[-2:]}",
            "la_number": 800 + int(code[-2:]),
            "region_code": (regions or {}).get(code, "E12000001"),
            "region_name": (regions or {}).get(code, "E12000001"),
        }
        if not row:
            rows.append({**base, "indicator_code": None, "value": None})
        for indicator, value in row.items():
            rows.append({**base, "indicator_code": indicator, "value": value})
    return build_matrix(7, rows, [_indicator(i) for i in indicators])


def _random_matrix(seed: int = 1, n: int = 30, m: int = 5, missing: float = 0.1) -> Matrix:
    rng = np.random.default_rng(seed)
    values: dict[str, dict[str, float]] = {}
    for i in range(n):
        code = f"E060000{i:02d}"
        values[code] = {
            f"i{j}": float(rng.normal(10 * j, 1 + j))
            for j in range(m)
            if rng.random() > missing or j == 0  # everyone has i0, so no LA is left out
        }
    regions = {code: f"E1200000{1 + k % 3}" for k, code in enumerate(values)}
    return _matrix(values, regions)


# Standardising ------------------------------------------------------------------------------


def test_standardise_gives_mean_zero_sd_one_and_keeps_gaps() -> None:
    values = np.array([[1.0, 5.0], [2.0, NAN], [3.0, 5.0], [6.0, 5.0]])
    z, mean, sd = standardise(values)
    assert sd[0] == pytest.approx(np.std([1.0, 2.0, 3.0, 6.0]))
    assert math.isclose(np.nanmean(z[:, 0]), 0.0, abs_tol=1e-12)
    assert math.isclose(np.nanstd(z[:, 0]), 1.0, rel_tol=1e-12)
    assert math.isnan(z[1, 1])
    assert mean[0] == pytest.approx(3.0)
    # A column with no spread cannot move a distance.
    assert np.allclose(z[[0, 2, 3], 1], 0.0)


def test_standardise_column_without_values() -> None:
    z, mean, sd = standardise(np.array([[NAN], [NAN]]))
    assert np.isnan(z).all() and math.isnan(mean[0]) and math.isnan(sd[0])


# Distances -------------------------------------------------------------------------------------


def test_distances_are_symmetric_even_with_missing_values() -> None:
    matrix = _random_matrix(missing=0.3)
    weights = [1.0, 2.0, 0.5, 1.0, 3.0]
    n = len(matrix.las)
    table = np.array([weighted_distances(matrix.z, i, weights)[0] for i in range(n)])
    assert np.allclose(table, table.T, equal_nan=True)
    assert np.allclose(np.diag(table), 0.0)


def test_shares_sum_to_one_and_weights_are_relative() -> None:
    matrix = _random_matrix(missing=0.0)
    d1, share, _ = weighted_distances(matrix.z, 0, [1, 2, 3, 4, 5])
    d2, _, _ = weighted_distances(matrix.z, 0, [10, 20, 30, 40, 50])
    assert np.allclose(d1, d2)
    assert np.allclose(np.nansum(share[1:], axis=1), 1.0)


def test_distance_matches_hand_calculation() -> None:
    z = np.array([[0.0, 0.0], [3.0, 4.0]])
    distance, share, _ = weighted_distances(z, 0, [1.0, 1.0])
    # sqrt((9 * 0.5 + 16 * 0.5) / 1)
    assert distance[1] == pytest.approx(math.sqrt(12.5))
    assert share[1].tolist() == pytest.approx([9 / 25, 16 / 25])


def test_missing_indicator_is_left_out_and_weights_rescaled() -> None:
    z = np.array([[0.0, 0.0, 0.0], [1.0, NAN, 2.0]])
    distance, share, shared = weighted_distances(z, 0, [1.0, 1.0, 2.0])
    # Shared: columns 0 and 2 with weights 1/4 and 2/4 (of 3/4 shared): sqrt((1/4 + 8/4) / (3/4)).
    assert distance[1] == pytest.approx(math.sqrt(3.0))
    assert shared[1].tolist() == [True, False, True]
    assert math.isnan(share[1, 1])


# Nearest -------------------------------------------------------------------------------------


def test_nearest_excludes_the_area_and_orders_by_distance_then_code() -> None:
    matrix = _matrix(
        {
            "E06000001": {"a": 0.0, "b": 0.0},
            "E06000002": {"a": 1.0, "b": 1.0},
            "E06000003": {"a": -1.0, "b": -1.0},  # same distance from 01 as 02: code breaks the tie
            "E06000004": {"a": 5.0, "b": 5.0},
        }
    )
    result = nearest(matrix, "E06000001", k=3)
    codes = [n.area.code for n in result.neighbours]
    assert codes == ["E06000002", "E06000003", "E06000004"]
    assert "E06000001" not in codes
    assert [n.rank for n in result.neighbours] == [1, 2, 3]
    assert result.neighbours[0].distance == pytest.approx(result.neighbours[1].distance)
    assert result.is_default


def test_nearest_is_deterministic_and_respects_k_and_region() -> None:
    matrix = _random_matrix(seed=4)
    first = nearest(matrix, "E06000005", k=7, same_region=True)
    again = nearest(matrix, "E06000005", k=7, same_region=True)
    assert first == again
    region = matrix.la("E06000005").region_code
    assert len(first.neighbours) == 7
    assert all(n.area.region_code == region for n in first.neighbours)
    in_region = sum(1 for la in matrix.las if la.region_code == region) - 1
    everything = nearest(matrix, "E06000005", k=50, same_region=True)
    assert len(everything.neighbours) == in_region


def test_nearest_reports_missing_values_and_leaves_out_las_with_nothing_shared() -> None:
    matrix = _matrix(
        {
            "E06000001": {"a": 0.0, "b": 0.0},
            "E06000002": {"a": 1.0},
            "E06000003": {"b": 2.0, "c": 1.0},
            "E06000004": {"c": 3.0},
        }
    )
    result = nearest(matrix, "E06000001", ["a", "b", "c"], k=10)
    assert result.area_missing == ("c",)
    by_code = {n.area.code: n for n in result.neighbours}
    assert by_code["E06000002"].missing == ("b", "c")
    assert [la.code for la in result.excluded] == ["E06000004"]
    assert "E06000004" not in by_code
    payload = result.as_json()
    assert payload["missing"]["area"] == ["c"]
    assert payload["missing"]["excluded"] == ["E06000004"]


def test_contributions_explain_the_distance() -> None:
    matrix = _random_matrix(missing=0.0)
    result = nearest(matrix, "E06000000", ["i1", "i2", "i3"], [1, 1, 2], k=3)
    for n in result.neighbours:
        shares = [c.share for c in n.contributions]
        assert sum(s for s in shares if s is not None) == pytest.approx(1.0)
        weights = np.array([0.25, 0.25, 0.5])
        z = np.array([c.z_difference for c in n.contributions], dtype=float)
        assert n.distance == pytest.approx(math.sqrt(float((weights * z * z).sum())))


@pytest.mark.parametrize(
    ("indicators", "weights", "k", "message"),
    [
        (["nope"], None, 10, "Unknown indicator"),
        (["i1", "i1"], None, 10, "more than once"),
        (["i1", "i2"], [1.0], 10, "weight"),
        (["i1", "i2"], [1.0, -1.0], 10, "zero or more"),
        (["i1", "i2"], [0.0, 0.0], 10, "above zero"),
        (["i1"], [math.inf], 10, "finite"),
        (None, None, 0, "between 1 and 50"),
        (None, None, 51, "between 1 and 50"),
    ],
)
def test_bad_choices_are_refused(
    indicators: list[str] | None, weights: list[float] | None, k: int, message: str
) -> None:
    matrix = _random_matrix()
    with pytest.raises(InvalidInput, match=message):
        nearest(matrix, "E06000001", indicators, weights, k)


def test_area_without_any_chosen_value_is_refused() -> None:
    matrix = _matrix({"E06000001": {"a": 1.0}, "E06000002": {"a": 2.0, "b": 1.0}})
    with pytest.raises(InvalidInput, match="no value"):
        nearest(matrix, "E06000001", ["b"])


def test_zero_weight_indicator_does_not_move_the_ranking() -> None:
    matrix = _random_matrix(missing=0.0)
    with_zero = nearest(matrix, "E06000003", ["i1", "i2"], [1.0, 0.0], k=10)
    alone = nearest(matrix, "E06000003", ["i1"], k=10)
    assert [n.area.code for n in with_zero.neighbours] == [n.area.code for n in alone.neighbours]


def test_dfe_overlap_counts_shared_neighbours() -> None:
    matrix = _matrix({f"E0600000{i}": {"a": float(i)} for i in range(1, 6)})
    # By 'a' alone, 1's two nearest are 2 and 3.
    assert dfe_overlap(matrix, {"E06000001": ["E06000002", "E06000003"]}) == 1.0
    assert dfe_overlap(matrix, {"E06000001": ["E06000002", "E06000005"]}) == 0.5


# Ranks ---------------------------------------------------------------------------------------


def test_ranks_follow_polarity_and_share_ties() -> None:
    values = {"a": 10.0, "b": 30.0, "c": 20.0, "d": 30.0}
    assert rank_values(values, "higher_is_better") == {"a": 4, "b": 1, "c": 3, "d": 1}
    assert rank_values(values, "lower_is_better") == {"a": 1, "b": 3, "c": 2, "d": 3}
    assert rank_values(values, "neutral") == {"a": 4, "b": 1, "c": 3, "d": 1}


def test_quartiles() -> None:
    assert [quartile(r, 8) for r in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert quartile(1, 153) == 1 and quartile(153, 153) == 4
    with pytest.raises(ValueError, match="nothing ranked"):
        quartile(1, 0)


# Compare helpers -----------------------------------------------------------------------------


def test_parse_codes_accepts_commas_and_repeats_without_duplicates() -> None:
    assert compare.parse_codes(["e08000012, E08000003", "E08000012", "", None]) == [
        "E08000012",
        "E08000003",
    ]


@pytest.mark.parametrize("n", [0, 1, 7])
def test_count_outside_two_to_six_is_refused(n: int) -> None:
    with pytest.raises(InvalidInput, match="between 2 and 6"):
        compare.check_count([f"E0600000{i}" for i in range(n)])


def test_find_las_by_code_name_part_and_spelling() -> None:
    matrix = _matrix({"E06000001": {"a": 1.0}, "E06000002": {"a": 2.0}, "E06000010": {"a": 3.0}})
    assert [la.code for la in compare.find_las(matrix, "e06000002")] == ["E06000002"]
    assert [la.code for la in compare.find_las(matrix, "la 10")] == ["E06000010"]
    assert {la.code for la in compare.find_las(matrix, "LA")} == set(matrix.row)
    assert compare.find_las(matrix, "  ") == []
    assert compare.find_las(matrix, "zzzz") == []


def test_bar_chart_places_bars_in_proportion_and_marks_england() -> None:
    matrix = _matrix({"E06000001": {"a": 10.0}, "E06000002": {"a": 20.0}})
    areas = list(matrix.las)
    chart = compare_chart.bar_chart("c", matrix.indicator("a"), areas, [10.0, None], 40.0)
    assert chart.bars[0].width == pytest.approx(compare_chart.CHART_BAR_SPACE / 4)
    assert chart.bars[1].value is None and chart.bars[1].width == 0
    assert chart.reference_x == pytest.approx(compare_chart.CHART_BAR_SPACE)
    assert chart.reference_anchor == "end"
    assert chart.height > max(b.y for b in chart.bars)


def test_bar_chart_handles_negative_values() -> None:
    matrix = _matrix({"E06000001": {"a": -5.0}, "E06000002": {"a": 15.0}})
    chart = compare_chart.bar_chart(
        "c", matrix.indicator("a"), list(matrix.las), [-5.0, 15.0], None
    )
    negative, positive = chart.bars
    assert negative.x + negative.width == pytest.approx(chart.zero_x)
    assert positive.x == pytest.approx(chart.zero_x)
    assert positive.width == pytest.approx(3 * negative.width)
    assert chart.reference_x is None
