"""Re-judging stored reps goes through the engine's own `judge`: the same cues, and no score when nothing was
measured."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.flows.engine import judge
from formcheck.history.convert import rep_summaries
from formcheck.records import FrameSeries, SourceInfo, ViewEstimate
from formcheck.rules import load_rule_pack
from set_records import rep_row

SERIES = FrameSeries(np.zeros(0, np.int64), {}, {}, np.zeros(0, object), np.zeros(0, int))
SOURCE = SourceInfo("set.mp4", 30.0, 300, 640, 360)
VIEW = ViewEstimate("left", True, 0.97)
UNMEASURED = {"knee": None, "hip": None, "neck": None, "shin": None}


@pytest.mark.parametrize(("rows", "scored", "cues"), [
    ((rep_row(1), rep_row(2)), True, []),
    ((rep_row(1, neck=-20.0), rep_row(2, **UNMEASURED)), True, ["chin_lifted"]),
    ((rep_row(1, **UNMEASURED), rep_row(2, **UNMEASURED)), False, []),
    ((), False, []),
], ids=["good", "one-measured-chin-lifted", "none-measured", "no-reps"])
def test_stored_reps_are_judged_as_the_engine_judges_them(rows, scored, cues):
    analysis = judge(SERIES, rep_summaries(rows), VIEW, load_rule_pack(), SOURCE, ("a note",))
    assert (analysis.score is not None) == scored
    assert [c.id for v in analysis.reps for c in v.cues] == cues
    assert len(analysis.reps) == len(rows) and analysis.notes == ("a note",)
