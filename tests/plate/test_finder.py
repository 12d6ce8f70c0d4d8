"""Plate finding and tracking on drawn frames: a dark disc in front of a stick body, moving up and down."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES, Joints
from formcheck.plate.finder import PlateSearch, PlateTrack, body_scale, track_plate

RADIUS = 62.0


def _pose(i: int) -> dict[str, np.ndarray]:
    """A stick lifter whose hips rise and fall over the clip (image px, y down)."""
    lift = 40.0 * np.sin(i / 6.0) ** 2
    return {"shoulder": np.array([200.0, 200.0]), "hip": np.array([320.0, 215.0 - lift]),
            "knee": np.array([420.0, 190.0]), "ankle": np.array([425.0, 300.0]),
            "ear": np.array([160.0, 185.0])}


def _bar(pose: dict[str, np.ndarray]) -> np.ndarray:
    return pose["hip"] + np.array([8.0, -30.0])


def _frame(i: int, plate: bool, colour: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    image = rng.integers(150, 200, (360, 640, 3), dtype=np.uint8)
    p = _pose(i)
    chain = np.array([p["ear"], p["shoulder"], p["hip"], p["knee"], p["ankle"]], np.int32)
    cv2.polylines(image, [chain], False, (90, 110, 160), 34, cv2.LINE_AA)
    if plate:
        c = _bar(p)
        cv2.circle(image, (round(c[0] * 16), round(c[1] * 16)), round(RADIUS * 16), colour, -1,
                   cv2.LINE_AA, shift=4)
        cv2.circle(image, (round(c[0]), round(c[1])), 12, (200, 200, 200), -1, cv2.LINE_AA)
    return image


def _joints(n: int) -> Joints:
    poses = [_pose(i) for i in range(n)]
    xy = {name: np.array([p.get(name, p["ankle"]) for p in poses]) for name in JOINT_NAMES}
    conf = {name: np.full(n, 0.9) for name in JOINT_NAMES}
    return Joints(np.arange(n, dtype=np.int64) * 33, "left", xy, conf)


@pytest.mark.parametrize("colour", [(30, 30, 30), (40, 40, 200), (200, 60, 20)])
def test_plate_centre_and_radius_are_found_within_a_pixel(colour: tuple[int, int, int]) -> None:
    n, rng = 20, np.random.default_rng(1)
    track = track_plate((_frame(i, True, colour, rng) for i in range(n)), _joints(n))
    assert track.found.all()
    want = np.array([_bar(_pose(i)) for i in range(n)])
    assert np.abs(track.center - want).max() < 1.0
    assert np.abs(track.radius - RADIUS).max() < 1.5
    assert (track.confidence > 0.6).all()
    assert track.covers(np.array([p["hip"] for p in map(_pose, range(n))])).all()
    assert not track.covers(np.array([p["knee"] for p in map(_pose, range(n))])).any()


def test_no_plate_gives_an_empty_track() -> None:
    n, rng = 12, np.random.default_rng(2)
    track = track_plate((_frame(i, False, (0, 0, 0), rng) for i in range(n)), _joints(n))
    assert not track.present
    assert track.confidence.tolist() == [0.0] * n


def test_short_misses_are_filled_and_marked_less_certain() -> None:
    n, rng = 20, np.random.default_rng(3)
    frames = [_frame(i, i not in (7, 8), (30, 30, 30), rng) for i in range(n)]
    track = track_plate(frames, _joints(n))
    assert track.found.all()
    assert track.confidence[7] < track.confidence[6] and track.confidence[8] < track.confidence[9]
    want = np.array([_bar(_pose(i)) for i in range(n)])
    assert np.abs(track.center[7:9] - want[7:9]).max() < 6.0


def test_body_scale_is_shoulder_knee_plus_knee_ankle() -> None:
    joints = _joints(1)
    p = _pose(0)
    want = np.linalg.norm(p["shoulder"] - p["knee"]) + np.linalg.norm(p["knee"] - p["ankle"])
    assert body_scale(joints) == pytest.approx(want)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"min_radius": 0.3, "max_radius": 0.2}, "min_radius"),
    ({"min_support": 0.0}, "min_support"),
    ({"max_gap": -1}, "max_gap"),
])
def test_plate_search_rejects_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        PlateSearch(**kwargs)


def test_plate_track_checks_shapes() -> None:
    with pytest.raises(ValueError, match="center"):
        PlateTrack(np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"0\.\.1"):
        PlateTrack(np.zeros((2, 2)), np.zeros(2), np.array([0.5, 1.5]))


def _rendered_plate_clip(side: str, yaw: float, frames: list[int]) -> tuple[list[np.ndarray], Joints,
                                                                            np.ndarray]:
    """Rendered frames of a plated clip, the true near-side joints and the true near-plate centre (px)."""
    from formcheck.synth import scene
    from formcheck.synth.clip import plan_clip, render_frame
    from formcheck.synth.params import SynthParams

    plan = plan_clip(SynthParams(plates=True, side=side, yaw_deg=yaw, reps=1, setup_s=0.2))
    images, pixels, centres = [], [], []
    out = 1.0 if side == "left" else -1.0  # the near plate is on the camera's side of the bar
    for k in frames:
        frame = render_frame(plan, k)
        images.append(frame.image)
        pixels.append(frame.pixels)
        matrices = plan.body.matrices(plan.table.at(float(plan.timeline.lift[k])))
        offset = np.array([out * (scene.COLLAR_X + scene.PLATE_THICKNESS), 0.0, 0.0])
        face = plan.body.bar_centre(matrices) + offset
        centres.append(plan.camera.project(face[None])[0][0])
    n = len(frames)
    # the renderer has no eye landmark: stand the ear in for it (plates never read the head)
    xy = {name: np.array([p.get(f"{side}_{name}", p[f"{side}_ear"]) for p in pixels]) for name in JOINT_NAMES}
    conf = {name: np.full(n, 0.9) for name in JOINT_NAMES}
    joints = Joints(np.arange(n, dtype=np.int64) * 33, side, xy, conf)
    return images, joints, np.array(centres)


@pytest.mark.slow
@pytest.mark.parametrize(("side", "yaw"), [("left", 0.0), ("right", 15.0)])
def test_plate_is_found_on_rendered_frames(side: str, yaw: float) -> None:
    images, joints, want = _rendered_plate_clip(side, yaw, list(range(0, 60, 2)))  # bottom to lockout
    track = track_plate(images, joints)
    assert track.found.all()
    assert np.linalg.norm(track.center - want, axis=1).max() < 4.0
    if yaw == 0.0:  # side-on the plate hides the hip in every frame (at 15° it slides to the rim)
        assert track.covers(joints.xy["hip"]).all()


def test_a_circle_away_from_the_hips_is_not_a_plate():
    """A round window above a lifter is no barbell plate: the bar rests on the hips, near the
    shoulder->knee segment."""
    from formcheck.plate.finder import PlateTrack, on_the_hips

    n = 3
    joints = _straight_body(n)
    near = np.array([[300.0, 205.0]] * n)  # on the segment from shoulder (200, 200) to knee (400, 210)
    far = np.array([[300.0, 40.0]] * n)  # 160 px above it
    radius = np.full(n, 60.0)
    kept = on_the_hips(PlateTrack(np.concatenate([near[:2], far[2:]]), radius, np.full(n, 0.9)), joints)
    assert kept.found.tolist() == [True, True, False]
    assert kept.confidence[2] == 0.0 and np.isnan(kept.center[2]).all()


def _straight_body(n: int):
    from formcheck.body.joints import JOINT_NAMES, Joints

    xy = {name: np.full((n, 2), np.nan) for name in JOINT_NAMES}
    xy["shoulder"] = np.tile([200.0, 200.0], (n, 1))
    xy["knee"] = np.tile([400.0, 210.0], (n, 1))
    xy["ankle"] = np.tile([400.0, 330.0], (n, 1))
    conf = {name: np.ones(n) for name in JOINT_NAMES}
    return Joints(np.arange(n, dtype=np.int64) * 33, "left", xy, conf)


def test_long_clips_are_tracked_window_by_window(monkeypatch):
    """Windows of frames give the same plate as one pass when the plate is steady, and every frame
    is read exactly once."""
    import formcheck.plate.finder as plates

    n = 12
    joints = _straight_body(n)
    image = np.full((360, 640, 3), 200, np.uint8)
    import cv2

    cv2.circle(image, (300, 205), 70, (20, 20, 20), -1)
    reads = []

    def frames():
        for i in range(n):
            reads.append(i)
            yield image

    whole = plates.track_plate(frames(), joints)
    monkeypatch.setattr(plates, "WINDOW", 5)
    reads.clear()
    windowed = plates.track_plate(frames(), joints)
    assert reads == list(range(n))
    assert whole.found.all() and windowed.found.all()
    np.testing.assert_allclose(windowed.center, whole.center, atol=1.0)
