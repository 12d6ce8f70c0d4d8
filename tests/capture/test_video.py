"""Frame sources: up-front validation, container timestamps, rotation, inference scaling, prefetching."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.capture.video import (
    CameraSource,
    Frame,
    ReadStats,
    VideoInfo,
    _Clock,
    inference_image,
    open_video,
    prefetch,
)
from formcheck.errors import InputError


def _missing(tmp_path: Path, make_video) -> Path:
    return tmp_path / "nope.mp4"


def _directory(tmp_path: Path, make_video) -> Path:
    (tmp_path / "clips.mp4").mkdir()
    return tmp_path / "clips.mp4"


def _zero_bytes(tmp_path: Path, make_video) -> Path:
    (tmp_path / "empty.mp4").touch()
    return tmp_path / "empty.mp4"


def _text_named_mp4(tmp_path: Path, make_video) -> Path:
    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n")
    return tmp_path / "notes.mp4"


def _png(tmp_path: Path, make_video) -> Path:
    cv2.imwrite(str(tmp_path / "photo.png"), np.zeros((40, 60, 3), np.uint8))
    return tmp_path / "photo.png"


def _jpeg_named_mp4(tmp_path: Path, make_video) -> Path:
    _, data = cv2.imencode(".jpg", np.zeros((40, 60, 3), np.uint8))
    (tmp_path / "photo.mp4").write_bytes(data.tobytes())
    return tmp_path / "photo.mp4"


def _truncated_mp4(tmp_path: Path, make_video) -> Path:
    path = make_video("cut.mp4", frames=20)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # OpenCV writes the index last: it is cut off
    return path


def _no_frames(tmp_path: Path, make_video) -> Path:
    return make_video("none.avi", frames=0)


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (_missing, "no such file"),
        (_directory, "is a directory"),
        (_zero_bytes, r"is empty \(0 bytes\)"),
        (_text_named_mp4, "not a video"),
        (_png, r"still image \(PNG\)"),
        (_jpeg_named_mp4, r"still image \(JPEG\)"),
        (_truncated_mp4, "cannot be decoded"),
        (_no_frames, "contains no video frames"),
    ],
)
def test_open_video_rejects_bad_input_with_one_line(tmp_path, make_video, make_bad, message):
    path = make_bad(tmp_path, make_video)
    with pytest.raises(InputError, match=message) as caught:
        open_video(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path))


def test_open_video_describes_a_clip(make_video):
    source = open_video(make_video(frames=12, size=(160, 90), fps=25.0))
    info = source.info
    assert (info.width, info.height, info.frame_count, info.rotation_deg) == (160, 90, 12, 0)
    assert info.fps == pytest.approx(25.0)
    assert info.duration_ms == 480


def test_frames_have_container_timestamps_strictly_increasing(make_video):
    source = open_video(make_video(frames=12, fps=25.0))
    frames = list(source)
    assert [f.index for f in frames] == list(range(12))
    assert [f.t_ms for f in frames] == [40 * i for i in range(12)]
    assert source.stats.decoded == 12 and source.stats.nudged == 0
    assert not source.truncated
    assert len(list(source)) == 12  # a file source can be read again from the start


def test_a_closed_source_still_reads_from_the_start(make_video):
    source = open_video(make_video(frames=5))
    source.close()  # drops the probe's capture; a pass opens its own
    assert [f.index for f in source] == [0, 1, 2, 3, 4]
    assert [f.t_ms for f in source] == [0, 40, 80, 120, 160]


def test_fractional_frame_rate_is_kept_as_float(make_video):
    source = open_video(make_video(frames=6, fps=30000 / 1001))
    assert source.info.fps == pytest.approx(29.97, abs=0.01)
    t = [f.t_ms for f in source]
    assert t == [round(i * 1001 / 30) for i in range(6)]


def test_rotation_metadata_is_applied(make_video):
    source = open_video(make_video("phone.mp4", frames=3, size=(160, 90), rotate90=True))
    info = source.info
    assert info.rotation_deg in (90, 270)
    assert (info.width, info.height) == (90, 160)
    image = next(iter(source)).image
    assert image.shape == (160, 90, 3)
    # The green band along the top of the stored picture now runs down one side.
    top_band_columns = np.where((image[:, :, 1] > 200) & (image[:, :, 2] < 50))[1]
    assert top_band_columns.size > 0
    assert top_band_columns.max() - top_band_columns.min() < 90 // 4


def test_truncated_file_decodes_what_it_can_and_says_so(make_video):
    path = make_video("cut.avi", frames=20)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    source = open_video(path)
    frames = list(source)
    assert 0 < len(frames) < 20
    assert source.truncated


@pytest.mark.parametrize(
    ("raw", "expected", "nudged"),
    [
        ([0.0, 33.3, 66.7, 100.0], [0, 33, 67, 100], 0),
        ([0.0, 40.0, 40.0, 80.0], [0, 40, 41, 80], 1),
        ([0.0, 40.0, 20.0, 30.0], [0, 40, 41, 42], 2),
        ([0.0, 0.4, 0.6], [0, 1, 2], 2),
    ],
)
def test_clock_forces_strictly_increasing_milliseconds(raw, expected, nudged):
    stats = ReadStats()
    clock = _Clock(stats)
    assert [clock(r) for r in raw] == expected
    assert stats.nudged == nudged


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [((1920, 1080), 1280, (1280, 720)), ((640, 360), 1280, (640, 360)), ((1080, 1920), 960, (540, 960))],
)
def test_inference_image_downscales_huge_frames_to_rgb(size, max_side, expected):
    image = np.zeros((size[1], size[0], 3), np.uint8)
    image[..., 0] = 255  # blue in BGR
    out = inference_image(image, max_side)
    assert (out.shape[1], out.shape[0]) == expected
    assert out[0, 0].tolist() == [0, 0, 255]  # blue in RGB


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("fps", 0.0, "positive frame rate"), ("fps", float("nan"), "positive frame rate"),
     ("width", 0, "positive size"), ("rotation_deg", 45, "0, 90, 180 or 270")],
)
def test_video_info_validates(field, value, message):
    fields = dict(path="x.mp4", fps=30.0, frame_count=10, width=64, height=48, rotation_deg=0,
                  duration_ms=333)
    fields[field] = value
    with pytest.raises(ValueError, match=message):
        VideoInfo(**fields)


def test_frame_rejects_grey_images():
    with pytest.raises(ValueError, match=r"expected \(h, w, 3\) uint8"):
        Frame(0, 0, np.zeros((4, 4), np.uint8))


def test_prefetch_keeps_order_and_reraises_errors():
    assert list(prefetch(range(50), depth=3)) == list(range(50))

    def failing():
        yield 1
        raise ValueError("decoder broke")

    with pytest.raises(ValueError, match="decoder broke"):
        list(prefetch(failing()))


def test_prefetch_stops_its_thread_when_the_consumer_stops():
    before = threading.active_count()
    for item in prefetch(iter(range(1000)), depth=2):
        if item == 3:
            break
    assert threading.active_count() == before


def test_missing_camera_is_input_error():
    with pytest.raises(InputError, match="camera 97: not available"):
        CameraSource(97)
