"""Keypoints: the one record body points travel in. Shapes, slicing by frame and point, adding points,
and the round trip through .npz."""

import numpy as np
import pytest

from formcheck.body.keypoints import CHANNELS, Keypoints, load_keypoints, save_keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.errors import InputError

NAMES = ("shoulder", "hip", "knee")


def _points(frames: int = 3, world: bool = False) -> Keypoints:
    rng = np.random.default_rng(frames)
    return Keypoints(np.arange(frames) * 33, rng.uniform(0, 640, (frames, 3, 2)),
                     rng.uniform(0, 1, (frames, 3)), NAMES,
                     rng.normal(size=(frames, 3, 3)) if world else None)


def test_points_and_frames_are_read_by_name_and_index():
    kp = _points(4)
    np.testing.assert_array_equal(kp.xy_of("hip"), kp.xy[:, 1])
    np.testing.assert_array_equal(kp.conf_of("knee"), kp.confidence[:, 2])
    one = kp[2]
    assert len(one) == 1 and one.t_ms.tolist() == [66]
    assert kp[1:3].t_ms.tolist() == [33, 66]
    assert kp[np.array([0, 3])].t_ms.tolist() == [0, 99]


def test_unknown_point_lists_the_valid_names():
    with pytest.raises(KeyError, match="no point 'ankle'; expected one of shoulder, hip, knee"):
        _points().xy_of("ankle")


def test_select_reorders_and_renames():
    kp = _points(2, world=True).select(["knee", "shoulder"], ["a", "b"])
    assert kp.names == ("a", "b")
    assert kp.world is not None and kp.world.shape == (2, 2, 3)


def test_with_point_replaces_or_appends():
    kp = _points(2)
    moved = kp.with_point("hip", np.zeros((2, 2)), np.ones(2))
    assert moved.names == NAMES and np.all(moved.xy_of("hip") == 0)
    assert np.all(kp.xy_of("hip") != 0), "the original is left unchanged"
    more = kp.with_point("bar", np.full((2, 2), 5.0), np.full(2, 0.5))
    assert more.names == (*NAMES, "bar") and more.conf_of("bar").tolist() == [0.5, 0.5]


@pytest.mark.parametrize(
    ("xy", "conf", "names", "message"),
    [
        (np.zeros((2, 3, 3)), np.zeros((2, 3)), NAMES, r"xy: expected shape \(2, 3, 2\)"),
        (np.zeros((2, 3, 2)), np.zeros((2, 2)), NAMES, r"confidence: expected shape \(2, 3\)"),
        (np.zeros((2, 2, 2)), np.zeros((2, 2)), ("a", "a"), "distinct names"),
    ],
)
def test_wrong_shapes_are_refused(xy, conf, names, message):
    with pytest.raises(ValueError, match=message):
        Keypoints(np.arange(2), xy, conf, names)


def test_time_must_increase():
    with pytest.raises(ValueError, match="strictly increasing"):
        Keypoints(np.array([0, 10, 10]), np.zeros((3, 1, 2)), np.zeros((3, 1)), ("a",))


def test_found_and_detection_rate():
    seen, nobody = np.ones((3, 2)), np.full((3, 2), np.nan)
    kp = Keypoints(np.array([0, 33, 66]), np.stack([seen, nobody, seen]), np.ones((3, 3)), NAMES)
    assert kp.found.tolist() == [True, False, True]
    assert kp.detection_rate == pytest.approx(2 / 3)


def test_concat_needs_the_same_points():
    a = _points(2)
    b = Keypoints(np.array([100, 133]), np.zeros((2, 3, 2)), np.zeros((2, 3)), NAMES)
    assert len(Keypoints.concat([a, b])) == 4
    with pytest.raises(ValueError, match="same points"):
        Keypoints.concat([a, b.select(["hip"])])


def test_round_trips_through_npz(tmp_path):
    kp = Keypoints(np.array([0, 33, 66]), np.random.default_rng(1).uniform(0, 640, (3, 33, 2)),
                   np.full((3, 33), 0.5), MEDIAPIPE_NAMES, np.zeros((3, 33, 3)))
    path = tmp_path / "t.npz"
    save_keypoints(path, kp, fps=30.0, width=640, height=360)
    back = load_keypoints(path)
    assert (back.fps, back.width, back.height) == (30.0, 640, 360)
    assert back.keypoints.names == MEDIAPIPE_NAMES
    np.testing.assert_allclose(back.keypoints.xy, kp.xy, rtol=1e-6)
    assert back.keypoints.world is not None
    with np.load(path) as z:
        assert z["data"].shape == (3, 33, len(CHANNELS))


def test_load_rejects_a_foreign_file(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, something=np.zeros(3))
    with pytest.raises(InputError, match="not a formcheck keypoints file"):
        load_keypoints(bad)
