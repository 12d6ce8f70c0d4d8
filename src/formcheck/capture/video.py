"""Frame sources: video files and cameras behind one iteration interface (OpenCV).

A source yields `Frame`s: upright BGR images (phone rotation metadata already applied) with integer
millisecond timestamps that strictly increase, because MediaPipe's VIDEO mode rejects anything else.
Files take timestamps from the container; cameras from a monotonic clock.
`open_video` checks a file up front so that bad input fails with one clear `InputError` line.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.quiet import native_stderr_silenced

T = TypeVar("T")

# Frames larger than this (longest side, px) are downscaled before inference; landmarks stay in
# original-frame pixels because the model returns normalised coordinates. 1280 keeps 720p untouched.
DEFAULT_MAX_SIDE = 1280

# Leading bytes of still-image formats FFmpeg would happily open as a one-frame "video".
_IMAGE_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


@dataclass(frozen=True)
class VideoInfo:
    """What a source is: frame rate, upright size and the rotation that was applied to get there.

    `frame_count` and `duration_ms` are what the container claims (0 for a camera); the frames actually
    decoded may be fewer when a file is truncated.
    """

    path: str
    fps: float
    frame_count: int
    width: int  # upright, after rotation
    height: int
    rotation_deg: int  # container rotation metadata (OpenCV's CAP_PROP_ORIENTATION_META), 0/90/180/270
    duration_ms: int

    def looks_truncated(self, decoded: int) -> bool:
        """True when `decoded` frames are clearly fewer than the container claims (2% slack)."""
        claimed = self.frame_count
        return claimed > 0 and decoded < claimed - max(1, claimed // 50)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"VideoInfo.fps: expected a positive frame rate, got {self.fps}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"VideoInfo: expected a positive size, got {self.width}x{self.height}")
        if self.frame_count < 0 or self.duration_ms < 0:
            raise ValueError(f"VideoInfo: expected non-negative frame_count and duration_ms, got "
                             f"{self.frame_count} and {self.duration_ms}")
        if self.rotation_deg not in (0, 90, 180, 270):
            raise ValueError(f"VideoInfo.rotation_deg: expected 0, 90, 180 or 270, got {self.rotation_deg}")


@dataclass(frozen=True)
class Frame:
    """One decoded frame: upright BGR `image` (h, w, 3) uint8 shown at `t_ms`."""

    index: int
    t_ms: int
    image: np.ndarray

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(f"Frame.image: expected (h, w, 3) uint8, got {self.image.shape} "
                             f"{self.image.dtype}")


@dataclass
class ReadStats:
    """What the last pass over a source met: frames decoded and timestamps nudged forward."""

    decoded: int = 0
    nudged: int = 0  # timestamps the container repeated or sent backwards, moved to previous + 1 ms


@dataclass(frozen=True)
class _Primed:
    """An open capture positioned after its first frame, handed from the probe to the first pass."""

    capture: cv2.VideoCapture
    first: np.ndarray
    first_ms: float


class FrameSource(Protocol):
    """Anything that yields upright frames with strictly increasing timestamps."""

    @property
    def info(self) -> VideoInfo: ...

    def __iter__(self) -> Iterator[Frame]: ...


class _Clock:
    """Turns raw timestamps into strictly increasing integer milliseconds, counting the nudges."""

    def __init__(self, stats: ReadStats) -> None:
        self._last: int | None = None
        self._stats = stats

    def __call__(self, raw_ms: float) -> int:
        t = round(raw_ms) if math.isfinite(raw_ms) else (self._last or 0)
        if self._last is not None and t <= self._last:
            t = self._last + 1
            self._stats.nudged += 1
        self._last = t
        return t


@contextmanager
def quiet_opencv() -> Iterator[None]:
    """Keep OpenCV's and FFmpeg's log lines off stderr while probing input: errors are ours to report.

    FFmpeg's level is read from the environment once, before OpenCV's first capture, so a caller's
    own OPENCV_FFMPEG_LOGLEVEL wins; OpenCV's log level is restored on exit.
    """
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def _open_capture(target: str | int) -> cv2.VideoCapture:
    with quiet_opencv():
        capture = cv2.VideoCapture(target)
        if capture.isOpened():
            capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return capture


class FileSource:
    """A video file; each iteration decodes it from the start. `stats` describes the last pass.

    The first pass reuses the capture `open_video` probed with (and the frame it decoded), so checking
    a file up front costs no second open or decode.
    """

    def __init__(self, info: VideoInfo, primed: _Primed | None = None) -> None:
        self._info = info
        self._primed = primed
        self.stats = ReadStats()

    @property
    def info(self) -> VideoInfo:
        return self._info

    def __iter__(self) -> Iterator[Frame]:
        self.stats = ReadStats()
        clock = _Clock(self.stats)
        primed, self._primed = self._primed, None
        capture = primed.capture if primed else _open_capture(self._info.path)
        try:
            if primed:
                self.stats.decoded += 1
                yield Frame(0, clock(primed.first_ms), primed.first)
            while True:
                ok, image = capture.read()
                if not ok or image is None:
                    return
                self.stats.decoded += 1
                yield Frame(self.stats.decoded - 1, clock(capture.get(cv2.CAP_PROP_POS_MSEC)), image)
        finally:
            capture.release()

    def close(self) -> None:
        """Release the probe's capture if no pass has used it (a pass releases its own)."""
        if self._primed:
            self._primed.capture.release()
            self._primed = None

    @property
    def truncated(self) -> bool:
        """True when the last full pass decoded clearly fewer frames than the container claims."""
        return self._info.looks_truncated(self.stats.decoded)


def _reject_path(path: Path) -> None:
    """Raise InputError for paths that cannot be a video before OpenCV sees them."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a video file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: is empty (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(16)
    for signature, kind in _IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            raise InputError(f"{path}: is a still image ({kind}), expected a video")
    if head[8:12] == b"WEBP":
        raise InputError(f"{path}: is a still image (WebP), expected a video")


def _unopenable(path: Path) -> InputError:
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":  # an MP4/MOV whose index (moov) is missing: cut short while copying
        return InputError(f"{path}: cannot be decoded (truncated or corrupt MP4/MOV file)")
    return InputError(f"{path}: not a video (OpenCV cannot open it)")


def open_video(path: str | Path) -> FileSource:
    """Check a video file and describe it; raises InputError with one clear line when it is unusable."""
    path = Path(path)
    _reject_path(path)
    with native_stderr_silenced():  # FFmpeg may have started logging before quiet_opencv could ask
        capture = _open_capture(str(path))
        try:
            fps, count, rotation = _probe(path, capture)
            ok, first = capture.read()
            first_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
        except BaseException:
            capture.release()
            raise
    if not ok or first is None:
        capture.release()
        if count == 0:
            raise InputError(f"{path}: contains no video frames")
        raise InputError(f"{path}: cannot be decoded (no frame could be read; truncated or corrupt?)")
    height, width = first.shape[:2]  # the decoded frame is upright whatever the properties say
    duration_ms = round(count * 1000.0 / fps)
    info = VideoInfo(str(path), float(fps), count, width, height, rotation, duration_ms)
    return FileSource(info, _Primed(capture, first, first_ms))


def _probe(path: Path, capture: cv2.VideoCapture) -> tuple[float, int, int]:
    """Frame rate, claimed frame count and rotation of an opened capture; InputError if unusable."""
    if not capture.isOpened():
        raise _unopenable(path)
    if capture.get(cv2.CAP_PROP_FRAME_WIDTH) <= 0:
        raise InputError(f"{path}: has no video stream")
    fps = capture.get(cv2.CAP_PROP_FPS)
    if not (math.isfinite(fps) and fps > 0):
        raise InputError(f"{path}: has no usable frame rate (container reports {fps})")
    count = max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT)))
    return fps, count, int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360


class CameraSource:
    """A live camera; timestamps come from a monotonic clock. Iterate until `close()` or the feed ends."""

    NOMINAL_FPS = 30.0  # used only when the driver reports no rate; timestamps stay real either way

    def __init__(self, index: int = 0) -> None:
        with native_stderr_silenced():  # drivers probing absent devices log to stderr
            self._capture = _open_capture(index)
            ok, first = (self._capture.read() if self._capture.isOpened() else (False, None))
        if not ok or first is None:
            self._capture.release()
            raise InputError(f"camera {index}: not available (no camera at this index, or it is busy)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        fps = float(fps) if math.isfinite(fps) and fps > 0 else self.NOMINAL_FPS
        height, width = first.shape[:2]
        self._info = VideoInfo(f"camera:{index}", fps, 0, width, height, 0, 0)
        self._closed = False
        self.stats = ReadStats()

    @property
    def info(self) -> VideoInfo:
        return self._info

    def __iter__(self) -> Iterator[Frame]:
        clock = _Clock(self.stats)
        start = time.monotonic()
        while not self._closed:
            ok, image = self._capture.read()
            if not ok or image is None:
                return
            self.stats.decoded += 1
            yield Frame(self.stats.decoded - 1, clock((time.monotonic() - start) * 1000.0), image)

    def close(self) -> None:
        """Stop iteration and release the device."""
        self._closed = True
        self._capture.release()

    def __enter__(self) -> CameraSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def inference_image(image: np.ndarray, max_side: int = DEFAULT_MAX_SIDE) -> np.ndarray:
    """The RGB image a pose model should see: `image` (BGR) downscaled so its longest side <= max_side.

    Models return normalised coordinates, so multiplying them by the original width and height maps
    them back onto the original frame whatever scale was used here.
    """
    if max_side <= 0:
        raise ValueError(f"max_side: expected a positive number of pixels, got {max_side}")
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


_DONE = object()


def prefetch(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Iterate `items` in a background thread, `depth` ahead, so decoding overlaps the consumer's work.

    OpenCV releases the GIL while decoding, so a decode thread runs beside inference on another core.
    Exceptions raised while producing are re-raised in the consumer; stopping early stops the thread.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    iterator = iter(items)

    def produce() -> None:
        try:
            for item in iterator:
                if stop.is_set():
                    return
                buffer.put(item)
            buffer.put(_DONE)
        except Exception as exc:  # handed to the consumer, which re-raises it
            buffer.put(exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator over a capture releases it now, not at garbage collection

    worker = threading.Thread(target=produce, name="formcheck-prefetch", daemon=True)
    worker.start()
    try:
        while (item := buffer.get()) is not _DONE:
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full buffer
            with suppress(queue.Empty):
                buffer.get(timeout=0.05)
        worker.join()
