"""annotated.mp4: a streaming video writer (constant memory, encoding in a background thread).

Codec choice (`codec="auto"`), first that works:
1. `avc1` — H.264 through OpenCV's own FFmpeg, when its build has an H.264 encoder (the PyPI wheels
   usually do not);
2. `ffmpeg` — H.264 (libx264) by piping raw frames to an `ffmpeg` executable found on PATH;
3. `mp4v` — MPEG-4 Part 2 through OpenCV: always available, plays in VLC and most desktop players but
   not in every browser. `AnnotatedVideoWriter.note` says which one was used, for the report's notes.
The file is written under a temporary name and renamed only when every frame was encoded.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from formcheck.capture.video import quiet_opencv
from formcheck.quiet import native_stderr_silenced
from formcheck.report.annotators import FrameView, draw_frame
from formcheck.report.files import partial_path
from formcheck.report.timeline import OverlayTimeline

CODECS = ("auto", "avc1", "ffmpeg", "mp4v")
_DESCRIPTIONS = {
    "avc1": "H.264 (OpenCV's FFmpeg)",
    "ffmpeg": "H.264 (libx264 via the ffmpeg program)",
    "mp4v": "MPEG-4 Part 2 (mp4v), not H.264: put an ffmpeg with libx264 on PATH for H.264",
}


class _Encoder(Protocol):
    name: str

    def write(self, image: np.ndarray) -> None: ...

    def close(self) -> None: ...


class _CvEncoder:
    """OpenCV's VideoWriter with a FourCC (it releases the GIL while encoding)."""

    def __init__(self, path: Path, fourcc: str, fps: float, size: tuple[int, int]) -> None:
        self.name = fourcc
        with quiet_opencv(), native_stderr_silenced():  # FFmpeg logs failed H.264 probes natively
            self._writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, size)
        if not self._writer.isOpened():
            self._writer.release()
            path.unlink(missing_ok=True)
            raise OSError(f"OpenCV cannot encode {fourcc!r} here")

    def write(self, image: np.ndarray) -> None:
        self._writer.write(image)

    def close(self) -> None:
        self._writer.release()


@functools.cache
def _ffmpeg_with_x264() -> str | None:
    """Path of an `ffmpeg` on PATH that has the libx264 encoder, else None."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        return None
    try:
        listing = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                 timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if "libx264" in listing else None


class _FfmpegEncoder:
    """Raw BGR frames piped to `ffmpeg -c:v libx264` (a separate process: encoding costs no GIL)."""

    name = "ffmpeg"

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        exe = _ffmpeg_with_x264()
        if exe is None:
            raise OSError("no ffmpeg with libx264 on PATH")
        rate = Fraction(fps).limit_denominator(1001)
        cmd = [exe, "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
               "-s", f"{size[0]}x{size[1]}", "-framerate", f"{rate.numerator}/{rate.denominator}", "-i", "-",
               "-an", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",  # yuv420p needs even sizes
               # ultrafast: about 5 ms of one core per 720p frame. Two threads: analyze encodes after pose
               # tracking has finished, so the second core is free (1926 frames at 640x360: 4.67 s -> 4.21 s)
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-threads", "2",
               "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        # below inference's priority: on a busy machine the video should wait, not the pose
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no setpriority on Windows
            os.setpriority(os.PRIO_PROCESS, self._proc.pid, 5)

    def write(self, image: np.ndarray) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(np.ascontiguousarray(image).data)

    def close(self) -> None:
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        stderr = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
        if self._proc.wait() != 0:
            raise OSError(f"ffmpeg failed (exit {self._proc.returncode}): {stderr.strip()[-300:]}")


def open_encoder(path: Path, fps: float, size: tuple[int, int], codec: str = "auto") -> _Encoder:
    """The first encoder of `codec`'s preference list that opens (see the module docstring)."""
    if codec not in CODECS:
        raise ValueError(f"codec: expected one of {CODECS}, got {codec!r}")
    order = ("avc1", "ffmpeg", "mp4v") if codec == "auto" else (codec,)
    failures = []
    for name in order:
        try:
            return _FfmpegEncoder(path, fps, size) if name == "ffmpeg" else _CvEncoder(path, name, fps, size)
        except OSError as exc:
            failures.append(f"{name}: {exc}")
    raise OSError(f"no video encoder could be opened ({'; '.join(failures)})")


_STOP = object()


class AnnotatedVideoWriter:
    """Write BGR frames one at a time; `close()` publishes the file, an exception inside `with` drops it.

    Frames are queued (at most `depth`, so memory stays constant) and encoded in a background thread.
    The writer owns each array it is given: do not modify a frame after `write`.
    """

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int], codec: str = "auto",
                 depth: int = 8) -> None:
        if not fps > 0 or min(size) <= 0:
            raise ValueError(f"AnnotatedVideoWriter: expected fps > 0 and a positive size, got {fps}, {size}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.size = (int(size[0]), int(size[1]))
        self._tmp = partial_path(self.path)
        self._encoder = open_encoder(self._tmp, float(fps), self.size, codec)
        self.codec = self._encoder.name
        self.frames = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode, name="formcheck-video-writer", daemon=True)
        self._thread.start()

    @property
    def note(self) -> str:
        """One line for the report: which codec the video was written with."""
        return f"{self.path.name}: {_DESCRIPTIONS[self.codec]}"

    def _encode(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            if self._error is None:
                image: np.ndarray
                view: FrameView | None
                image, view = item  # type: ignore[misc]
                try:
                    self._encoder.write(image if view is None else draw_frame(image, view))
                except Exception as exc:  # handed to the producer at its next write/close
                    self._error = exc

    def write(self, image: np.ndarray, view: FrameView | None = None) -> None:
        """Queue one frame; it must be (height, width, 3) uint8 BGR of the writer's size.

        With `view`, it is drawn on `image` in the writer's thread, off the caller's loop.
        """
        expected = (self.size[1], self.size[0], 3)
        if image.shape != expected or image.dtype != np.uint8:
            raise ValueError(f"AnnotatedVideoWriter.write: expected a uint8 image of shape {expected}, "
                             f"got {image.dtype} {image.shape}")
        if self._error is not None:
            raise OSError(f"video encoding failed: {self._error}") from self._error
        self._queue.put((image, view))
        self.frames += 1

    def _finish_thread(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    def close(self) -> Path:
        """Encode what is queued, finalise the file and rename it to `path`."""
        try:
            self._finish_thread()
            self._encoder.close()
            if self._error is not None:
                raise OSError(f"video encoding failed: {self._error}") from self._error
            os.replace(self._tmp, self.path)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        return self.path

    def abort(self) -> None:
        """Stop and delete the partial file; the final name is left untouched."""
        self._finish_thread()
        with contextlib.suppress(OSError):
            self._encoder.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


@dataclass(frozen=True)
class RenderResult:
    """What `render_annotated_video` wrote."""

    path: Path
    frames: int
    codec: str
    note: str


def render_annotated_video(frames: Iterable[np.ndarray], timeline: OverlayTimeline, fps: float,
                           size: tuple[int, int], path: str | Path, codec: str = "auto") -> RenderResult:
    """Draw every frame of the clip as `timeline` says and write annotated.mp4 (same frame count and fps).
    Frames are drawn on in place: a caller that wants one undrawn takes it before handing it over."""
    with AnnotatedVideoWriter(path, fps, size, codec) as writer:
        for i, image in enumerate(frames):
            if i >= len(timeline):
                raise ValueError(f"render_annotated_video: expected {len(timeline)} frames (the analysis), "
                                 "got more")
            writer.write(image, timeline.state(i))
    return RenderResult(writer.path, writer.frames, writer.codec, writer.note)
