"""The tracking pass: each decoded frame once through the pose model, with the plate found on the way.

Per frame (`FrameStage.process`): when a plate is being followed, it is found near where it was and
painted out of the image the pose model sees, so the model reads the legs instead of a dark disc;
otherwise the model sees the frame as it is and the plate is searched for around the body it found (or
last found, when the plate hid the lifter). When the one look the frame got cannot have been the best (a
plate found only after it, or nobody found on the painted frame), the model looks once more, the other way.
Either way the frame is decoded once and every look happens in this one pass, in the parallel tracking
workers for files (`observe_video`) and in the loop for live use. What comes out is an `Observation` per
frame, and, for a whole clip, an `ObservedClip` (which the validation grid caches).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np

from formcheck.body.keypoints import Keypoints, load_keypoints, save_keypoints
from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, Frame, open_video, prefetch
from formcheck.errors import InputError
from formcheck.plate.finder import PlateSearch
from formcheck.plate.paint import paint_plate
from formcheck.plate.track import PlateReading, PlateTrack, PlateTracker, follow_back

Progress = Callable[[int], None]  # called with the number of frames just finished
# Bumped whenever the tracking pass changes what it observes (plate following, painting), so observations
# cached by the validation grid are made again.
TRACKING_VERSION = "7"
# Frames an observation is held back, so that a plate confirmed later can be followed back through them,
# kept at this many px on their long side.
BACK_FRAMES = 48
BACK_SIDE = 320


@dataclass(frozen=True, eq=False)
class Observation:
    """What the tracking pass saw in one frame: the pose (MediaPipe's 33 points, one frame; read from
    the painted image when `painted`) and the plate, if one was found."""

    index: int  # frame number in the source
    pose: Keypoints
    plate: PlateReading | None = None
    painted: bool = False

    def __post_init__(self) -> None:
        if len(self.pose) != 1:
            raise ValueError(f"Observation.pose: expected one frame, got {len(self.pose)}")

    @property
    def t_ms(self) -> int:
        return int(self.pose.t_ms[0])


@dataclass(frozen=True)
class TrackingOptions:
    """How to run the tracking pass: the pose model file, the largest image side it sees, plates or not."""

    model: Path
    max_side: int = DEFAULT_MAX_SIDE
    plates: bool = True  # look for a plate (and paint it out); off for `formcheck landmarks`
    num_poses: int = 1

    def __post_init__(self) -> None:
        if self.max_side < 64:
            raise ValueError(f"TrackingOptions.max_side: expected at least 64 px, got {self.max_side}")


class FrameStage:
    """One stream's tracking pass (see the module docstring); use as a context manager."""

    def __init__(self, options: TrackingOptions) -> None:
        from formcheck.pose.estimator import PoseEstimator

        self.options = options
        self.estimator = PoseEstimator(options.model, num_poses=options.num_poses, max_side=options.max_side)
        self.plates = PlateTracker() if options.plates else None
        self._fed_ms = -(2**62)  # the last time given to the pose model

    def __enter__(self) -> FrameStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.estimator.close()

    def process(self, frame: Frame, prepared: object | None = None) -> Observation:
        """The frame's observation. `prepared` is the frame's model input made ahead (e.g. in the decode
        thread by `pose.estimator.prepare_image`); it is used only when the frame is not painted."""
        if self.plates is None:
            return Observation(frame.index, self._infer(frame, prepared=prepared))
        plate = self.plates.near(frame.image)
        if plate is not None:
            pose, painted = self._infer(frame, paint_plate(frame.image, plate)), True
            if not pose.found[0]:
                # The paint can take the torso with the plate (a lifter turned toward the camera, the
                # plate over the chest); the frame as it is may still show the lifter.
                pose, painted = self._infer(frame), False
        else:
            pose, painted = self._infer(frame, prepared=prepared), False
            plate = self.plates.with_body(frame.image, pose)
            if plate is not None:
                # Found only after the model had seen the frame: around the body it found, or around where
                # the lifter was when the disc hid them from it. Look again with the plate painted out.
                second = self._infer(frame, paint_plate(frame.image, plate))
                if second.found[0]:
                    pose, painted = second, True
        if plate is not None and not self.plates.still_on_the_hips(plate, pose):
            plate = None
        return Observation(frame.index, pose, plate, painted=painted)

    def _infer(self, frame: Frame, image: np.ndarray | None = None,
               prepared: object | None = None) -> Keypoints:
        """The pose model on `frame` (or on `image`, a painted copy of it). The model's VIDEO mode wants a
        strictly increasing clock, so a second look at a frame is fed a millisecond later (and later frames
        after that); the pose keeps the frame's own time."""
        fed_ms = max(frame.t_ms, self._fed_ms + 1)
        self._fed_ms = fed_ms
        if image is None and fed_ms == frame.t_ms:
            return self.estimator.process(frame, prepared)  # type: ignore[arg-type]
        shown = Frame(frame.index, fed_ms, frame.image if image is None else image)
        pose = self.estimator.process(shown)
        return pose if fed_ms == frame.t_ms else replace(pose, t_ms=np.array([frame.t_ms]))


def observe_frames(frames: Iterable[Frame], stage: FrameStage) -> Iterator[Observation]:
    """Each frame's observation, with decoding and the model input made a thread ahead. Observations come
    out `BACK_FRAMES` frames late: when a plate is first confirmed after frames without one, it is followed
    back through those frames (kept small, `BACK_SIDE`), which gain its readings (`plate.track.follow_back`;
    the pose model saw them unpainted)."""
    from formcheck.pose.estimator import prepare_image

    prepared = ((frame, prepare_image(frame, stage.options.max_side)) for frame in frames)
    if stage.plates is None:  # nothing to follow back
        yield from (stage.process(frame, image) for frame, image in prefetch(prepared))
        return
    search = stage.plates.search
    held: deque[tuple[np.ndarray, Observation]] = deque()
    for frame, image in prefetch(prepared):
        seen = stage.process(frame, image)
        if seen.plate is not None and held and not _same_plate(held[-1][1].plate, seen.plate, search):
            _fill_back(held, seen.plate, _scale(frame.image), search)
        held.append((_small(frame.image), seen))
        if len(held) > BACK_FRAMES:
            yield held.popleft()[1]
    yield from (seen for _, seen in held)


def _scale(image: np.ndarray) -> float:
    """How much a held frame is shrunk (`BACK_SIDE`)."""
    return min(1.0, BACK_SIDE / max(image.shape[:2]))


def _small(image: np.ndarray) -> np.ndarray:
    """The frame as it is held."""
    scale = _scale(image)
    if scale >= 1.0:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _same_plate(before: PlateReading | None, reading: PlateReading, search: PlateSearch) -> bool:
    """`before` is a reading of the plate of `reading` (same size); else `reading` is of a plate just
    confirmed, after frames without one or with another disc (the plate's hub, the far plate)."""
    return before is not None and \
        abs(before.radius - reading.radius) <= search.radius_tolerance * reading.radius


def _fill_back(held: deque[tuple[np.ndarray, Observation]], reading: PlateReading, scale: float,
               search: PlateSearch) -> None:
    """Give the held frames since the last reading of the plate of `reading` that plate, followed back."""
    gap = 0
    while gap < len(held) and not _same_plate(held[-1 - gap][1].plate, reading, search):
        gap += 1
    start = len(held) - gap
    found = follow_back([held[i][0] for i in range(start, len(held))], reading, scale, search)
    for i, back in zip(range(start, len(held)), found, strict=True):
        if back is not None:  # else the frame keeps what it had: nothing, or the other disc
            held[i] = (held[i][0], replace(held[i][1], plate=back))


@dataclass(frozen=True, eq=False)
class ObservedClip:
    """A whole clip's observations as arrays: poses (frames, 33 points), the plate track, and which
    frames the model saw with the plate painted out."""

    pose: Keypoints
    plate: PlateTrack
    painted: np.ndarray  # (frames,) bool

    def __post_init__(self) -> None:
        n = len(self.pose)
        if len(self.plate) != n or self.painted.shape != (n,):
            raise ValueError(f"ObservedClip: expected a plate track and painted flags of {n} frames, got "
                             f"{len(self.plate)} and {self.painted.shape}")

    def __len__(self) -> int:
        return len(self.pose)

    def __iter__(self) -> Iterator[Observation]:
        for i in range(len(self)):
            reading = None
            if self.plate.found[i]:
                x, y = self.plate.center[i]
                reading = PlateReading(float(x), float(y), float(self.plate.radius[i]),
                                       float(self.plate.confidence[i]))
            yield Observation(i, self.pose[i], reading, bool(self.painted[i]))

    @classmethod
    def of(cls, observations: Sequence[Observation]) -> ObservedClip:
        """The clip of these observations, in order."""
        if not observations:
            raise ValueError("ObservedClip.of: expected at least one observation, got none")
        return cls(Keypoints.concat([o.pose for o in observations]),
                   PlateTrack.from_readings([o.plate for o in observations]),
                   np.array([o.painted for o in observations], bool))

    @classmethod
    def concat(cls, parts: Sequence[ObservedClip]) -> ObservedClip:
        """Clips observed one after another, joined in time."""
        if not parts:
            raise ValueError("ObservedClip.concat: expected at least one part, got none")
        plates = [p.plate for p in parts]
        return cls(Keypoints.concat([p.pose for p in parts]),
                   PlateTrack(np.concatenate([p.center for p in plates]),
                              np.concatenate([p.radius for p in plates]),
                              np.concatenate([p.confidence for p in plates])),
                   np.concatenate([p.painted for p in parts]))

    def save(self, path: str | Path, *, fps: float, width: int, height: int) -> None:
        """Write the clip (`save_keypoints` plus the plate and the painted flags) to an `.npz`."""
        save_keypoints(path, self.pose, fps=fps, width=width, height=height)
        with np.load(path) as z:
            arrays = dict(z)
        np.savez_compressed(path, **arrays, plate_center=self.plate.center, plate_radius=self.plate.radius,
                            plate_confidence=self.plate.confidence, painted=self.painted)

    @classmethod
    def load(cls, path: str | Path) -> ObservedClip:
        """Read a clip written by `save`."""
        saved = load_keypoints(path)
        try:
            with np.load(path) as z:
                plate = PlateTrack(z["plate_center"], z["plate_radius"], z["plate_confidence"])
                painted = z["painted"].astype(bool)
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(f"{path}: not a formcheck observed clip ({exc})") from exc
        return cls(saved.keypoints, plate, painted)


def observe_video(video: FileSource | str | Path, options: TrackingOptions, *, workers: int | None = None,
                  progress: Progress | None = None) -> ObservedClip:
    """Every frame of a video file observed, by up to `workers` tracking processes (see
    `pose.parallel`): the same result as one pass, sooner on a machine with more than one core."""
    # The pose adapter (MediaPipe, ~0.4 s of CPU) is imported here, before the workers fork, so they
    # inherit it instead of each importing it; importing it starts no thread (a landmarker would).
    import formcheck.pose.estimator  # noqa: F401
    from formcheck.pose.parallel import default_workers, track_parallel

    source = video if isinstance(video, FileSource) else open_video(video)
    parts = [part for part in track_parallel(source, partial(FrameStage, options), observe_frames, _pack,
                                             workers=workers or default_workers(), progress=progress)
             if part is not None]
    if not parts:
        raise InputError(f"{source.info.path}: no frame could be decoded")
    return ObservedClip.concat(parts)


def _pack(observations: list[Observation]) -> ObservedClip | None:
    """A stretch's observations as arrays (None when it decoded nothing: a truncated file)."""
    return ObservedClip.of(observations) if observations else None
