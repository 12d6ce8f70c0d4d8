"""The registry of constants chosen from renders: every entry resolves to a value in the code."""

from __future__ import annotations

import pytest

from formcheck.measure import metrics
from formcheck.validate.constants import REGISTRY, RULES, Constant, registry_rows


def test_every_registered_constant_is_found_in_the_code() -> None:
    rows = registry_rows()
    missing = [c.name for c, value in rows if isinstance(value, str)]
    assert missing == []
    assert all(isinstance(value, int | float) for _, value in rows)


def test_values_are_read_at_run_time() -> None:
    knee = next(c for c in REGISTRY if c.name == "KNEE_LANDMARK_BIAS_DEG")
    assert knee.value() == metrics.KNEE_LANDMARK_BIAS_DEG
    assert next(c for c in REGISTRY if c.name == "BAR_REPS.min_rise").value() > 0
    assert next(c for c in REGISTRY if c.name == "chin_crushed.threshold").value() == 75.0


def test_the_issue_asks_for_at_least_these() -> None:
    names = {c.name for c in REGISTRY}
    assert {"KNEE_LANDMARK_BIAS_DEG", "SHIN_LANDMARK_BIAS_DEG", "NECK_NEUTRAL_OFFSET_DEG", "NECK_GAIN",
            "SIDE_VIEW_MAX_YAW_DEG", "PLATE_SIDE_VIEW_MIN_PRESENCE", "PlateSearch.min_radius",
            "BAR_REPS.min_rise"} <= names
    assert any(c.module == RULES for c in REGISTRY)


@pytest.mark.parametrize(("constant", "match"), [
    (Constant("NOT_THERE", "formcheck.measure.metrics", "x", "fitted", "y"), "gone"),
    (Constant("no_such_rule.threshold", RULES, "x", "article", "y"), "rules now"),
])
def test_a_renamed_constant_says_where_to_fix_the_registry(constant: Constant, match: str) -> None:
    with pytest.raises(LookupError, match=match):
        constant.value()


def test_origin_is_checked() -> None:
    with pytest.raises(ValueError, match="origin"):
        Constant("X", "m", "x", "guessed", "y")
