"""`formcheck analyze` on bad input: exit 2, one line on stderr, no traceback, nothing left half-written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["analyze", *argv])
    err = capsys.readouterr().err.strip()
    return code, err


def _assert_one_line(code: int, err: str, expected: str) -> None:
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.startswith("formcheck: error:")]
    assert len(lines) == 1 and expected in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "notes.mp4", b"this is text, not a video\n"), "not a video"),
        (lambda d: _write(d / "empty.mp4", b""), "empty"),
    ],
    ids=["missing", "directory", "text-named-mp4", "zero-bytes"],
)
def test_unusable_paths_exit_2_with_one_line(tmp_path, capsys, make, expected):
    target = make(tmp_path)
    code, err = _run(capsys, str(target), "--out", str(tmp_path / "out"), "--no-video")
    _assert_one_line(code, err, expected)
    assert not (tmp_path / "out" / "report.json").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_png_is_not_a_video(tmp_path, capsys):
    import cv2

    png = tmp_path / "frame.png"
    cv2.imwrite(str(png), np.zeros((32, 32, 3), np.uint8))
    code, err = _run(capsys, str(png), "--no-video")
    _assert_one_line(code, err, "still image (PNG), expected a video")


def test_truncated_mp4_exits_2(make_video, capsys, tmp_path):
    clip = make_video("whole.mp4", frames=30)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    code, err = _run(capsys, str(cut), "--no-video")
    _assert_one_line(code, err, str(cut))


@pytest.mark.slow
def test_single_frame_exits_2(make_video, capsys, tmp_path):
    clip = make_video("one.mp4", frames=1)
    code, err = _run(capsys, str(clip), "--out", str(tmp_path / "o"), "--no-video")
    _assert_one_line(code, err, "frame")


@pytest.mark.slow
def test_video_without_a_person_exits_2(make_video, capsys, tmp_path):
    clip = make_video("nobody.mp4", frames=40, size=(320, 180))
    code, err = _run(capsys, str(clip), "--out", str(tmp_path / "o"), "--no-video", "--workers", "1")
    _assert_one_line(code, err, "person was found in only 0%")
    assert not (tmp_path / "o" / "report.json").exists()


def test_bad_rules_file_is_one_line_before_any_work(make_video, capsys, tmp_path):
    clip = make_video("clip.mp4", frames=5)
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.feet_too_far]\nmetric = "knee"\n')
    code, err = _run(capsys, str(clip), "--rules", str(rules))
    _assert_one_line(code, err, "unknown metric 'knee'")


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--out", "--model", "--rules", "--side", "--no-video"):
        assert option in out
