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
    (["synth", "--out", "clip.mp4", "--random", "--knee-at-top", "100", "--plates"],
     "--random draws every factor from --seed; drop --knee-at-top, --plates"),
    (["synth", "--out", "clip.mp4", "--random", "--seed", "-3"], "seed: expected an integer 0.."),
    (["synth", "--samples", "--random"], "not both"),
    (["synth", "--out", "clip.mp4", "--body", "30"], "body_id: expected 0 <= value <= 23"),
    (["synth", "--out", "clip.mp4", "--neck", "120"], "neck_deg"),
    (["synth", "--out", "clip.mp4", "--plates", "--plate-count", "5"], "plate_count"),
])
def test_bad_options_exit_2_with_one_line(argv: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1


@pytest.mark.slow
def test_synth_renders_a_randomised_clip_of_a_split(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from formcheck.synth.motion import build_timeline
    from formcheck.synth.randomize import grid

    expected = min(grid("check", 30), key=lambda c: build_timeline(c.params).frames)  # the quickest to render
    seed = expected.index
    out = tmp_path / "random.mp4"
    assert main(["synth", "--random", "--seed", str(seed), "--split", "check", "--out", str(out)]) == 0
    truth = json.loads((tmp_path / "random.gt.json").read_text(encoding="utf-8"))
    assert truth["params"] == expected.params.to_dict()
    assert truth["body"]["id"] in range(8, 24)  # a check-split body
    assert expected.name in capsys.readouterr().out


def test_help_lists_the_random_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    text = capsys.readouterr().out
    for option in ("--random", "--split", "--body", "--bottom-hip-ext", "--plate-style", "--scene", "--roll"):
        assert option in text
