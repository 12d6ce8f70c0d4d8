"""`formcheck validate`: options, the files it writes and the tune fit (with a fake clip evaluator), and
one real smoke run that renders and tracks two tiny clips."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.validate.score import ClipScore
from validate_factory import scored


def _fake_evaluate(job) -> ClipScore:
    """A clip scored without rendering: good form, the knee reading 2° open."""
    index = job.clip.index
    tags = {**job.clip.tags, "split": job.clip.split}
    if tags["fault"] == "refused":
        return scored(job.clip.name, tags, truth={"view": "refuse"}, outcome={"accepted": False})
    return scored(job.clip.name, tags, outcome={"knee": 92.0, "neck": 11.0 + index % 3, "shin": 10.5})


@pytest.fixture
def fake_clips(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numba")
    monkeypatch.setattr("formcheck.validate.run.evaluate_clip", _fake_evaluate)
    monkeypatch.setattr("formcheck.cli.validate.ensure_model", lambda *a, **k: Path("model.task"))


def test_one_command_writes_report_json_readme_and_the_tune_fit(tmp_path: Path, fake_clips: None,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- accuracy:start -->\nold\n<!-- accuracy:end -->\n")
    out, raw, fit = tmp_path / "accuracy.md", tmp_path / "accuracy.json", tmp_path / "tune_fit.json"
    code = main(["validate", "--workers", "1", "--cache-dir", str(tmp_path / "cache"), "--out", str(out),
                 "--json", str(raw), "--readme", str(readme), "--fit", str(fit), "--tune-clips", "16"])
    assert code == 0
    assert "| check | target | measured | met |" in capsys.readouterr().out
    doc = json.loads(raw.read_text())
    assert len(doc["clips"]) == 150 and {c["tags"]["split"] for c in doc["clips"]} == {"check"}
    assert doc["summary"]["overall"]["precision"] is None  # no cue was given
    tune = json.loads(fit.read_text())
    assert tune["grid"]["clips"] == 16 and set(tune["grid"]["bodies"]) <= {str(b) for b in range(8)}
    knee = tune["constants"]["KNEE_LANDMARK_BIAS_DEG"]
    assert knee["fitted"] == pytest.approx(knee["current"] + 2.0)
    assert tune["fits"]["knee"]["held_out"]["per_body"] and tune["fits"]["neck"] is None  # one true neck
    text = out.read_text()
    assert "## Fitted constants" in text and f"{knee['fitted']} (n={knee['n']})" in text
    assert "| check | target | measured | met |" in readme.read_text() and "old" not in readme.read_text()


@pytest.mark.parametrize(("argv", "message"), [
    (["--workers", "0"], "--workers"),
    (["--clips", "0"], "--clips"),
    (["--quick", "--readme", "README.md"], "--readme"),
    (["--split", "tune", "--readme", "README.md"], "--readme"),
    (["--clips", "20", "--readme", "README.md"], "--readme"),
])
def test_options_that_cannot_work_fail_with_one_line(argv: list[str], message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *argv]) == 2
    assert message in capsys.readouterr().err


def test_without_the_renderer_validate_says_what_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    for name in [m for m in sys.modules if m.startswith(("formcheck.synth.clip", "formcheck.synth.raster",
                                                          "formcheck.validate.run"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "numba", None)  # as if the synth extra were not installed
    assert main(["validate", "--quick"]) == 2
    assert "synth extra" in capsys.readouterr().err


@pytest.mark.slow
def test_validate_quick_renders_tracks_and_scores_two_tiny_clips(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("numba")
    out, raw = tmp_path / "accuracy.md", tmp_path / "accuracy.json"
    code = main(["validate", "--quick", "--cache-dir", str(tmp_path / "cache"), "--out", str(out),
                 "--json", str(raw)])
    assert code == 0
    assert "| check | target | measured | met |" in capsys.readouterr().out
    doc = json.loads(raw.read_text())
    assert len(doc["clips"]) == 2
    assert all(c["view_correct"] for c in doc["clips"])  # side-on accepted, 64° refused
    side_on = next(c for c in doc["clips"] if c["view"] == "accept")
    assert side_on["detection_rate"] > 0.9 and side_on["reps_found"] == 1
    knee = doc["summary"]["metrics"]["knee_angle_deg"]["plate-free"]
    assert knee["mae"] is not None and knee["mae"] < 15.0  # loose: fails only if measuring collapses
    assert "# Accuracy on rendered hip thrusts" in out.read_text()
