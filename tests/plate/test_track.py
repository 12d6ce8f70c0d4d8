"""Following the plate frame by frame (causal, inside the tracking pass) and tidying its path offline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES
from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.plate.finder import PlateSearch
from formcheck.plate.track import (
    IDLE_PATIENCE,
    IDLE_STRIDE,
    IDLE_STRIDE_LONG,
    LOCK_FRAMES,
    RELOCK_FRAMES,
    UPSIZE_STRIDE,
    PlateReading,
    PlateTrack,
    PlateTracker,
    follow_back,
    refine,
    steady,
)

RADIUS = 62.0


def _body(i: int) -> dict[str, np.ndarray]:
    """A stick lifter whose hips rise and fall over the clip (image px, y down)."""
    lift = 40.0 * np.sin(i / 6.0) ** 2
    return {"shoulder": np.array([200.0, 200.0]), "hip": np.array([320.0, 215.0 - lift]),
            "knee": np.array([420.0, 190.0]), "ankle": np.array([425.0, 300.0]),
            "ear": np.array([160.0, 185.0])}


def _bar(i: int) -> np.ndarray:
    return _body(i)["hip"] + np.array([8.0, -30.0])


def _frame(i: int, plate: bool = True, rng: np.random.Generator | None = None, hub: bool = True,
           colour: tuple[int, int, int] = (30, 30, 30), shaded: bool = False) -> np.ndarray:
    # a wall with grain of a few grey levels: per-pixel colour noise of +-25 levels gives false rims (see
    # benchmarks/README.md, plate_finder.py)
    rng = rng or np.random.default_rng(i)
    image = rng.integers(165, 186, (360, 640, 3), dtype=np.uint8)
    p = _body(i)
    chain = np.array([p["ear"], p["shoulder"], p["hip"], p["knee"], p["ankle"]], np.int32)
    cv2.polylines(image, [chain], False, (90, 110, 160), 34, cv2.LINE_AA)
    if plate:
        c = _bar(i)
        cv2.circle(image, (round(c[0] * 16), round(c[1] * 16)), round(RADIUS * 16), colour, -1,
                   cv2.LINE_AA, shift=4)
        if shaded:  # lit from above, like cloth over a round glute
            ys = np.arange(image.shape[0])[:, None, None]
            disc = np.hypot(*np.meshgrid(np.arange(640) - c[0], np.arange(360) - c[1])) <= RADIUS - 1
            shade = np.clip(1.14 - 0.36 * (ys - (c[1] - RADIUS)) / (2 * RADIUS), 0.4, 1.3)
            fill = np.broadcast_to(np.clip(np.asarray(colour) * shade, 0, 255), image.shape)
            image[disc] = fill[disc].astype(np.uint8)
        if hub:
            cv2.circle(image, (round(c[0]), round(c[1])), 12, (200, 200, 200), -1, cv2.LINE_AA)
    return image


def _pose(i: int, found: bool = True) -> Keypoints:
    """One frame of MediaPipe's 33 points with both sides on the stick body (a side view); nobody when not
    `found`."""
    xy = np.full((1, len(MEDIAPIPE_NAMES), 2), np.nan)
    for name, point in _body(i).items():
        if not found:
            continue
        for side in ("left", "right"):
            xy[0, MEDIAPIPE_NAMES.index(f"{side}_{name}")] = point
    return Keypoints([i * 33], xy, np.where(np.isfinite(xy[..., 0]), 0.9, 0.0), MEDIAPIPE_NAMES)


def _follow(frames: int, plate_in: set[int] | None = None,
            seen: set[int] | None = None) -> tuple[list[PlateReading | None], list[str]]:
    """Run the tracker as the tracking pass does, the lifter found in the frames `seen` (default all);
    which path found the plate in each frame."""
    tracker, readings, paths = PlateTracker(), [], []
    for i in range(frames):
        image = _frame(i, plate=plate_in is None or i in plate_in)
        reading = tracker.near(image)
        path = "near"
        if reading is None:
            reading, path = tracker.with_body(image, _pose(i, seen is None or i in seen)), "body"
        readings.append(reading)
        paths.append(path if reading is not None else "-")
    return readings, paths


def test_plate_is_reported_within_a_pixel_once_confirmed_then_followed():
    readings, paths = _follow(30)
    # searched around the body, reported once found in LOCK_FRAMES frames in a row, then followed
    assert paths == ["-"] * (LOCK_FRAMES - 1) + ["body"] + ["near"] * (30 - LOCK_FRAMES)
    for i, reading in enumerate(readings[LOCK_FRAMES - 1:], start=LOCK_FRAMES - 1):
        assert np.hypot(*(reading.center - _bar(i))) < 1.0 and abs(reading.radius - RADIUS) < 1.5


@pytest.mark.parametrize(("seen", "found_from"), [
    (set(range(3)), LOCK_FRAMES - 1),  # the lifter found in the first frames only: searched where they were
    (set(), None),  # never found: nowhere to look
])
def test_a_plate_hiding_the_lifter_is_searched_for_where_the_lifter_was(seen, found_from):
    readings, _ = _follow(20, seen=seen)
    if found_from is None:
        assert readings == [None] * 20
    else:
        assert all(r is not None for r in readings[found_from:])


@pytest.mark.parametrize(("hub", "colour", "shaded", "reported"), [
    (True, (30, 30, 30), False, True),  # a black plate on the bar's sleeve
    (False, (30, 30, 30), False, True),  # the sleeve projected off its centre: an even face will do
    (True, (40, 190, 220), True, True),  # a shaded bumper on its sleeve
    (False, (40, 190, 220), True, False),  # a round glute in yellow shorts: shaded, nothing at its centre
    # even, but the colour of the body it lies on, so a fifth of its rim is unseen: a hub is needed (a wall
    # framed by arms and a rack, a plate on a storage tree)
    (False, (90, 110, 160), False, False),
    (True, (90, 110, 160), False, True),
])
def test_a_plate_has_a_hub_or_an_even_face_and_a_sharp_rim(hub, colour, shaded, reported):
    tracker = PlateTracker()
    readings = []
    for i in range(20):
        image = _frame(i, hub=hub, colour=colour, shaded=shaded)
        readings.append(tracker.near(image) or tracker.with_body(image, _pose(i)))
    assert any(r is not None for r in readings) is reported


def test_no_plate_gives_no_readings():
    readings, _ = _follow(12, plate_in=set())
    assert readings == [None] * 12


def test_a_lost_plate_is_found_again_around_the_body():
    frames = 40
    readings, _ = _follow(frames, plate_in=set(range(frames)) - set(range(15, 25)))
    assert all(r is None for r in readings[15:25])
    # a disc of the size already confirmed needs RELOCK_FRAMES frames in a row, searched for every
    # IDLE_STRIDE frames while nothing is seen
    assert readings[25 + RELOCK_FRAMES - 2] is None
    assert all(r is not None for r in readings[25 + IDLE_STRIDE - 1 + RELOCK_FRAMES - 1:])


def test_a_plate_free_stream_searches_less_often_but_still_finds_a_late_plate(monkeypatch):
    searched = []
    real = PlateTracker._search

    def counting(self, image, t_ms):
        searched.append(t_ms // 33)
        return real(self, image, t_ms)

    monkeypatch.setattr(PlateTracker, "_search", counting)
    late = IDLE_PATIENCE + 3 * IDLE_STRIDE_LONG + 1  # the plate put on the bar after a while
    readings, _ = _follow(late + 2 * IDLE_STRIDE_LONG + LOCK_FRAMES, plate_in=set(range(late, 200)))
    idle = [i for i in searched if i < late]
    assert idle[:IDLE_PATIENCE // IDLE_STRIDE] == list(range(0, IDLE_PATIENCE, IDLE_STRIDE))
    assert idle[IDLE_PATIENCE // IDLE_STRIDE:] == [i for i in range(IDLE_PATIENCE, late)
                                                  if i % IDLE_STRIDE_LONG == 0]
    assert all(r is None for r in readings[:late])
    # found at the first search after it appeared, then confirmed frame by frame
    assert all(r is not None for r in readings[late + IDLE_STRIDE_LONG - 1 + LOCK_FRAMES - 1:])


def test_a_circle_away_from_the_hips_is_not_a_plate():
    """A round window above a lifter is no barbell plate: the bar rests on the hips."""
    tracker = PlateTracker()
    for i in range(12):
        image = np.random.default_rng(i).integers(150, 200, (360, 640, 3), dtype=np.uint8)
        cv2.circle(image, (300, 60), 60, (20, 20, 20), -1)  # 150 px above the shoulder-knee line
        assert tracker.with_body(image, _pose(i)) is None


def test_a_circle_seen_now_and_then_is_never_followed():
    """A round thing on the hips in a few scattered frames is not confirmed as a plate, so it is never
    painted out of the frames the pose model sees."""
    _, paths = _follow(60, plate_in={i for i in range(60) if i % 3 == 0})
    assert "near" not in paths


def _joints(n: int) -> Keypoints:
    body = [_body(i) for i in range(n)]
    xy = np.stack([np.array([b.get(name, b["ankle"]) for name in JOINT_NAMES]) for b in body])
    return Keypoints(np.arange(n) * 33, xy, np.full(xy.shape[:2], 0.9), JOINT_NAMES)


def test_refine_fills_short_misses_and_drops_jumps():
    n = 20
    readings = [PlateReading(*_bar(i), RADIUS, 0.9) for i in range(n)]
    readings[7] = readings[8] = None
    readings[14] = PlateReading(*(_bar(14) + 60.0), RADIUS, 0.9)  # a jump of a radius
    track = refine(PlateTrack.from_readings(readings), _joints(n))
    assert track.found.all()
    assert track.confidence[7] < track.confidence[6]  # filled frames are less certain
    assert np.hypot(*(track.center[14] - _bar(14))) < 6.0  # the jump was dropped and filled


def test_refine_drops_a_plate_seen_too_rarely():
    n = 20
    readings = [PlateReading(*_bar(i), RADIUS, 0.9) if i < 4 else None for i in range(n)]
    assert not refine(PlateTrack.from_readings(readings), _joints(n)).present


def test_a_steady_plate_needs_no_landmarks_while_refine_keeps_it_on_the_hips():
    n = 20
    readings = [PlateReading(*(_bar(i) + 400.0), RADIUS, 0.9) for i in range(n)]  # far from the drawn body
    track = PlateTrack.from_readings(readings)
    assert steady(track).found.all()  # what vouches for a side-on camera when the landmarks were thrown off
    assert not refine(track, _joints(n)).found.any()  # measuring only takes a plate on the hips


def test_plate_track_checks_shapes() -> None:
    with pytest.raises(ValueError, match="center"):
        PlateTrack(np.zeros((3, 3)), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"0\.\.1"):
        PlateTrack(np.zeros((2, 2)), np.zeros(2), np.array([0.5, 1.5]))


@pytest.mark.parametrize(("fields", "match"), [((1.0, 2.0, 0.0, 0.5), "radius > 0"),
                                                ((1.0, 2.0, 5.0, 1.5), "support")])
def test_plate_reading_is_validated(fields, match):
    with pytest.raises(ValueError, match=match):
        PlateReading(*fields)


def test_a_smaller_disc_followed_gives_way_to_the_plate_once_it_shows():
    """A disc locked onto while the plate was not seen (here the far plate, up and to the right of the
    bar) is followed until a larger plate is confirmed around the body; the plate is followed from then."""
    small, shows = 36.0, 12

    def frame(i: int) -> np.ndarray:
        image = _frame(i, plate=i >= shows)
        far = _bar(i) + np.array([110.0, -60.0])
        cv2.circle(image, (round(far[0] * 16), round(far[1] * 16)), round(small * 16), (30, 30, 30), -1,
                   cv2.LINE_AA, shift=4)
        cv2.circle(image, (round(far[0]), round(far[1])), 7, (200, 200, 200), -1, cv2.LINE_AA)
        return image

    tracker, readings = PlateTracker(), []
    frames = shows + 2 * UPSIZE_STRIDE + LOCK_FRAMES
    for i in range(frames):
        image = frame(i)
        readings.append(tracker.near(image) or tracker.with_body(image, _pose(i)))
    first = readings[LOCK_FRAMES - 1]
    assert first is not None and abs(first.radius - small) < 2.0  # only the far disc could be seen
    taken = next(i for i, r in enumerate(readings) if r is not None and abs(r.radius - RADIUS) < 2.0)
    # looked for every UPSIZE_STRIDE frames followed, then confirmed frame by frame
    assert shows <= taken <= shows + UPSIZE_STRIDE + LOCK_FRAMES
    for i in range(taken, frames):
        assert np.hypot(*(readings[i].center - _bar(i))) < 1.0 and abs(readings[i].radius - RADIUS) < 1.5


def test_follow_back_reads_the_plate_back_until_it_is_gone():
    gone = 6  # frames before this one show no plate
    images = [cv2.resize(_frame(i, plate=i >= gone), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
              for i in range(20)]
    now = PlateReading(*_bar(20), RADIUS, 0.9)
    back = follow_back(images, now, 0.5)
    assert all(r is None for r in back[:gone])
    for i in range(gone, 20):
        assert np.hypot(*(back[i].center - _bar(i))) < 2.0 and back[i].radius == RADIUS


def test_a_disc_smaller_than_any_plate_keeps_up_with_a_fast_rise():
    """A disc locked onto while the lifter looked short (the plate hid most of them) and smaller than any
    plate for the lifter's full size is the plate's hub: it moves as far as the plate does, many of its own
    radii a frame on a fast rise, and is still followed."""
    hub, short, still, speed = 12.0, 10, 20, 7.0  # px; frames of a short lifter; at rest; px a frame up

    def centre(i: int) -> np.ndarray:
        return np.array([330.0, 200.0 - speed * max(0, i - still)])

    def pose(i: int) -> Keypoints:
        if i >= short:
            return _pose(i)
        # a short lifter: only the shoulders, hips and knees found, close together
        xy = np.full((1, len(MEDIAPIPE_NAMES), 2), np.nan)
        for joint, point in (("shoulder", (290.0, 205.0)), ("hip", (330.0, 215.0)), ("knee", (390.0, 200.0))):
            for side in ("left", "right"):
                xy[0, MEDIAPIPE_NAMES.index(f"{side}_{joint}")] = point
        return Keypoints([i * 33], xy, np.where(np.isfinite(xy[..., 0]), 0.9, 0.0), MEDIAPIPE_NAMES)

    tracker, readings = PlateTracker(), []
    for i in range(still + 10):
        image = _frame(i, plate=False)
        c = centre(i)
        cv2.circle(image, (round(c[0] * 16), round(c[1] * 16)), round(hub * 16), (30, 30, 30), -1,
                   cv2.LINE_AA, shift=4)
        reading = tracker.near(image)
        if reading is None:
            reading = tracker.with_body(image, pose(i))
        elif not tracker.still_on_the_hips(reading, pose(i)):  # as the tracking pass does
            reading = None
        readings.append(reading)
    assert readings[LOCK_FRAMES - 1] is not None
    assert speed > PlateSearch().max_jump * hub  # more than a plate of its size may move
    for i in range(LOCK_FRAMES - 1, still + 10):
        assert readings[i] is not None and np.hypot(*(readings[i].center - centre(i))) < 1.0, i
