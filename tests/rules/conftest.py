"""Hand-made rep summaries for the rules tests: good form unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from formcheck.records import MetricValue, RepSummary, ViewEstimate
from formcheck.rules import RulePack, load_rule_pack

# Good form at lockout per docs/design.md's conventions.
GOOD_METRICS = {
    "knee_angle_deg": 90.0,
    "shin_from_vertical_deg": 0.0,
    "hip_extension_deg": 180.0,
    "neck_flexion_deg": 35.0,  # the coached tuck: head down, gaze forward over the knees
    "pelvic_tilt_deg": 12.0,
}
GOOD_TIMING = {"concentric_s": 1.0, "hold_s": 0.6, "eccentric_s": 1.5}

MakeRep = Callable[..., RepSummary]


def make_rep(index: int = 1, *, confidence: float = 0.9,
             **overrides: float | MetricValue | None) -> RepSummary:
    """A rep with good form; keyword overrides set a metric (a number, a MetricValue or None) or a timing."""
    metrics: dict[str, MetricValue] = {}
    for key, good in GOOD_METRICS.items():
        value = overrides.get(key, good)
        if isinstance(value, MetricValue):
            metrics[key] = value
        elif value is None:
            metrics[key] = MetricValue(None, reason="landmark hidden")
        else:
            metrics[key] = MetricValue(float(value), confidence)
    timing = {key: float(overrides.get(key, good)) for key, good in GOOD_TIMING.items()}
    start = 30 * index
    return RepSummary(index=index, start_frame=start, lockout_frame=start + 10, end_frame=start + 25,
                      metrics=metrics, **timing)


@pytest.fixture(name="make_rep")
def make_rep_fixture() -> MakeRep:
    return make_rep


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_rule_pack()


@pytest.fixture
def side_view() -> ViewEstimate:
    return ViewEstimate(side="left", is_side_view=True, confidence=0.95)
