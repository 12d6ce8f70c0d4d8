"""`formcheck landmarks`: bad input exits 2 with one stderr line; real clips give a saved track."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.body.keypoints import load_keypoints
from formcheck.cli import main


def _truncated(tmp_path: Path, make_video) -> Path:
    path = make_video("cut.mp4", frames=20)
    path.write_bytes(path.read_bytes()[:1500])
    return path


def _text(tmp_path: Path, make_video) -> Path:
    (tmp_path / "notes.mp4").write_text("not a video")
    return tmp_path / "notes.mp4"


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (lambda tmp_path, make_video: tmp_path / "missing.mp4", "no such file"),
        (lambda tmp_path, make_video: tmp_path, "is a directory"),
        (_text, "not a video"),
        (_truncated, "cannot be decoded"),
        (lambda tmp_path, make_video: make_video("none.avi", frames=0), "contains no video frames"),
    ],
    ids=["missing", "directory", "text", "truncated", "no-frames"],
)
def test_bad_video_exits_2_with_one_line(tmp_path, make_video, capfd, make_bad, message):
    path = make_bad(tmp_path, make_video)
    assert main(["landmarks", str(path), "-o", str(tmp_path / "out.npz")]) == 2
    out, err = capfd.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err  # nothing from OpenCV or FFmpeg either
    assert err.startswith("formcheck: error: ") and message in err
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--max-side", "8"], "--max-side"), (["--num-poses", "0"], "--num-poses"),
     (["--model", "big.onnx"], "--model"), (["-o", "/nonexistent-dir/t.npz"], "output folder")],
)
def test_bad_options_exit_2(make_video, capfd, extra, message):
    assert main(["landmarks", str(make_video()), *extra]) == 2
    err = capfd.readouterr().err
    assert len(err.splitlines()) == 1 and message in err


def test_bad_input_in_a_real_process_shows_no_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "formcheck", "landmarks", str(tmp_path / "gone.mov")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"formcheck: error: {tmp_path / 'gone.mov'}: no such file"]


@pytest.mark.slow
def test_real_clip_writes_track_and_summary(real_videos, pose_model, tmp_path, capfd):
    output = tmp_path / "track.npz"
    assert main(["landmarks", str(real_videos / "bridge_physioplus.mp4"), "-o", str(output)]) == 0
    out, err = capfd.readouterr()
    track = load_keypoints(output).keypoints
    assert len(track) == 91 and track.detection_rate >= 0.95
    assert np.all(np.diff(track.t_ms) > 0)
    assert "91 frames" in out and "right side faces the camera" in out
    assert err == ""  # no native MediaPipe chatter, no progress bar when stderr is not a terminal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["track.npz"]  # no partial file left


@pytest.mark.slow
def test_truncated_but_decodable_file_is_processed_with_a_note(make_video, pose_model, tmp_path, capfd):
    path = make_video("cut.avi", frames=20)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert main(["landmarks", str(path), "-o", str(tmp_path / "t.npz")]) == 0
    out, err = capfd.readouterr()
    assert "looks truncated" in err and len(err.splitlines()) == 1
    assert "no view estimate without a person" in out
    assert 0 < len(load_keypoints(tmp_path / "t.npz").keypoints) < 20
