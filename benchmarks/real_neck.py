"""Is formcheck's neck reading right on real bodies? MediaPipe and `neck_flexion_deg` against hand marks.

Reads the hand marks of `benchmarks/data/real_neck_marks.json` (near ear, chin tip, nose tip, near eye, near
mouth corner, shoulder, hip, knee and ankle, marked by eye on frames at and around the tops of the reps of
the real clips in `../shared/real_videos/`, and a couple at the bottom), observes each whole clip once with
formcheck's tracking pass (`flows.tracking.observe_video`: full model, VIDEO mode, one worker; a plate, if
one were found, painted out before the model sees the frame) and judges it as `formcheck analyze` does
(`flows.offline.analyse_observed`), so MediaPipe's points below are the ones the engine read. Per marked
frame it reports:

- pixel errors of MediaPipe's near-side points against the marks, also in % of the marked shoulder-hip
  length, and the hip's error split along and across the torso line (only the part across tilts the line);
- the torso line (hip -> shoulder) from the landmarks and from the marks;
- formcheck's raw head line (mean ears -> mean mouth corners against the landmark torso) and marked head
  lines (ear -> chin, nose, eye, mouth corner) against the marked torso;
- `neck_flexion_deg` as formcheck reports it for the frame (after its zero-phase filter) and at the rep's
  lockout, and from the raw landmarks of the frame alone;
- the neck from the marks: each marked line's angle minus the angle the same anatomical line makes with
  hip -> shoulder on formcheck's rig at rest (`RIG_REST`), which is the neutral the renders that
  calibrated `metrics.NECK_*` were measured from, so 0 means the same thing on both sides; the marked
  points are rigid in the head, so no gain applies. The spread over the four lines is a first measure of
  how far one face's proportions differ from the rig's;
- the other head lines `calibrate_neck.py` tried, read with their own offset and gain from
  `results/calibrate_neck.json`, against the marks;
- the by-eye judgement stored with the marks.

    python benchmarks/real_neck.py [--videos DIR] [--json benchmarks/results/real_neck.json] [--png DIR]

Skips with one line when the videos folder is absent. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import Landmark
from formcheck.capture.video import open_video
from formcheck.flows.engine import EngineResult
from formcheck.flows.offline import PipelineOptions, analyse_observed
from formcheck.flows.tracking import observe_video
from formcheck.measure.metrics import NECK_GAIN, NECK_NEUTRAL_OFFSET_DEG, head_line_angle
from formcheck.pose.models import ensure_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate_neck import LINES  # the candidate head lines, as calibrated

REPO = Path(__file__).resolve().parents[1]
VIDEOS = REPO / ".." / "shared" / "real_videos"
MARKS = REPO / "benchmarks" / "data" / "real_neck_marks.json"
CALIBRATION = REPO / "benchmarks" / "results" / "calibrate_neck.json"

# Formcheck's rig (MakeHuman/MPFB2 base mesh, `formcheck.synth`) at rest, left side, as (forward z, up y)
# metres: hip and shoulder are the heads of upperleg01.L and upperarm01.L (the synth's hip and shoulder);
# the face points are body-mesh vertices picked to match the marks: ear hole 12306 (the concha, not the
# synth's `ear`, which is the outermost vertex of the helix), chin tip 733, nose tip 297, mouth corner
# 7333; the eye is the eyeball's centre (the `joint-l-eye` cube) 12 mm forward, at the front of the eye.
# The renders' neck truth is the head bone against the upper thorax relative to this rest pose.
RIG_REST = {
    "hip": (0.01230, 0.04862), "shoulder": (0.01461, 0.52458), "ear": (0.05785, 0.70682),
    "chin": (0.14983, 0.63877), "nose": (0.16807, 0.69090), "eye": (0.13654, 0.72842),
    "mouth": (0.13730, 0.67604),
}
MARKED_LINES = ("chin", "nose", "eye", "mouth")  # each from the ear
# A marked line counts as seen when both its ends were marked this close (px): the others were inferred.
SEEN_PX = 6.0
COACHED_BAND = (10.0, 65.0)  # docs/design.md: the "egg under the chin" band of neck_flexion_deg
# MediaPipe's near-side points compared with the mark of the same name.
POINTS = ("ear", "mouth", "nose", "eye", "shoulder", "hip", "knee", "ankle")


def rig_neutral_deg(end: str) -> float:
    """Angle of the rig's ear -> `end` line against its hip -> shoulder line at rest, + toward the front."""
    torso = np.subtract(RIG_REST["shoulder"], RIG_REST["hip"])
    line = np.subtract(RIG_REST[end], RIG_REST["ear"])
    cross = torso[0] * line[1] - torso[1] * line[0]
    # (forward, up) axes: turning the up-pointing torso toward the front is clockwise
    return float(-np.degrees(np.arctan2(cross, torso @ line)))


@dataclass(frozen=True)
class MarkedFrame:
    """One hand-marked frame: pixel marks (x right, y down) and the by-eye judgement."""

    clip: str
    side: str
    frame: int
    phase: str
    xy: dict[str, np.ndarray]
    uncertainty_px: dict[str, float]
    by_eye: dict[str, object]


def load_marks(path: Path) -> list[MarkedFrame]:
    """Every marked frame of every clip in the marks file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for clip, entry in doc["clips"].items():
        for f in entry["frames"]:
            xy = {name: np.asarray(m["xy"], float) for name, m in f["marks"].items()}
            unc = {name: float(m["uncertainty_px"]) for name, m in f["marks"].items()}
            out.append(MarkedFrame(clip, entry["side"], int(f["frame"]), f["phase"], xy, unc, f["by_eye"]))
    return out


def landmark_points(pose: Keypoints, frame: int, side: str) -> dict[str, np.ndarray]:
    """MediaPipe's points of one frame by mark name, plus the far ear and far mouth corner."""
    near, far = side.upper(), "RIGHT" if side == "left" else "LEFT"
    index = {"ear": f"{near}_EAR", "far_ear": f"{far}_EAR", "mouth": f"MOUTH_{near}",
             "far_mouth": f"MOUTH_{far}", "nose": "NOSE", "eye": f"{near}_EYE",
             "shoulder": f"{near}_SHOULDER", "hip": f"{near}_HIP", "knee": f"{near}_KNEE",
             "ankle": f"{near}_ANKLE"}
    return {name: pose.xy[frame, Landmark[lm]].astype(float) for name, lm in index.items()}


def torso_deg(points: dict[str, np.ndarray]) -> float:
    """Direction of hip -> shoulder above the image horizontal (y up), degrees."""
    d = points["shoulder"] - points["hip"]
    return float(np.degrees(np.arctan2(-d[1], d[0])))


def wrap(deg: float) -> float:
    """An angle difference in (-180, 180]."""
    return float((deg + 180.0) % 360.0 - 180.0)


def line_deg(points: dict[str, np.ndarray], start: np.ndarray, end: np.ndarray) -> float:
    """formcheck's head-line angle of start -> end against these points' hip -> shoulder."""
    return float(head_line_angle(start, end, points["shoulder"], points["hip"]))


def hip_error_split(marks: dict[str, np.ndarray], hip: np.ndarray) -> tuple[float, float]:
    """MediaPipe hip minus marked hip, px: (along the marked torso toward the shoulder, across it toward the
    body's front, the side facing the ceiling)."""
    u = marks["shoulder"] - marks["hip"]
    u /= np.linalg.norm(u)
    n = np.array([u[1], -u[0]])
    n = n if n[1] < 0 else -n  # image y is down: the ceiling side has the smaller y
    d = hip - marks["hip"]
    return float(d @ u), float(d @ n)


def landmark_errors(m: MarkedFrame, lm: dict[str, np.ndarray]) -> dict[str, object]:
    """Pixel errors of MediaPipe's points against the marks, and in % of the marked shoulder-hip length."""
    scale = float(np.linalg.norm(m.xy["shoulder"] - m.xy["hip"]))
    px = {p: float(np.linalg.norm(lm[p] - m.xy[p])) for p in POINTS}
    along, across = hip_error_split(m.xy, lm["hip"])
    return {"torso_px": scale, "px": px, "pct_torso": {p: 100.0 * e / scale for p, e in px.items()},
            "hip_along_px": along, "hip_across_px": across}


def marked_necks(m: MarkedFrame) -> dict[str, float]:
    """Neck from each marked head line: its angle against the marked torso minus the rig's neutral."""
    return {f"ear_{end}": wrap(line_deg(m.xy, m.xy["ear"], m.xy[end]) - rig_neutral_deg(end))
            for end in MARKED_LINES}


def seen_mean(m: MarkedFrame, necks: dict[str, float]) -> float | None:
    """Mean neck over the marked lines whose ends were both seen, None when none was."""
    seen = [necks[f"ear_{end}"] for end in MARKED_LINES
            if max(m.uncertainty_px["ear"], m.uncertainty_px[end]) <= SEEN_PX]
    return float(np.mean(seen)) if seen else None


def marks_jitter_sd(m: MarkedFrame, draws: int = 400) -> dict[str, float | None]:
    """How far the marks' neck moves when every mark moves by its uncertainty (read as two standard
    deviations, Gaussian, fixed seed): sd of the mean over all four lines and over the seen ones."""
    rng = np.random.default_rng(m.frame)
    all_lines, seen = [], []
    for _ in range(draws):
        xy = {k: v + rng.normal(0.0, m.uncertainty_px[k] / 2, 2) for k, v in m.xy.items()}
        jittered = replace(m, xy=xy)
        necks = marked_necks(jittered)
        all_lines.append(np.mean(list(necks.values())))
        seen.append(seen_mean(jittered, necks))
    return {"all": float(np.std(all_lines)), "seen": None if seen[0] is None else float(np.std(seen))}


def candidate_necks(pose: Keypoints, m: MarkedFrame, calibration: dict[str, dict]) -> dict[str, float]:
    """The neck each calibrated candidate line reads on this frame's raw landmarks."""
    xy = pose.xy[m.frame:m.frame + 1].astype(float)
    out = {}
    for key, raw_of in LINES.items():
        fit = calibration[key]
        out[key] = float(fit["gain"] * wrap(raw_of(xy, m.side)[0] - fit["offset_deg"]))
    return out


def formcheck_values(result: EngineResult, frame: int) -> dict[str, object]:
    """formcheck's neck for a frame: the reported per-frame value and the lockout value of its rep."""
    series = result.analysis.series
    rep = int(series.rep[frame])
    lockout = None
    for verdict in result.analysis.reps:
        if verdict.rep.index == rep:
            lockout = verdict.rep.metrics["neck_flexion_deg"].value
    value = float(series.values["neck_flexion_deg"][frame])
    return {"reported": value if np.isfinite(value) else None, "rep": rep or None,
            "rep_lockout": lockout}


def frame_report(m: MarkedFrame, result: EngineResult, calibration: dict[str, dict]) -> dict[str, object]:
    """Everything measured on one marked frame (MediaPipe's points: the observed pose the engine read)."""
    pose = result.pose
    lm = landmark_points(pose, m.frame, m.side)
    ears, mouths = (lm["ear"] + lm["far_ear"]) / 2, (lm["mouth"] + lm["far_mouth"]) / 2
    raw = line_deg(lm, ears, mouths)
    necks = marked_necks(m)
    return {
        "clip": m.clip, "frame": m.frame, "phase": m.phase,
        "landmark_error": landmark_errors(m, lm),
        "torso_deg": {"landmarks": torso_deg(lm), "marks": torso_deg(m.xy),
                      "landmarks_minus_marks": wrap(torso_deg(lm) - torso_deg(m.xy))},
        "head_line_deg": {"formcheck_raw": raw,
                          "formcheck_line_on_marked_torso": line_deg(m.xy, ears, mouths),
                          "marks": {f"ear_{e}": line_deg(m.xy, m.xy["ear"], m.xy[e]) for e in MARKED_LINES}},
        "neck_deg": {"formcheck": formcheck_values(result, m.frame),
                     "formcheck_raw_frame": NECK_GAIN * wrap(raw - NECK_NEUTRAL_OFFSET_DEG),
                     "marks": necks, "marks_mean": float(np.mean(list(necks.values()))),
                     "marks_spread": float(np.ptp(list(necks.values()))),
                     "marks_seen_mean": seen_mean(m, necks),
                     "marks_jitter_sd": marks_jitter_sd(m),
                     "candidates": candidate_necks(pose, m, calibration)},
        "by_eye": m.by_eye,
    }


def analyse_clip(path: Path, model: Path) -> EngineResult:
    """Observe a whole clip once (the tracking pass, one worker) and judge it as `formcheck analyze` would;
    the result's `pose` is what the tracking pass observed."""
    options = PipelineOptions.default(model, workers=1)
    clip = observe_video(path, options.tracking, workers=options.workers)
    if clip.painted.any():
        print(f"{path.name}: plate painted out in {int(clip.painted.sum())} of {len(clip)} frames",
              file=sys.stderr)
    return analyse_observed(clip, open_video(path), options)


def _mean(rows: list[dict], get: Callable[[dict], float | None]) -> float | None:
    """Mean of a per-frame value over rows, skipping None; None when nothing is left."""
    values = [v for v in (get(r) for r in rows) if v is not None]
    return float(np.mean(values)) if values else None


def _versus(rows: list[dict], get: Callable[[dict], float | None],
            reference: str) -> dict[str, float] | None:
    """Mean and worst absolute difference of a neck reading from a marks reference, over rows."""
    pairs = [(get(r), r["neck_deg"][reference]) for r in rows]
    d = [a - b for a, b in pairs if a is not None and b is not None]
    if not d:
        return None
    return {"mean": float(np.mean(d)), "worst_abs": float(np.max(np.abs(d))), "frames": len(d)}


def _band_agreement(rows: list[dict]) -> dict[str, int]:
    """How often formcheck's reported value falls in the coached band exactly when the by-eye call says so."""
    called = [r for r in rows if r["by_eye"]["in_band"] is not None]
    agree = sum((COACHED_BAND[0] <= r["neck_deg"]["formcheck"]["reported"] <= COACHED_BAND[1])
                == r["by_eye"]["in_band"] for r in called)
    return {"frames_called": len(called), "agree": int(agree)}


def clip_summary(rows: list[dict]) -> dict[str, object]:
    """Means over a clip's tops, and the bottom -> top change, which tests the gain without any neutral."""
    tops = [r for r in rows if r["phase"] == "top"]
    bottoms = [r for r in rows if r["phase"] == "bottom"]

    def reported(r: dict) -> float | None:
        return r["neck_deg"]["formcheck"]["reported"]

    out: dict[str, object] = {
        "tops": len(tops),
        "mean_error_px": {p: _mean(tops, lambda r, p=p: r["landmark_error"]["px"][p]) for p in POINTS},
        "mean_error_pct_torso": {p: _mean(tops, lambda r, p=p: r["landmark_error"]["pct_torso"][p])
                                 for p in POINTS},
        "hip_along_px": _mean(tops, lambda r: r["landmark_error"]["hip_along_px"]),
        "hip_across_px": _mean(tops, lambda r: r["landmark_error"]["hip_across_px"]),
        "torso_landmarks_minus_marks_deg": _mean(tops, lambda r: r["torso_deg"]["landmarks_minus_marks"]),
        "neck_formcheck_reported": _mean(tops, reported),
        "neck_marks_all_lines": _mean(tops, lambda r: r["neck_deg"]["marks_mean"]),
        "neck_marks_seen_lines": _mean(tops, lambda r: r["neck_deg"]["marks_seen_mean"]),
        "neck_marks_jitter_sd": {k: _mean(tops, lambda r, k=k: r["neck_deg"]["marks_jitter_sd"][k])
                                 for k in ("all", "seen")},
        "formcheck_minus_marks_seen": _versus(tops, reported, "marks_seen_mean"),
        "formcheck_minus_marks_all": _versus(tops, reported, "marks_mean"),
        "candidates_minus_marks_seen": {k: _versus(tops, lambda r, k=k: r["neck_deg"]["candidates"][k],
                                                   "marks_seen_mean") for k in LINES},
        "band_agreement_all_frames": _band_agreement(rows),
    }
    if bottoms:
        def change(get: Callable[[dict], float | None]) -> float | None:
            top, bottom = _mean(tops, get), _mean(bottoms, get)
            return None if top is None or bottom is None else top - bottom
        out["bottom_to_top"] = {
            "marks_neck_all_lines": change(lambda r: r["neck_deg"]["marks_mean"]),
            "marks_neck_seen_lines": change(lambda r: r["neck_deg"]["marks_seen_mean"]),
            "formcheck_raw_line": change(lambda r: r["head_line_deg"]["formcheck_raw"]),
            "formcheck_neck_reported": change(reported),
            "torso_marks": change(lambda r: r["torso_deg"]["marks"]),
        }
    return out


LEGEND = """Per marked frame: ear..kne MediaPipe's distance from the mark (px); torso the landmark torso
line's direction minus the marked one (deg); fc raw formcheck's raw head line, chin..mouth the marked
ear -> chin, nose, eye and mouth-corner lines, all against their own torso line (deg); fc neck_flexion_deg
as reported for the frame, lock at the rep's lockout; marks the neck from the four marked lines (mean),
sprd their spread, seen the mean over lines whose ends were seen, not inferred."""


def print_table(rows: list[dict]) -> None:
    """One line per marked frame."""
    print(LEGEND)
    print(f"{'clip':<11}{'frame':>5} {'phase':<6} {'ear':>4} {'mth':>4} {'sho':>4} {'hip':>4} {'kne':>4} "
          f"{'torso':>6} {'fc raw':>6} {'chin':>6} {'nose':>6} {'eye':>6} {'mouth':>6} "
          f"{'fc':>6} {'lock':>5} {'marks':>6} {'sprd':>5} {'seen':>6}  by eye")
    for r in rows:
        e, n = r["landmark_error"]["px"], r["neck_deg"]
        lock = n["formcheck"]["rep_lockout"] if r["phase"] == "top" else None
        marks = r["head_line_deg"]["marks"]
        print(f"{r['clip'].removeprefix('bridge_').removesuffix('.mp4'):<11}{r['frame']:>5} {r['phase']:<6} "
              f"{e['ear']:4.0f} {e['mouth']:4.0f} {e['shoulder']:4.0f} {e['hip']:4.0f} {e['knee']:4.0f} "
              f"{r['torso_deg']['landmarks_minus_marks']:+6.1f} {r['head_line_deg']['formcheck_raw']:6.1f} "
              f"{marks['ear_chin']:6.1f} {marks['ear_nose']:6.1f} {marks['ear_eye']:6.1f} "
              f"{marks['ear_mouth']:6.1f} {_signed(n['formcheck']['reported']):>6} "
              f"{'' if lock is None else f'{lock:+5.1f}':>5} {n['marks_mean']:+6.1f} "
              f"{n['marks_spread']:5.1f} {_signed(n['marks_seen_mean']):>6}  {_call(r['by_eye'])}")


def print_summary(clip: str, f: dict) -> None:
    """A few lines per clip: landmark errors, torso line, neck against the marks, the bottom -> top change."""
    px, pct = f["mean_error_px"], f["mean_error_pct_torso"]
    shown = ("ear", "mouth", "shoulder", "hip", "knee")
    errors = ", ".join(f"{p} {px[p]:.0f} ({pct[p]:.1f}%)" for p in shown)
    print(f"\n{clip}, {f['tops']} tops. MediaPipe vs marks, px (% of shoulder-hip): {errors}; hip along the "
          f"torso {f['hip_along_px']:+.0f}, across {f['hip_across_px']:+.0f} (+ = toward the front)")
    print(f"  torso line, landmarks - marks: {f['torso_landmarks_minus_marks_deg']:+.1f} deg")
    seen = f["formcheck_minus_marks_seen"]
    versus = ("no head line marked from seen points" if seen is None else
              f"formcheck - marks {seen['mean']:+.1f} mean, {seen['worst_abs']:.1f} worst")
    jitter = {k: "-" if v is None else f"{v:.1f}" for k, v in f["neck_marks_jitter_sd"].items()}
    print(f"  neck at the tops: formcheck {f['neck_formcheck_reported']:+.1f}, marks "
          f"{_signed(f['neck_marks_seen_lines'])} (seen lines, sd {jitter['seen']} from the marks' "
          f"uncertainty), {f['neck_marks_all_lines']:+.1f} (all, sd {jitter['all']}); {versus}")
    others = {k: v for k, v in f["candidates_minus_marks_seen"].items() if v is not None}
    if others:
        print("  other head lines - marks: " + ", ".join(f"{k} {v['mean']:+.1f}" for k, v in others.items()))
    change = f.get("bottom_to_top")
    if change:
        print(f"  bottom -> top: marks {_signed(change['marks_neck_seen_lines'])} (seen), "
              f"{change['marks_neck_all_lines']:+.1f} (all); formcheck raw line "
              f"{change['formcheck_raw_line']:+.1f}, reported {change['formcheck_neck_reported']:+.1f}; "
              f"torso turned {abs(change['torso_marks']):.1f}")
    band = f["band_agreement_all_frames"]
    print(f"  formcheck's band (+10..+65) matches the by-eye call on {band['agree']} of "
          f"{band['frames_called']} frames called")


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def _call(by_eye: dict) -> str:
    """The by-eye judgement in a few words."""
    low, high = by_eye["judged_neck_deg"]
    band = {True: "in band", False: "not in band", None: "borderline"}[by_eye["in_band"]]
    return f"{band}, {low:+d}..{high:+d} ({by_eye['confidence']})"


def draw_clip(video: Path, marked: list[MarkedFrame], pose: Keypoints, out: Path) -> Path:
    """One PNG of the clip's first marked top, marks (green) against MediaPipe (red): the body, and the head
    enlarged, each with its torso line (hip -> shoulder) and head line (marks: ear -> mouth corner;
    MediaPipe: formcheck's mean ears -> mean mouth corners)."""
    import cv2  # drawing only

    m = next(f for f in marked if f.phase == "top")
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_FRAMES, m.frame)
    ok, image = capture.read()
    capture.release()
    if not ok:
        raise RuntimeError(f"{video}: cannot read frame {m.frame}")
    lm = landmark_points(pose, m.frame, m.side)
    body = np.array(list(m.xy.values()))
    head = np.array([m.xy[p] for p in ("ear", "chin", "nose", "eye", "mouth")])
    views = (_window(body.min(axis=0), body.max(axis=0), 0.12, image.shape),
             _window(head.min(axis=0), head.max(axis=0), 0.6, image.shape))
    panels = [_panel(image, window, m.xy, lm) for window in views]
    sheet = np.hstack([panels[0], np.full((PANEL_PX, 6, 3), 255, np.uint8), panels[1]])
    cv2.putText(sheet, f"{video.name} frame {m.frame}: marks green, MediaPipe red", (8, 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    path = out / f"real_neck_{video.stem}.png"
    cv2.imwrite(str(path), sheet)
    return path


PANEL_PX = 420  # height of each panel of the PNG


def _window(low: np.ndarray, high: np.ndarray, margin: float, shape: tuple[int, ...]) -> tuple[int, ...]:
    """(x0, y0, x1, y1) around a box, grown by `margin` of its larger side, inside the image."""
    pad = margin * float(np.max(high - low)) + 10
    x0, y0 = np.maximum(np.floor(low - pad), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(high + pad), (shape[1], shape[0])).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def _panel(image: np.ndarray, window: tuple[int, ...], marks: dict[str, np.ndarray],
           lm: dict[str, np.ndarray]) -> np.ndarray:
    """One window of the frame scaled to `PANEL_PX` high, with both sets of points and lines drawn."""
    import cv2

    x0, y0, x1, y1 = window
    s = PANEL_PX / (y1 - y0)
    canvas = cv2.resize(image[y0:y1, x0:x1], (round((x1 - x0) * s), PANEL_PX), interpolation=cv2.INTER_CUBIC)

    def px(p: np.ndarray) -> tuple[int, int]:
        return round((p[0] - x0) * s), round((p[1] - y0) * s)

    lm_head = ((lm["ear"] + lm["far_ear"]) / 2, (lm["mouth"] + lm["far_mouth"]) / 2)
    sets = (((0, 170, 0), marks, (marks["ear"], marks["mouth"])), ((0, 0, 230), lm, lm_head))
    for colour, pts, head in sets:
        cv2.line(canvas, px(pts["hip"]), px(pts["shoulder"]), colour, 1, cv2.LINE_AA)
        cv2.line(canvas, px(head[0]), px(head[1]), colour, 1, cv2.LINE_AA)
        for name in POINTS + (("chin",) if pts is marks else ()):
            cv2.drawMarker(canvas, px(pts[name]), colour, cv2.MARKER_CROSS, 11, 1)
    return canvas


def run(videos: Path, marks_path: Path, png: Path | None) -> list[dict] | None:
    """Reports for every marked frame, or None when the clips are not here."""
    if not videos.is_dir():
        print(f"real_neck: skipped, no real clips at {videos.resolve()}")
        return None
    marked = load_marks(marks_path)
    calibration = json.loads(CALIBRATION.read_text(encoding="utf-8"))["candidates"]
    model = ensure_model("full")
    rows = []
    for clip in sorted({m.clip for m in marked}):
        result = analyse_clip(videos / clip, model)
        frames = [m for m in marked if m.clip == clip]
        rows += [frame_report(m, result, calibration) for m in frames]
        if png is not None:
            png.mkdir(parents=True, exist_ok=True)
            print(f"wrote {draw_clip(videos / clip, frames, result.pose, png)}")
    return rows


def _rounded(value: object) -> object:
    """The figures to 0.01: the marks themselves are good to a few pixels."""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=Path, default=VIDEOS, help="folder of the real clips")
    parser.add_argument("--marks", type=Path, default=MARKS)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--png", type=Path, default=None, help="write one annotated PNG per clip here")
    args = parser.parse_args(argv)
    rows = run(args.videos, args.marks, args.png)
    if rows is None:
        return 0
    print_table(rows)
    summary = {clip: clip_summary([r for r in rows if r["clip"] == clip]) for clip in
               sorted({r["clip"] for r in rows})}
    for clip, figures in summary.items():
        print_summary(clip, figures)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        neutral = {f"ear_{e}": rig_neutral_deg(e) for e in MARKED_LINES}
        document = {"rig_neutral_deg": neutral, "summary": summary, "frames": rows}
        args.json.write_text(json.dumps(_rounded(document), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
