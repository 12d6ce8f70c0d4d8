"""OverlayTimeline: rep counter, cue banner schedule and refused views."""

from __future__ import annotations

import pytest

from formcheck.records import Cue, Severity
from formcheck.report.timeline import OverlayTimeline, headline_cue


def _timeline(analysis, drawn, **kwargs) -> OverlayTimeline:
    return OverlayTimeline(analysis, drawn.joints, drawn.pose, drawn.plate_radius, **kwargs)


@pytest.mark.parametrize(
    ("frame", "reps", "cue_id"),
    [(0, 0, None), (29, 0, None), (30, 1, "feet_too_far"), (70, 1, "feet_too_far"), (89, 1, "feet_too_far"),
     (90, 2, "feet_too_far"), (150, 3, "feet_too_far"), (199, 3, "feet_too_far")],
)
def test_rep_counter_and_banner(analysis_factory, track_factory, frame, reps, cue_id):
    analysis = analysis_factory()
    timeline = _timeline(analysis, track_factory(analysis), hold_s=1.0)
    state = timeline.state(frame)
    assert state.rep_count == reps
    messages = {c.id: c.message for v in analysis.reps for c in v.cues}
    assert state.cue == (messages[cue_id] if cue_id else None)
    assert state.phase == str(analysis.series.phase[frame])
    assert state.joints is not None and state.joints.names[0] == "ear" and state.far is not None


def test_banner_ends_after_hold(analysis_factory, track_factory):
    analysis = analysis_factory(reps=1)
    timeline = _timeline(analysis, track_factory(analysis), hold_s=1.0)
    assert timeline.state(60 + 30).cue is not None  # end_frame 60 + 30 frames hold
    assert timeline.state(60 + 31).cue is None


def test_refused_view_shows_why_everywhere(analysis_factory, track_factory):
    analysis = analysis_factory(side_view=False)
    timeline = _timeline(analysis, track_factory(analysis))
    for i in (0, 100, 199):
        state = timeline.state(i)
        assert state.cue.startswith("Could not judge: the camera faces")
        assert state.cue_severity == Severity.ERROR and state.rep_count == 0


def test_rejects_track_of_other_length(analysis_factory, track_factory):
    longer = analysis_factory(n_frames=210)
    with pytest.raises(ValueError, match="expected joints, pose and plate radii of 200 frames"):
        _timeline(analysis_factory(), track_factory(longer))


@pytest.mark.parametrize(
    ("cues", "expected"),
    [((), None),
     ((Cue("a", Severity.INFO, "a"), Cue("b", Severity.ERROR, "b")), "b"),
     ((Cue("a", Severity.INFO, "a", primary=True), Cue("b", Severity.ERROR, "b")), "a")],
)
def test_headline_cue(cues, expected):
    cue = headline_cue(cues)
    assert (cue.id if cue else None) == expected
