"""`formcheck synth`: one clip with its ground truth; bad options exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formcheck.cli import main


@pytest.mark.slow
def test_synth_writes_a_clip_and_its_ground_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clip.mp4"
    code = main(["synth", "--out", str(out), "--reps", "1", "--tempo", "0.5,0.3,0.5", "--fps", "10",
                 "--width", "320", "--height", "180", "--knee-at-top", "115", "--side", "right"])
    assert code == 0
    assert out.stat().st_size > 0
    truth = json.loads((tmp_path / "clip.gt.json").read_text(encoding="utf-8"))
    assert truth["side"] == "right"
    assert truth["expected_set_cues"] == ["feet_too_far"]
    assert len(truth["reps"]) == 1
    assert "frames/s" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["synth", "--out", "clip.avi"], "expected a .mp4"),
    (["synth", "--out", "clip.mp4", "--tempo", "1,2"], "tempo"),
    (["synth", "--out", "clip.mp4", "--knee-at-top", "300"], "knee_at_top_deg"),
    (["synth"], "expected --out"),
])
def test_bad_options_exit_2_with_one_line(argv: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
