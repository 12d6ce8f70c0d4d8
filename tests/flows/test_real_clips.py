"""Real footage: two real glute bridges filmed from the side, held in the coached head position (chin tucked,
a clear gap between chin and chest). formcheck must count their reps and give no chin cue."""

from __future__ import annotations

import pytest

from formcheck.flows.offline import PipelineOptions, analyse_video
from formcheck.rules import load_rule_pack

CHIN_CUES = {"chin_lifted", "chin_crushed"}
# stem: reps and the tops read off the clip's hip-height trace (its README); physioplus holds one rep
REAL = {"bridge_studio": (5, [18, 65, 112, 160, 208]), "bridge_physioplus": (1, None)}


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(REAL))
def test_real_bridges_count_their_reps_and_get_no_chin_cue(real_videos, pose_model, stem):
    count, tops = REAL[stem]
    result = analyse_video(real_videos / f"{stem}.mp4", PipelineOptions(pose_model, load_rule_pack()))
    analysis = result.analysis
    assert analysis.view.is_side_view
    assert len(analysis.reps) == count
    if tops:
        assert all(abs(v.rep.lockout_frame - top) <= 4 for v, top in zip(analysis.reps, tops, strict=True))
    given = {cue.id for verdict in analysis.reps for cue in verdict.cues} | {c.id for c in analysis.set_cues}
    assert not given & CHIN_CUES, given
    necks = [v.rep.metrics["neck_flexion_deg"].value for v in analysis.reps]
    assert all(n is not None and 0.0 <= n <= 75.0 for n in necks), necks  # read inside the cue thresholds
