"""`formcheck models`: listing, provisioning and one-line errors with exit code 2."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.pose import models
from formcheck.pose.models import MEDIAPIPE_WHEEL, ensure_model


def test_list_shows_every_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--list", "--models-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["lite", "missing"], ["full", "missing"],
                                                    ["heavy", "missing"]]
    assert "offline build" in lines[1] and "download only" in lines[0]


def test_provision_full_prints_path_and_one_progress_line(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    wheel = ensure_model("full").parent / "wheels" / MEDIAPIPE_WHEEL.filename
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / wheel.name).symlink_to(wheel)
    assert main(["models", "--models-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(tmp_path / "pose_landmarker_full.task")
    assert len(captured.err.splitlines()) == 1 and "building the full pose model" in captured.err
    assert main(["models", "--list", "--models-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["full", "verified"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["--variant", "lite", "--source", "offline"], "--source official"),
    (["--variant", "heavy"], "machine with internet"),
])
def test_errors_are_one_line_exit_2(argv: list[str], expected: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    def offline(url: str) -> bytes:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(models, "_download", offline)
    assert main(["models", *argv, "--models-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("formcheck: error: ") and expected in err[-1]


def test_unknown_variant_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["models", "--variant", "huge"])
    assert excinfo.value.code == 2 and "choose from 'lite', 'full', 'heavy'" in capsys.readouterr().err
