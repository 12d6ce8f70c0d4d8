"""PoseFrame / PoseTrack validate shapes and round-trip through .npz."""

import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.pose.landmarks import CHANNELS, N_LANDMARKS, PoseFrame, PoseTrack


def _frame(i: int, found: bool = True) -> PoseFrame:
    if not found:
        return PoseFrame.empty(i, i * 33)
    rng = np.random.default_rng(i)
    return PoseFrame(i, i * 33, rng.uniform(0, 640, (33, 2)), rng.uniform(0, 1, 33),
                     rng.uniform(0, 1, 33), rng.normal(size=(33, 3)))


def test_track_round_trips_through_npz(tmp_path):
    frames = [_frame(0), _frame(1, found=False), _frame(2)]
    track = PoseTrack.from_frames(frames, fps=30.0, width=640, height=360)
    path = tmp_path / "t.npz"
    track.save(path)
    back = PoseTrack.load(path)
    assert back.data.shape == (3, N_LANDMARKS, len(CHANNELS))
    assert back.fps == 30.0 and (back.width, back.height) == (640, 360)
    np.testing.assert_array_equal(back.t_ms, [0, 33, 66])
    np.testing.assert_allclose(back.xy[0], frames[0].xy, rtol=1e-6)
    assert np.isnan(back.xy[1]).all()
    assert back.found.tolist() == [True, False, True]
    assert back.detection_rate == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("xy", np.zeros((33, 3))), ("visibility", np.zeros(32)), ("world", np.zeros((33, 2)))],
)
def test_frame_rejects_wrong_shapes(field, value):
    good = dict(index=0, t_ms=0, xy=np.zeros((33, 2)), visibility=np.zeros(33), presence=np.zeros(33),
                world=np.zeros((33, 3)))
    good[field] = value
    with pytest.raises(ValueError, match="expected shape"):
        PoseFrame(**good)


def test_track_rejects_non_increasing_time():
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseTrack(np.array([0, 10, 10]), np.zeros((3, 33, len(CHANNELS)), np.float32), 30.0, 64, 64)


def test_load_rejects_foreign_file(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, something=np.zeros(3))
    with pytest.raises(InputError, match="not a formcheck landmark track"):
        PoseTrack.load(bad)
