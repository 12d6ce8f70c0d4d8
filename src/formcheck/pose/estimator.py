"""MediaPipe pose adapter: frames in, `Keypoints` out. The only module that imports mediapipe.

Frames are processed in VIDEO mode (in order, synchronously), which lets the model follow the body from
frame to frame; live use feeds it the newest camera frame the same way. Landmarks come back normalised to
the image the model saw, so they are mapped to pixels of the original upright frame by its width and
height, whatever downscaling `inference_image` applied.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, Landmark
from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, Frame, inference_image, open_video, prefetch
from formcheck.errors import InputError, ModelError
from formcheck.quiet import native_stderr_silenced

Progress = Callable[[Keypoints], None]

# With several people in view, a candidate whose landmark box is at least this share of the largest
# box may win on being closest to the person chosen in the previous frame (a spotter walking past
# should not steal the track; a lifter briefly occluded should not lose it).
SAME_PERSON_MIN_AREA_RATIO = 0.5


def _person(t_ms: int, width: int, height: int, image_landmarks: Sequence,
            world_landmarks: Sequence) -> Keypoints:
    """One detected person as one frame of `Keypoints` in original-frame pixels."""
    normalised = np.array([(p.x, p.y, p.visibility or 0.0) for p in image_landmarks], dtype=float)
    world = np.array([(p.x, p.y, p.z) for p in world_landmarks], dtype=float)
    xy = normalised[:, 0:2] * (width, height)
    return Keypoints(np.array([t_ms]), xy[None], normalised[None, :, 2], MEDIAPIPE_NAMES, world[None])


def nobody(t_ms: int) -> Keypoints:
    """One frame in which no person was found."""
    return Keypoints.empty([t_ms], MEDIAPIPE_NAMES, world=True)


def _bbox_area(xy: np.ndarray) -> float:
    extent = xy.max(axis=0) - xy.min(axis=0)
    return float(extent[0] * extent[1])


def _hip_centre(xy: np.ndarray) -> np.ndarray:
    return xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=0)


def choose_person(candidates: Sequence[np.ndarray], previous_centre: np.ndarray | None = None) -> int:
    """Index of the lifter among several people's (33, 2) pixel landmarks.

    The largest body wins, unless another body nearly as large (see SAME_PERSON_MIN_AREA_RATIO) sits
    closer to where the lifter's hips were in the previous frame: the track follows one person.
    """
    if not candidates:
        raise ValueError("choose_person: expected at least one candidate, got none")
    areas = np.array([_bbox_area(xy) for xy in candidates])
    if previous_centre is None or len(candidates) == 1:
        return int(np.argmax(areas))
    eligible = np.flatnonzero(areas >= SAME_PERSON_MIN_AREA_RATIO * areas.max())
    distances = [float(np.linalg.norm(_hip_centre(candidates[i]) - previous_centre)) for i in eligible]
    return int(eligible[int(np.argmin(distances))])


class PoseEstimator:
    """A MediaPipe PoseLandmarker (VIDEO mode) for one stream of frames; use as a context manager.

    `process(frame)` returns that frame's `Keypoints` (timestamps must increase).
    """

    def __init__(self, model: str | Path, *, num_poses: int = 1, max_side: int = DEFAULT_MAX_SIDE,
                 min_detection_confidence: float = 0.5, min_presence_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        if num_poses < 1:
            raise ValueError(f"PoseEstimator.num_poses: expected >= 1, got {num_poses}")
        self.max_side = max_side
        self._previous_centre: np.ndarray | None = None
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        self._landmarker = _create_landmarker(Path(model), options)
        self._warm = False

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the model (quietly: the runtime logs its teardown too), and hand the memory it freed
        back to the system."""
        with native_stderr_silenced():
            self._landmarker.close()
        _return_freed_memory()

    def process(self, frame: Frame, rgb: np.ndarray | mp.Image | None = None) -> Keypoints:
        """Landmarks for `frame`.

        `rgb` is the frame's model input if already prepared (e.g. in a decode thread): its
        `inference_image`, or that wrapped by `prepare_image`, which also moves MediaPipe's copy of the
        pixels off this thread.
        """
        if isinstance(rgb, mp.Image):
            image = rgb
        else:
            image = _mp_image(rgb if rgb is not None else inference_image(frame.image, self.max_side))
        if self._warm:
            result = self._landmarker.detect_for_video(image, frame.t_ms)
        else:  # the first inference logs native warnings nobody can act on
            with native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, frame.t_ms)
            self._warm = True
        height, width = frame.image.shape[:2]
        if not result.pose_landmarks:
            return nobody(frame.t_ms)
        people = [_person(frame.t_ms, width, height, image_lms, world_lms)
                  for image_lms, world_lms in zip(result.pose_landmarks, result.pose_world_landmarks,
                                                  strict=True)]
        chosen = choose_person([p.xy[0] for p in people], self._previous_centre)
        self._previous_centre = _hip_centre(people[chosen].xy[0])
        return people[chosen]


def _mp_image(rgb: np.ndarray) -> mp.Image:
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


def prepare_image(frame: Frame, max_side: int = DEFAULT_MAX_SIDE) -> mp.Image:
    """The model input for `frame` (downscaled, RGB, copied into MediaPipe), ready for `process`.

    Safe to call from another thread: building it there keeps ~1 ms per 720p frame off inference.
    """
    return _mp_image(inference_image(frame.image, max_side))


def _create_landmarker(model: Path, options: vision.PoseLandmarkerOptions) -> vision.PoseLandmarker:
    """Load the model, turning MediaPipe's failures into a one-line ModelError."""
    if not model.is_file():
        raise ModelError(f"{model}: pose model not found (run `formcheck models` to provision it)")
    try:
        with native_stderr_silenced():
            return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{model}: MediaPipe cannot load this pose model ({first_line})") from exc


def iter_poses(frames: Iterable[Frame], estimator: PoseEstimator) -> Iterator[tuple[Frame, Keypoints]]:
    """Each frame with its landmarks; decoding and image preparation run a thread ahead."""
    prepared = ((frame, prepare_image(frame, estimator.max_side)) for frame in frames)
    for frame, image in prefetch(prepared):
        yield frame, estimator.process(frame, image)


def track_video(video: FileSource | str | Path, *, model: str | Path, max_side: int = DEFAULT_MAX_SIDE,
                num_poses: int = 1, progress: Progress | None = None) -> Keypoints:
    """Landmarks for every frame of a video file, NaN where nobody was found (one landmarker, one core).

    Decoding and image preparation run in a background thread, overlapping inference.
    """
    source = video if isinstance(video, FileSource) else open_video(video)
    frames: list[Keypoints] = []
    with PoseEstimator(model, num_poses=num_poses, max_side=max_side) as estimator:
        for _frame, pose in iter_poses(source, estimator):
            frames.append(pose)
            if progress is not None:
                progress(pose)
    if not frames:
        raise InputError(f"{source.info.path}: no frame could be decoded")
    return Keypoints.concat(frames)


def _return_freed_memory() -> None:
    """Ask glibc to give freed heap back to the system (a no-op elsewhere). A closed landmarker leaves
    its memory fragmented: a tracking worker that runs one stretch after another grew by ~15 MiB per
    landmarker without this, so a 5-minute video peaked higher than a 1-minute one; with it, it stays flat."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
