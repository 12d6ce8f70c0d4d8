"""The tracking pass's frame stage: which looks the pose model gets at a frame, painted or not, with a fake
pose model and a fake plate tracker (the real ones are exercised in tests/plate and the engine tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.capture.video import Frame
from formcheck.flows.tracking import BACK_FRAMES, FrameStage, TrackingOptions, observe_frames
from formcheck.plate.finder import PlateSearch
from formcheck.plate.track import PlateReading

PLATE = PlateReading(32.0, 24.0, 10.0, 0.9)


def _pose(t_ms: int, found: bool) -> Keypoints:
    xy = np.full((1, len(MEDIAPIPE_NAMES), 2), 5.0 if found else np.nan)
    return Keypoints([t_ms], xy, np.full(xy.shape[:2], 0.9 if found else 0.0), MEDIAPIPE_NAMES)


@dataclass
class FakeModel:
    """Finds the lifter on a painted look (the frame's centre pixel changed) or a plain one, as told; records
    the time and kind of each look."""

    finds_painted: bool = True
    finds_plain: bool = True
    looks: list[tuple[int, str]] = field(default_factory=list)

    def process(self, frame: Frame, prepared: object | None = None) -> Keypoints:
        painted = bool(frame.image[24, 32, 0] != 100)
        self.looks.append((frame.t_ms, "painted" if painted else "plain"))
        return _pose(frame.t_ms, self.finds_painted if painted else self.finds_plain)

    def close(self) -> None:
        pass


@dataclass
class FakePlates:
    """A plate tracker that follows the plate (`near`) or finds it around the body (`with_body`) as told."""

    near_finds: bool = False
    body_finds: bool = False
    on_the_hips: bool = True
    search: PlateSearch = field(default_factory=PlateSearch)

    def near(self, image: np.ndarray) -> PlateReading | None:
        return PLATE if self.near_finds else None

    def with_body(self, image: np.ndarray, pose: Keypoints) -> PlateReading | None:
        return PLATE if self.body_finds else None

    def still_on_the_hips(self, reading: PlateReading, pose: Keypoints) -> bool:
        return self.on_the_hips


def _stage(monkeypatch: pytest.MonkeyPatch, model: FakeModel, plates: FakePlates) -> FrameStage:
    monkeypatch.setattr("formcheck.pose.estimator.PoseEstimator", lambda *a, **k: model)
    stage = FrameStage(TrackingOptions(model=__file__))  # type: ignore[arg-type]
    stage.plates = plates  # type: ignore[assignment]
    return stage


def _frame(index: int, t_ms: int) -> Frame:
    # a disc of 100 grey where the plate is: painting it out changes the centre pixel
    image = np.full((48, 64, 3), 180, np.uint8)
    image[14:35, 22:43] = 100
    return Frame(index, t_ms, image)


@pytest.mark.parametrize(("plates", "model", "looks", "painted", "found", "plate"), [
    # followed: one painted look
    (FakePlates(near_finds=True), FakeModel(), ["painted"], True, True, True),
    # followed, but the paint took the lifter with the plate: a second, plain look finds them
    (FakePlates(near_finds=True), FakeModel(finds_painted=False), ["painted", "plain"], False, True, True),
    # ... and when neither look finds anybody, the plate is still reported
    (FakePlates(near_finds=True), FakeModel(False, False), ["painted", "plain"], False, False, True),
    # not followed, none found: one plain look
    (FakePlates(), FakeModel(), ["plain"], False, True, False),
    # found around the body after the plain look: a second, painted look
    (FakePlates(body_finds=True), FakeModel(), ["plain", "painted"], True, True, True),
    # found around where the lifter was (the model found nobody): the painted look finds them
    (FakePlates(body_finds=True), FakeModel(finds_plain=False), ["plain", "painted"], True, True, True),
    # the painted look finds nobody: the plain look's pose stays
    (FakePlates(body_finds=True), FakeModel(finds_painted=False), ["plain", "painted"], False, True, True),
    # the body found on the second look says the disc is off the hips: no plate
    (FakePlates(body_finds=True, on_the_hips=False), FakeModel(), ["plain", "painted"], True, True, False),
])
def test_the_looks_the_model_gets(monkeypatch, plates, model, looks, painted, found, plate):
    stage = _stage(monkeypatch, model, plates)
    observation = stage.process(_frame(3, 100))
    assert [kind for _, kind in model.looks] == looks
    assert observation.painted is painted
    assert bool(observation.pose.found[0]) is found
    assert (observation.plate is not None) is plate
    assert observation.t_ms == 100 and observation.index == 3


def test_second_looks_keep_the_models_clock_increasing(monkeypatch):
    """VIDEO mode refuses a time it has seen: a second look is fed a millisecond later, and so is a next frame
    that would collide with it; every pose keeps its own frame's time."""
    model = FakeModel(finds_painted=False)
    stage = _stage(monkeypatch, model, FakePlates(near_finds=True))
    observations = [stage.process(_frame(i, t)) for i, t in enumerate([0, 1, 2, 40])]
    fed = [t for t, _ in model.looks]
    assert fed == [0, 1, 2, 3, 4, 5, 40, 41]
    assert [o.t_ms for o in observations] == [0, 1, 2, 40]


def test_without_plates_the_model_gets_one_plain_look(monkeypatch):
    model = FakeModel()
    monkeypatch.setattr("formcheck.pose.estimator.PoseEstimator", lambda *a, **k: model)
    stage = FrameStage(TrackingOptions(model=__file__, plates=False))  # type: ignore[arg-type]
    observation = stage.process(_frame(0, 7))
    assert model.looks == [(7, "plain")] and observation.plate is None and not observation.painted



def _disc_frame(index: int) -> Frame:
    """A 640x360 frame with a dark plate of radius 40 px on a light wall, rising 3 px a frame."""
    image = np.full((360, 640, 3), 180, np.uint8)
    cv2.circle(image, (320 * 16, (250 - 3 * index) * 16), 40 * 16, (30, 30, 30), -1, cv2.LINE_AA, shift=4)
    return Frame(index, index * 33, image)


@dataclass
class LatePlates(FakePlates):
    """Finds the plate of `_disc_frame` from frame `first` on (a plate confirmed only after a while)."""

    first: int = 0
    frame: int = -1

    def near(self, image: np.ndarray) -> PlateReading | None:
        self.frame += 1
        return PlateReading(320.0, 250.0 - 3 * self.frame, 40.0, 0.9) if self.frame >= self.first else None


def test_a_plate_confirmed_late_is_followed_back_through_the_frames_before(monkeypatch):
    first = 20
    stage = _stage(monkeypatch, FakeModel(), LatePlates(first=first))
    observations = list(observe_frames((_disc_frame(i) for i in range(first + 10)), stage))
    assert [o.index for o in observations] == list(range(first + 10))
    assert first < BACK_FRAMES
    for i, o in enumerate(observations):
        assert o.plate is not None, i
        # read back on frames held at BACK_SIDE px: within a pixel of the frame's own scale
        assert abs(o.plate.y - (250 - 3 * i)) < 2.0 and abs(o.plate.x - 320) < 2.0 and o.plate.radius == 40.0
        assert o.painted is (i >= first)  # the frames before were seen by the model as they were


def test_a_plate_is_followed_back_only_as_far_as_it_is_seen(monkeypatch):
    """Frames with nothing at the plate's place (before it was put on the bar) gain nothing."""
    first, blank = 20, 8
    stage = _stage(monkeypatch, FakeModel(), LatePlates(first=first))
    frames = (Frame(i, i * 33, np.full((360, 640, 3), 180, np.uint8)) if i < blank else _disc_frame(i)
              for i in range(first + 5))
    observations = list(observe_frames(frames, stage))
    assert [o.plate is not None for o in observations] == [False] * blank + [True] * (first + 5 - blank)
