"""Shared fixtures: small synthetic videos written with OpenCV, the real clips, the pose model."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.landmarks import PoseTrack

REPO_ROOT = Path(__file__).resolve().parents[1]
# Real side-view clips beside the repository (not committed; absent on a user's clone).
REAL_VIDEOS = REPO_ROOT / ".." / "shared" / "real_videos"

# tkhd display matrix (16.16 fixed point a, b, u, c, d, v, x, y, w) rotating the picture by 90 degrees,
# as FFmpeg writes it for `-metadata:s:v rotate=90`.
_ROTATE_90_MATRIX = struct.pack(">9i", 0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000)

MakeVideo = Callable[..., Path]


def _marker_frame(i: int, width: int, height: int) -> np.ndarray:
    """A frame whose top rows are green and left columns red, so orientation can be checked."""
    image = np.full((height, width, 3), min(255, 8 * i), np.uint8)
    image[: height // 8] = (0, 255, 0)
    image[:, : width // 8] = (0, 0, 255)
    return image


def _rotate_mp4(path: Path) -> None:
    """Mark an OpenCV-written MP4 as filmed rotated, like a phone does, by patching its track header."""
    data = bytearray(path.read_bytes())
    tkhd = data.find(b"tkhd")
    if tkhd < 0 or data[tkhd + 4] != 0:
        raise AssertionError("expected a version-0 tkhd box in the MP4 written by OpenCV")
    data[tkhd + 44: tkhd + 80] = _ROTATE_90_MATRIX  # matrix follows 40 bytes of header fields
    path.write_bytes(bytes(data))


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """Factory: write a synthetic clip into tmp_path and return its path.

    `make_video(name="clip.mp4", frames=12, size=(160, 90), fps=25.0, rotate90=False)`; `.mp4` uses mp4v,
    `.avi` uses MJPG (whose header survives truncation).
    """

    def make(name: str = "clip.mp4", frames: int = 12, size: tuple[int, int] = (160, 90),
             fps: float = 25.0, rotate90: bool = False) -> Path:
        path = tmp_path / name
        fourcc = "MJPG" if path.suffix == ".avi" else "mp4v"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
        if not writer.isOpened():
            raise AssertionError(f"OpenCV cannot write {fourcc} video here")
        for i in range(frames):
            writer.write(_marker_frame(i, *size))
        writer.release()
        if rotate90:
            _rotate_mp4(path)
        return path

    return make


@pytest.fixture(scope="session")
def real_videos() -> Path:
    """The folder of real side-view clips; skips the test when it is absent."""
    if not (REAL_VIDEOS / "bridge_studio.mp4").is_file():
        pytest.skip(f"real clips not found in {REAL_VIDEOS}")
    return REAL_VIDEOS.resolve()


@pytest.fixture(scope="session")
def pose_model() -> Path:
    """The verified full pose model, provisioned (offline build) on first use."""
    from formcheck.models import ensure_model

    return ensure_model("full")


@pytest.fixture(scope="session")
def real_track(real_videos: Path, pose_model: Path) -> Callable[[str], PoseTrack]:
    """Factory: the landmark track of a real clip by stem (e.g. "bridge_studio"), extracted once per run."""
    from formcheck.pose import track_video

    cache: dict[str, PoseTrack] = {}

    def get(stem: str) -> PoseTrack:
        if stem not in cache:
            cache[stem] = track_video(real_videos / f"{stem}.mp4", model=pose_model)
        return cache[stem]

    return get
