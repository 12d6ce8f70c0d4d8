"""What validation counts as an abstention at a rep: a metric it could not read, or a rep it did not judge."""

from __future__ import annotations

import pytest

from formcheck.records import MetricValue, RepSummary
from formcheck.rules import load_rule_pack
from formcheck.validate.run import blind_cues

GOOD = {"knee_angle_deg": 90.0, "shin_from_vertical_deg": 0.0, "hip_extension_deg": 180.0,
        "neck_flexion_deg": 35.0, "pelvic_tilt_deg": 12.0}


def rep(concentric_s: float = 1.0, **values: float | None) -> RepSummary:
    metrics = {k: MetricValue(None, reason="hidden") if values.get(k, v) is None
               else MetricValue(float(values.get(k, v)), 0.9) for k, v in GOOD.items()}  # type: ignore[arg-type]
    return RepSummary(index=1, start_frame=0, lockout_frame=10, end_frame=25, metrics=metrics,
                      concentric_s=concentric_s, hold_s=0.6, eccentric_s=1.5)


@pytest.mark.parametrize(("made", "blind"), [
    (rep(), set()),
    (rep(neck_flexion_deg=None), {"chin_lifted", "chin_crushed"}),
    (rep(hip_extension_deg=300.0), "every"),  # not judged: a folded landmark
    (rep(concentric_s=0.05), "every"),  # not judged: a glitch, not a rep
])
def test_blind_cues(made: RepSummary, blind: set[str] | str) -> None:
    pack = load_rule_pack()
    got = blind_cues(made, pack)
    if blind == "every":
        assert {"feet_too_far", "incomplete_lockout", "chin_crushed"} <= got
    else:
        assert got >= blind and not got & {"feet_too_far", "incomplete_lockout"}
