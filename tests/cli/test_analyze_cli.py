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


# ---- real analyses of rendered clips (slow: MediaPipe on a few hundred frames) ----------------------

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@pytest.fixture(scope="module")
def good_form_report(tmp_path_factory):
    """analyze on the quick-start sample, with the annotated video; returns (exit code, out dir)."""
    out = tmp_path_factory.mktemp("good_form")
    code = main(["analyze", str(SAMPLES / "good_form_left.mp4"), "--out", str(out)])
    return code, out


@pytest.mark.slow
def test_quick_start_sample_gives_every_output(good_form_report):
    import json

    import cv2

    from formcheck.report import validate_report

    code, out = good_form_report
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    validate_report(report)
    truth = json.loads((SAMPLES / "good_form_left.gt.json").read_text())
    assert report["summary"]["rep_count"] == len(truth["reps"])
    assert report["summary"]["cues"] == []
    html = (out / "report.html").read_text()
    assert "http://" not in html and "https://" not in html and "data:image/png;base64" in html
    rows = (out / "angles.csv").read_text().splitlines()
    assert len(rows) == 1 + truth["frames"]
    video = cv2.VideoCapture(str(out / "annotated.mp4"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == truth["frames"]
    assert not [p for p in out.iterdir() if "partial" in p.name]


@pytest.mark.slow
def test_a_second_person_in_view_does_not_replace_the_lifter(tmp_path, good_form_report):
    """Paste a smaller second lifter into the background: the reps and angles stay the lifter's."""
    import json

    import cv2

    first = cv2.VideoCapture(str(SAMPLES / "good_form_left.mp4"))
    other = cv2.VideoCapture(str(SAMPLES / "incomplete_lockout_right.mp4"))
    clip = tmp_path / "two_people.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 360))
    while True:
        ok, image = first.read()
        if not ok:
            break
        ok_other, background = other.read()
        if ok_other:
            image[0:110, 320:640] = cv2.resize(background, (320, 180))[50:160]
        writer.write(image)
    writer.release()
    code = main(["analyze", str(clip), "--out", str(tmp_path / "o"), "--no-video"])
    assert code == 0
    got = json.loads((tmp_path / "o" / "report.json").read_text())
    alone = json.loads((good_form_report[1] / "report.json").read_text())
    assert got["summary"]["rep_count"] == alone["summary"]["rep_count"]
    for a, b in zip(got["reps"], alone["reps"], strict=True):
        assert abs(a["lockout_frame"] - b["lockout_frame"]) <= 3
        assert a["metrics"]["knee_angle_deg"] == pytest.approx(b["metrics"]["knee_angle_deg"], abs=2.0)


@pytest.mark.slow
def test_rotated_phone_video_comes_out_upright(make_video, tmp_path):
    """Frames stored sideways with rotation metadata, as phones write them, are analysed upright."""
    import json

    import cv2

    source = cv2.VideoCapture(str(SAMPLES / "good_form_left.mp4"))
    images = []
    while (frame := source.read())[0]:
        images.append(cv2.rotate(frame[1], cv2.ROTATE_90_CLOCKWISE))
    clip = make_video("phone.mp4", images=images, fps=30.0, rotate90=True)
    code = main(["analyze", str(clip), "--out", str(tmp_path / "o"), "--no-video"])
    assert code == 0
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert (report["source"]["width"], report["source"]["height"]) == (640, 360)
    assert report["view"]["is_side_view"] and report["summary"]["rep_count"] == 3


@pytest.mark.slow
def test_end_on_camera_is_refused_with_advice(tmp_path, capsys):
    """A camera at the lifter's feet: exit 2, where to put the camera, and a report that says why."""
    import json

    pytest.importorskip("numba")
    from formcheck.synth import SynthParams, render_clip

    clip = tmp_path / "end_on.mp4"
    render_clip(SynthParams(yaw_deg=80.0, reps=2, setup_s=0.5), clip)
    code, err = _run(capsys, str(clip), "--out", str(tmp_path / "o"), "--no-video")
    _assert_one_line(code, err, "not side-on")
    assert "film from the side" in err
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["view"]["is_side_view"] is False
    assert report["summary"]["cues"] == ["not_side_view"]


@pytest.mark.slow
def test_plated_lift_filmed_slightly_oblique_is_accepted_by_its_plate(tmp_path, capsys):
    """15° off side-on with a plate over the hips the landmarks look turned (34-59° on the grid), but the
    plate is round on the hips all set long: the set is accepted and its reps counted from the bar."""
    import json

    pytest.importorskip("numba")
    from formcheck.synth import SynthParams, render_clip
    from formcheck.synth.params import Look

    clip = tmp_path / "plated_oblique.mp4"
    # with the plate in view this look's landmarks read ~43° off side-on (other looks 16-37°)
    look = Look(skin_rgb=(236, 200, 170), shirt_rgb=(230, 230, 230), shorts_rgb=(30, 60, 120),
                background="bright", plate_rgb=(30, 60, 160), jpeg_quality=70)  # an earlier grid look
    render_clip(SynthParams(plates=True, yaw_deg=15.0, side="right", reps=2, setup_s=0.5, look=look,
                            seed=2), clip)
    code = main(["analyze", str(clip), "--out", str(tmp_path / "o"), "--no-video"])
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert code == 0
    # the angles at the hip hide behind the plate: the rep is not called good on the shin alone
    assert "rep 1: nothing to fix in what could be measured (shin from vertical)" in capsys.readouterr().out
    # with the plate painted out of what the pose model sees, the landmarks themselves read a side view;
    # where they still do not, the round plate vouches for it
    assert report["view"]["is_side_view"]
    assert report["view"]["reason"] is None or "plate" in report["view"]["reason"]
    assert report["summary"]["rep_count"] == 2


def test_the_summary_says_why_a_rep_was_not_judged():
    from dataclasses import replace

    from formcheck.cli.analyze import summary
    from report.conftest import make_analysis

    analysis = make_analysis()
    why = "hip_extension_deg 329.3 is outside the 120..240 a real rep gives"
    unjudged = replace(analysis.reps[0], cues=(), score=None, skipped=(("incomplete_lockout", why),))
    lines = summary(replace(analysis, reps=(unjudged, *analysis.reps[1:])), None).splitlines()
    assert lines[1] == f"  rep 1: not judged: {why}"
