"""Shared fixtures: small synthetic videos written with OpenCV, the real clips, the pose model."""

from __future__ import annotations

import hashlib
import itertools
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints

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

    `make_video(name="clip.mp4", frames=12, size=(160, 90), fps=25.0, rotate90=False, images=None)`;
    `.mp4` uses mp4v, `.avi` uses MJPG (whose header survives truncation). `images` (BGR, all one size)
    replaces the generated marker frames. `rotate90` marks the MP4 as filmed sideways, like a phone:
    players (and OpenCV) turn the stored picture 90° counter-clockwise to show it.
    """

    def make(name: str = "clip.mp4", frames: int = 12, size: tuple[int, int] = (160, 90),
             fps: float = 25.0, rotate90: bool = False, images: list[np.ndarray] | None = None) -> Path:
        path = tmp_path / name
        if images is not None:
            size = (images[0].shape[1], images[0].shape[0])
        fourcc = "MJPG" if path.suffix == ".avi" else "mp4v"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
        if not writer.isOpened():
            raise AssertionError(f"OpenCV cannot write {fourcc} video here")
        for image in images if images is not None else (_marker_frame(i, *size) for i in range(frames)):
            writer.write(image)
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
    from formcheck.pose.models import ensure_model

    return ensure_model("full")


@pytest.fixture(scope="session")
def real_track(real_videos: Path, pose_model: Path) -> Callable[[str], Keypoints]:
    """Factory: the pose keypoints of a real clip by stem (e.g. "bridge_studio"), extracted once per run."""
    from formcheck.pose.estimator import track_video

    cache: dict[str, Keypoints] = {}

    def get(stem: str) -> Keypoints:
        if stem not in cache:
            cache[stem] = track_video(real_videos / f"{stem}.mp4", model=pose_model)
        return cache[stem]

    return get


# Sports2D's BSD-3-Clause demo clip (1768x994, 30 fps, 230 frames): a man on a box facing the camera
# (frames ~15-80), then a woman walking side-on from right to left, her left side to the camera
# (~frames 100-200). Fetched from its pinned PyPI wheel on first use and cached, never committed.
SPORTS2D_WHEEL = "sports2d-0.8.34-py3-none-any.whl"
SPORTS2D_WHEEL_SHA256 = "733b6db70742636ae9c35d870c22bd416582f579abd5881bee93a14bb0e2655d"
SPORTS2D_DEMO_SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"
TEST_ASSETS = REPO_ROOT / ".cache" / "test-assets"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def sports2d_demo() -> Path:
    """Sports2D's demo.mp4, verified by sha256; skips the test when PyPI cannot be reached."""
    target = TEST_ASSETS / "sports2d_demo.mp4"
    if target.is_file() and _sha256(target) == SPORTS2D_DEMO_SHA256:
        return target
    TEST_ASSETS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
             "sports2d==0.8.34", "--dest", tmp], capture_output=True, text=True, timeout=600)
        wheel = Path(tmp) / SPORTS2D_WHEEL
        if done.returncode != 0 or not wheel.is_file():
            pytest.skip(f"cannot fetch the Sports2D wheel: {done.stderr.strip()[-200:]}")
        assert _sha256(wheel) == SPORTS2D_WHEEL_SHA256, "the pinned Sports2D wheel changed"
        partial = target.with_suffix(".partial")
        with zipfile.ZipFile(wheel) as archive:
            partial.write_bytes(archive.read("Sports2D/Demo/demo.mp4"))
    assert _sha256(partial) == SPORTS2D_DEMO_SHA256, "the Sports2D demo clip changed"
    partial.replace(target)
    return target


@pytest.fixture(scope="session")
def sports2d_segment(sports2d_demo: Path, pose_model: Path) -> Callable[[int, int, int], Keypoints]:
    """Factory: the track of demo frames [start, stop) with `num_poses` people sought, cached per run."""
    from formcheck.capture.video import open_video
    from formcheck.pose.estimator import PoseEstimator

    cache: dict[tuple[int, int, int], Keypoints] = {}

    def get(start: int, stop: int, num_poses: int) -> Keypoints:
        key = (start, stop, num_poses)
        if key not in cache:
            source = open_video(sports2d_demo)
            with PoseEstimator(pose_model, num_poses=num_poses) as estimator:
                poses = [estimator.process(frame) for frame in itertools.islice(source, start, stop)]
            cache[key] = Keypoints.concat(poses)
        return cache[key]

    return get
