"""annotated.mp4: same frame count and fps as the input, atomic, codec fallbacks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.report.annotated_video import AnnotatedVideoWriter, render_annotated_video
from formcheck.report.annotated_video import _ffmpeg_with_x264 as ffmpeg_with_x264
from formcheck.report.timeline import OverlayTimeline

CODECS = ["auto", "mp4v", pytest.param("ffmpeg", marks=pytest.mark.skipif(
    ffmpeg_with_x264() is None, reason="no ffmpeg with libx264 on PATH"))]


def _count(path) -> tuple[int, float]:
    capture = cv2.VideoCapture(str(path))
    n = 0
    while capture.grab():
        n += 1
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return n, fps


def _frames(path):
    capture = cv2.VideoCapture(str(path))
    while True:
        ok, image = capture.read()
        if not ok:
            break
        yield image
    capture.release()


def _timeline(analysis, track_factory) -> OverlayTimeline:
    drawn = track_factory(analysis)
    return OverlayTimeline(analysis, drawn.joints, drawn.pose, drawn.plate_radius)


@pytest.mark.slow
@pytest.mark.parametrize("codec", CODECS)
def test_render_keeps_frame_count_and_fps(tmp_path, analysis_factory, track_factory, clip_factory, codec):
    analysis = analysis_factory()
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    out = tmp_path / "annotated.mp4"
    result = render_annotated_video(_frames(clip), _timeline(analysis, track_factory), analysis.source.fps,
                                    (320, 240), out, codec=codec)
    assert result.frames == analysis.source.frames
    n, fps = _count(result.path)
    assert n == analysis.source.frames and fps == pytest.approx(analysis.source.fps, abs=0.01)
    assert result.codec in ("avc1", "ffmpeg", "mp4v") and result.note.startswith("annotated.mp4: ")
    drawn = {i: image for i, image in enumerate(_frames(result.path)) if i in (5, 35)}
    assert np.abs(drawn[35][-4, 2].astype(int) - (40, 170, 255)).max() < 60  # rep 1's amber cue stripe
    assert drawn[5][-4, 2].mean() > 150  # before any cue: the clip's own bright cell, no banner
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "in.mp4"]


@pytest.mark.parametrize("codec", CODECS)
def test_writer_raising_midway_leaves_no_file(tmp_path, codec):
    out = tmp_path / "annotated.mp4"
    with pytest.raises(RuntimeError, match="decoder died"), \
            AnnotatedVideoWriter(out, 30.0, (64, 48), codec) as w:
        for i in range(5):
            w.write(np.full((48, 64, 3), i * 40, np.uint8))
        raise RuntimeError("decoder died")
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_wrong_frame_size(tmp_path):
    with AnnotatedVideoWriter(tmp_path / "a.mp4", 30.0, (64, 48), "mp4v") as writer, \
            pytest.raises(ValueError, match=r"expected a uint8 image of shape \(48, 64, 3\)"):
        writer.write(np.zeros((48, 63, 3), np.uint8))


def test_unknown_codec_lists_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="expected one of \\('auto', 'avc1', 'ffmpeg', 'mp4v'\\)"):
        AnnotatedVideoWriter(tmp_path / "a.mp4", 30.0, (64, 48), "h265")


def test_too_many_frames_is_an_error_and_leaves_no_file(tmp_path, analysis_factory, track_factory):
    analysis = analysis_factory()
    frames = (np.zeros((240, 320, 3), np.uint8) for _ in range(analysis.source.frames + 1))
    with pytest.raises(ValueError, match="expected 200 frames"):
        render_annotated_video(frames, _timeline(analysis, track_factory), 30.0, (320, 240),
                               tmp_path / "annotated.mp4", "mp4v")
    assert list(tmp_path.iterdir()) == []
