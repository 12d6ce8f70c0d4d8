"""`formcheck batch` end to end on sample clips with the real pose model: the same reports as `analyze`,
history recorded once per set, reruns skipped, re-judging without the pose model, bad files failing alone,
the Ray backend, and a batch killed with SIGKILL and run again."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.history.names import client_dirname

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
SESSION = "2026-11-01"


def _batch(*argv: str | Path) -> list[str]:
    return ["batch", *(str(a) for a in argv)]


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def _sets(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT c.name, s.video_name, s.report_dir, s.rep_count, s.score FROM sets s "
                            "JOIN clients c ON c.id = s.client_id ORDER BY s.video_name").fetchall()


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@dataclass(frozen=True)
class Run:
    clips: Path
    db: Path
    out: Path
    code: int
    err: str


@pytest.fixture(scope="module")
def first_batch(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Two sample sets of one client, analysed by the local backend with two workers."""
    root = tmp_path_factory.mktemp("batch")
    clips = _copy(["chin_lifted_left.mp4", "good_form_left.mp4"], root / "clips")
    (clips / "chin_lifted_left.gt.json").write_text("{}")  # not a video: passed over quietly
    db, out = root / "history.sqlite3", root / "reports"
    capture = root / "stderr.txt"
    with open(capture, "w") as err, _stderr_to(err):
        code = main(_batch(clips, "--client", "Ann Lee", "--db", db, "--out", out, "--workers", 2,
                           "--session", SESSION))
    return Run(clips, db, out, code, capture.read_text())


class _stderr_to:
    """Send sys.stderr (the batch's progress lines) to a file for the block."""

    def __init__(self, handle) -> None:
        self._handle = handle

    def __enter__(self) -> None:
        self._saved = sys.stderr
        sys.stderr = self._handle

    def __exit__(self, *exc: object) -> None:
        sys.stderr = self._saved


def _set_dirs(out: Path, client: str) -> list[Path]:
    return sorted(p for p in (out / client_dirname(client)).glob("*/*") if p.is_dir())


@pytest.mark.slow
def test_batch_writes_what_analyze_writes(first_batch, tmp_path, capsys):
    assert first_batch.code == 0, first_batch.err
    video = first_batch.clips / "good_form_left.mp4"
    # analyze as a user runs it, on every core: a video's analysis does not depend on how many cores ran it
    assert main(["analyze", str(video), "--out", str(tmp_path / "a")]) == 0
    [folder] = [d for d in _set_dirs(first_batch.out, "Ann Lee") if d.name.startswith("good-form-left-")]
    assert folder.parent.name == SESSION
    assert (folder / "report.json").read_bytes() == (tmp_path / "a" / "report.json").read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in (tmp_path / "a").iterdir())


@pytest.mark.slow
def test_each_set_is_recorded_once_with_its_reps_and_cues(first_batch):
    rows = _sets(first_batch.db)
    assert [(name, video, reps) for name, video, _, reps, _ in rows] == [
        ("Ann Lee", "chin_lifted_left.mp4", 3), ("Ann Lee", "good_form_left.mp4", 3)]
    assert all(Path(report_dir).is_relative_to(first_batch.out.resolve()) for _, _, report_dir, _, _ in rows)
    with sqlite3.connect(first_batch.db) as conn:
        cues = conn.execute("SELECT s.video_name, c.cue, r.idx FROM cues c JOIN sets s ON s.id = c.set_id "
                            "LEFT JOIN reps r ON r.id = c.rep_id").fetchall()
        metrics = conn.execute("SELECT COUNT(*) FROM rep_metrics").fetchone()[0]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {(v, c) for v, c, _ in cues} == {("chin_lifted_left.mp4", "chin_lifted")}
    assert metrics == 6 * 5
    assert _integrity(first_batch.db) == "ok"
    assert "ok        " in first_batch.err and "chin_lifted_left.mp4: 3 reps" in first_batch.err


@pytest.mark.slow
def test_a_rerun_skips_every_set_already_done(first_batch, capsys):
    reports = [d / "report.json" for d in _set_dirs(first_batch.out, "Ann Lee")]
    before = [p.stat().st_mtime_ns for p in reports]
    code = main(_batch(first_batch.clips, "--client", "Ann Lee", "--db", first_batch.db, "--out",
                       first_batch.out))
    out = capsys.readouterr().out
    assert code == 0
    assert "0 analysed, 2 skipped as already done, 0 failed" in out
    assert [p.stat().st_mtime_ns for p in reports] == before
    assert len(_sets(first_batch.db)) == 2


@pytest.mark.slow
def test_ray_backend_gives_identical_reports(first_batch, tmp_path, capsys):
    pytest.importorskip("ray")
    out = tmp_path / "reports"
    code = main(_batch(first_batch.clips, "--client", "Ann Lee", "--db", tmp_path / "h.sqlite3", "--out", out,
                       "--backend", "ray", "--workers", 2, "--session", SESSION))
    assert code == 0, capsys.readouterr().err
    local, ray = _set_dirs(first_batch.out, "Ann Lee"), _set_dirs(out, "Ann Lee")
    assert [d.name for d in ray] == [d.name for d in local] and len(ray) == 2
    for a, b in zip(local, ray, strict=True):
        assert (a / "report.json").read_bytes() == (b / "report.json").read_bytes()
        assert (a / "angles.csv").read_bytes() == (b / "angles.csv").read_bytes()


@pytest.mark.slow
def test_a_new_rule_pack_rejudges_stored_sets_without_the_pose_model(tmp_path, capsys):
    clips = _copy(["chin_lifted_left.mp4"], tmp_path / "clips")
    video = clips / "chin_lifted_left.mp4"
    db, out = tmp_path / "h.sqlite3", tmp_path / "reports"
    common = ["--client", "Bo", "--db", db, "--out", out, "--no-video"]
    assert main(_batch(clips, *common, "--session", SESSION)) == 0
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[rules.chin_lifted]\nthreshold = -40.0\n")
    capsys.readouterr()
    assert main(_batch(*common, "--rescore", "--rules", lenient)) == 0
    assert "1 re-judged (pose model not run)" in capsys.readouterr().out
    assert main(["analyze", str(video.resolve()), "--out", str(tmp_path / "a"), "--no-video", "--rules",
                 str(lenient)]) == 0
    [folder] = _set_dirs(out, "Bo")
    assert (folder / "report.json").read_bytes() == (tmp_path / "a" / "report.json").read_bytes()
    assert json.loads((folder / "report.json").read_text())["summary"]["cues"] == []

    video.unlink()  # the video is gone: the stored measurements are all there is to judge
    strict = tmp_path / "strict.toml"
    strict.write_text("[rules.chin_lifted]\nthreshold = -10.0\n")
    assert main(_batch(*common, "--rescore", "--rules", strict)) == 0
    report = json.loads((folder / "report.json").read_text())
    assert report["summary"]["cues"] == ["chin_lifted"]
    assert any("no longer at" in note for note in report["notes"])
    assert "<figure>" not in (folder / "report.html").read_text()
    assert [row[1] for row in _sets(db)] == ["chin_lifted_left.mp4"]


@pytest.mark.slow
def test_bad_files_fail_alone_with_their_reasons(tmp_path, make_video, capsys):
    pytest.importorskip("numba")
    from formcheck.synth import SynthParams, render_clip

    clips = _copy(["chin_lifted_left.mp4", "good_form_left.mp4"], tmp_path / "clips")
    whole = make_video("whole.mp4", frames=30)
    (clips / "cut.mp4").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    (clips / "notes.mp4").write_text("this is text, not a video\n")
    render_clip(SynthParams(yaw_deg=80.0, reps=2, setup_s=0.5), clips / "end_on.mp4")
    db = tmp_path / "h.sqlite3"
    code = main(_batch(clips, "--client", "Cy", "--db", db, "--out", tmp_path / "r", "--no-video",
                       "--workers", 2))
    out = capsys.readouterr().out
    assert code == 3, out
    failed = {Path(line.split("failed: ", 1)[1].split(": ", 1)[0]).name: line
              for line in out.splitlines() if "failed: " in line}
    assert set(failed) == {"cut.mp4", "notes.mp4", "end_on.mp4"}
    assert "truncated or corrupt" in failed["cut.mp4"]
    assert "text, not a video" in failed["notes.mp4"]
    assert "not side-on" in failed["end_on.mp4"]
    assert "2 analysed, 0 skipped as already done, 3 failed" in out
    assert [row[1] for row in _sets(db)] == ["chin_lifted_left.mp4", "good_form_left.mp4"]
    assert _integrity(db) == "ok"


@pytest.mark.parametrize(("argv", "expected"), [
    (["--client", "A"], "expected at least one video file or folder"),
    (["x", "--client", " "], "client name: expected some text"),
    (["x", "--client", "A", "--session", "2026-02-30"], "real calendar date"),
    (["x", "--client", "A", "--workers", "0"], "--workers: expected at least 1"),
    (["x", "--client", "A", "--address", "1.2.3.4:6379"], "--address: expected with --backend ray"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, argv, expected):
    code = main(["batch", *argv, "--db", str(tmp_path / "h.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err


def test_nothing_to_read_exits_2(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("hello\n")
    code = main(_batch(tmp_path / "in", "--client", "A", "--db", tmp_path / "h.sqlite3", "--out",
                       tmp_path / "r"))
    out = capsys.readouterr().out
    assert code == 2 and "no video was found" in out


def test_ray_missing_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when it is not installed
    code = main(_batch(tmp_path, "--client", "A", "--db", tmp_path / "h.sqlite3", "--backend", "ray"))
    assert code == 2 and "pip install 'formcheck[ray]'" in capsys.readouterr().err


_KILL_AFTER_FIRST_SET_S = 180


@pytest.mark.slow
def test_a_batch_killed_mid_run_and_rerun_keeps_every_set_exactly_once(tmp_path, capsys):
    clips = _copy(["chin_lifted_left.mp4", "good_form_left.mp4"], tmp_path / "clips")
    db, out = tmp_path / "h.sqlite3", tmp_path / "reports"
    # one worker: the kill lands after the first set is committed and before the second can be
    argv = _batch(clips, "--client", "Di", "--db", db, "--out", out, "--no-video", "--workers", 1,
                  "--session", SESSION)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", *argv], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        committed = _wait_for_sets(db, proc, timeout_s=_KILL_AFTER_FIRST_SET_S)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, mid-run
        proc.wait()
    assert committed == 1, "the batch must be killed with work left to do"
    assert main(argv) == 0
    summary = capsys.readouterr().out
    assert "1 analysed, 1 skipped as already done, 0 failed" in summary
    assert [row[1] for row in _sets(db)] == ["chin_lifted_left.mp4", "good_form_left.mp4"]
    folders = _set_dirs(out, "Di")
    assert len(folders) == 2
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["angles.csv", "report.html", "report.json"]
        json.loads((folder / "report.json").read_text())
    assert not list(out.rglob("*.partial*"))
    assert not (out / ".formcheck-staging").exists()
    assert _integrity(db) == "ok"


def _wait_for_sets(db: Path, proc: subprocess.Popen, timeout_s: float) -> int:
    """Poll the database (readers never block the writer in WAL mode) until a set is committed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    count = conn.execute("SELECT COUNT(*) FROM sets").fetchone()[0]
            except sqlite3.OperationalError:  # the schema is not created yet
                count = 0
            if count:
                return int(count)
        time.sleep(0.05)
    raise AssertionError("no set was committed before the batch ended or timed out")
