"""How well the tracking pass finds the near plate on randomized renders, and what it costs per frame.

Runs formcheck's tracking pass (`flows.tracking.observe_video`, one worker) over the first N clips of the
*tune* split (`synth.randomize.grid("tune", N)`; never the check split, which is kept for validation) and,
when present, the real plate-free clips in `../shared/real_videos/`. For every plated clip filmed within
25° of side-on, the renderer's plan gives the true plate in each frame: the centre of the outermost near
plate's outer face (what the camera sees) projected into the image, and its semi-major axis in pixels as
the true radius (a plate seen obliquely is an ellipse; the paint must cover it). Reported per clip and
overall:

- `found`: share of frames with a plate reading; `painted`: share the pose model saw with the plate
  painted out (followed); `wrong`: share of frames whose reading is more than half a radius off the truth;
- centre error (px and true radii; median and 95th percentile) and radius error (relative) where found;
- after the engine's offline tidy (`plate.track.refine`): share of frames with the plate, whether reps are
  counted on the bar (`measure.lift.has_bar`), and whether the engine's rep count is exact;
- on plate-free clips (rendered and real): frames with a (false) plate and frames painted;
- CPU ms per frame of the plate work: the tracking stage's thread CPU minus the pose model's, with
  OpenCV held to one thread so the thread clock sees all of it.

Breakdowns by plate style, plate count, yaw, elevation, camera height, orientation and lifter size. Renders
come from (and missing ones go to) the `formcheck validate` cache; observations are cached under
`--cache` keyed by the plate code's hash, so a re-run after no change costs seconds.

    PYTHONPATH=src FORMCHECK_MODELS_DIR=... nice python benchmarks/plate_finder.py \
        [--clips 60] [--json benchmarks/results/plate_finder.json] [--only tune-00004] [--shard 0/2]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import shutil
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import formcheck
from formcheck.capture.video import open_video
from formcheck.cli.validate import default_cache_dir
from formcheck.errors import InputError
from formcheck.flows import tracking
from formcheck.flows.engine import EngineResult
from formcheck.flows.offline import PipelineOptions, analyse_observed
from formcheck.flows.tracking import ObservedClip, TrackingOptions, observe_video
from formcheck.measure.lift import has_bar
from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.models import ensure_model
from formcheck.synth import scene
from formcheck.synth.clip import plan_clip
from formcheck.synth.groundtruth import ground_truth_path
from formcheck.synth.params import SynthParams
from formcheck.synth.posing import aim_arms
from formcheck.synth.randomize import SampledClip, grid
from formcheck.validate.grid import clip_key

REAL_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "real_videos"
REAL_CLIPS = ("bridge_studio.mp4", "bridge_physioplus.mp4")
# The code whose behaviour the cached observations depend on.
PLATE_CODE = ("plate/finder.py", "plate/track.py", "plate/paint.py", "flows/tracking.py", "plate/rim.py")
WRONG = 0.5  # a reading farther than this many true radii from the true centre is a wrong plate
BREAKDOWN = ("plates", "plate_count", "yaw", "elevation", "camera_height", "orientation", "lifter_size",
             "background")


# ---- the true plate, from the renderer's plan ----

def plate_truth(params: SynthParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame of a plated clip: the near plate's visible face centre (frames, 2) in OpenCV pixels (pixel
    centres at integers), and its semi-major and semi-minor axes (frames,) in px."""
    plan = plan_clip(params)
    thickness = scene.plate_thickness(params.plate_style, params.plate_diameter_m)
    reach = scene.COLLAR_X + params.plate_count * thickness + (params.plate_count - 1) * scene.PLATE_GAP
    out = np.array([reach if params.side == "left" else -reach, 0.0, 0.0])  # the camera's side of the bar
    theta = np.linspace(0.0, 2 * np.pi, 72, endpoint=False)
    rim = params.plate_diameter_m / 2 * np.column_stack([np.zeros_like(theta), np.cos(theta), np.sin(theta)])
    centre, major, minor = [], [], []
    for k in range(plan.timeline.frames):
        pose = aim_arms(plan.body, plan.table.at(float(plan.timeline.lift[k])))
        face = plan.body.bar_centre(plan.body.matrices(pose)) + out
        xy, _ = plan.camera.project(np.vstack([face, face + rim]))
        xy -= 0.5  # the renderer's pixel centres are at +0.5
        d = np.linalg.norm(xy[1:] - xy[0], axis=1)
        centre.append(xy[0])
        major.append(d.max())
        minor.append(d.min())
    return np.array(centre), np.array(major), np.array(minor)


# ---- the tracking pass, timed ----

@dataclass
class _Clock:
    """Per call of the stage (per frame): thread CPU and wall seconds of the stage and of the pose model's
    looks within it (a frame may get two looks), and the number of looks."""

    stage_cpu: list[float]
    pose_cpu: list[float]
    stage_wall: list[float]
    pose_wall: list[float]
    looks: list[int]


@contextmanager
def timed_stage() -> Iterator[_Clock]:
    """Time `FrameStage.process` and the `PoseEstimator.process` calls within it while the block runs."""
    clock = _Clock([], [], [], [], [])
    stage, pose = tracking.FrameStage.process, PoseEstimator.process
    inner = {"cpu": 0.0, "wall": 0.0, "looks": 0}

    def timed_pose(*args: Any, **kwargs: Any) -> Any:
        c0, w0 = time.thread_time(), time.perf_counter()
        out = pose(*args, **kwargs)
        inner["cpu"] += time.thread_time() - c0
        inner["wall"] += time.perf_counter() - w0
        inner["looks"] += 1
        return out

    def timed_stage_call(*args: Any, **kwargs: Any) -> Any:
        inner.update(cpu=0.0, wall=0.0, looks=0)
        c0, w0 = time.thread_time(), time.perf_counter()
        out = stage(*args, **kwargs)
        clock.stage_cpu.append(time.thread_time() - c0)
        clock.stage_wall.append(time.perf_counter() - w0)
        clock.pose_cpu.append(inner["cpu"])
        clock.pose_wall.append(inner["wall"])
        clock.looks.append(int(inner["looks"]))
        return out

    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    tracking.FrameStage.process = timed_stage_call  # type: ignore[method-assign]
    PoseEstimator.process = timed_pose  # type: ignore[method-assign]
    try:
        yield clock
    finally:
        tracking.FrameStage.process = stage  # type: ignore[method-assign]
        PoseEstimator.process = pose  # type: ignore[method-assign]
        cv2.setNumThreads(threads)


@functools.cache
def code_hash() -> str:
    """Short hash of the plate code, so cached observations are remade after any change to it."""
    root = Path(formcheck.__file__).parent
    text = b"".join((root / name).read_bytes() for name in PLATE_CODE if (root / name).is_file())
    return hashlib.sha256(text).hexdigest()[:10]


def observe(video: Path, model: Path, cache: Path) -> tuple[ObservedClip, np.ndarray, np.ndarray]:
    """The tracking pass's observations of `video`, the plate work's CPU ms per frame and the pose model's
    looks per frame (cached)."""
    path = cache / f"{video.stem}.{code_hash()}.npz"
    if path.is_file():
        with np.load(path) as z:
            plate_ms = z["plate_cpu_ms"]
            looks = z["looks"] if "looks" in z else np.ones(len(plate_ms), int)
        return ObservedClip.load(path), plate_ms, looks
    with timed_stage() as clock:
        clip = observe_video(video, TrackingOptions(model), workers=1)
    plate_ms = 1000.0 * (np.array(clock.stage_cpu) - np.array(clock.pose_cpu))
    info = open_video(video).info
    clip.save(path, fps=info.fps, width=info.width, height=info.height)
    with np.load(path) as z:
        arrays = dict(z)
    wall_ms = 1000.0 * (np.array(clock.stage_wall) - np.array(clock.pose_wall))
    np.savez_compressed(path, **arrays, plate_cpu_ms=plate_ms, plate_wall_ms=wall_ms,
                        pose_cpu_ms=1000.0 * np.array(clock.pose_cpu), looks=np.array(clock.looks))
    return clip, plate_ms, np.array(clock.looks)


def ensure_render(clip: SampledClip, cache: Path, scratch: Path) -> Path:
    """The clip's video in the validate cache, rendered (in `scratch`, then moved in) when missing."""
    from formcheck.synth.clip import render_clip

    video = cache / f"{clip.name}-{clip_key(clip)}.mp4"
    if video.is_file() and ground_truth_path(video).is_file():
        return video
    tmp = scratch / video.name
    render_clip(clip.params, tmp)
    shutil.move(str(tmp), str(video) + ".part")
    os.replace(str(video) + ".part", video)
    os.replace(ground_truth_path(tmp), ground_truth_path(video))
    return video


# ---- scoring ----

def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def engine_result(clip: ObservedClip, video: Path, model: Path) -> EngineResult | None:
    """The offline engine's result on the observations (None when it refuses the clip)."""
    try:
        return analyse_observed(clip, open_video(video), PipelineOptions.default(model, workers=1))
    except InputError:
        return None


def plated_row(clip: ObservedClip, truth: tuple[np.ndarray, np.ndarray, np.ndarray],
               result: EngineResult | None, reps_true: int) -> dict[str, Any]:
    """Per-clip figures of a plated clip against the true plate."""
    centre, major, minor = truth
    n = min(len(clip), len(centre))
    centre, major = centre[:n], major[:n]
    plate = clip.plate
    found, painted = plate.found[:n], clip.painted[:n]
    err = np.linalg.norm(plate.center[:n] - centre, axis=1)
    err_r = err / major
    wrong = found & ~(err_r <= WRONG)
    good = found & ~wrong
    radius_err = (plate.radius[:n] - major) / major
    row: dict[str, Any] = {
        "frames": n, "found": float(found.mean()), "painted": float(painted.mean()),
        "wrong": float(wrong.mean()), "correct": float(good.mean()),
        "centre_px_median": _pct(err[good], 50), "centre_px_p95": _pct(err[good], 95),
        "centre_r_median": _pct(err_r[good], 50), "centre_r_p95": _pct(err_r[good], 95),
        "radius_rel_median": _pct(radius_err[good], 50),
        "radius_rel_abs_p95": _pct(np.abs(radius_err[good]), 95),
        "true_radius_px": float(np.median(major)), "ellipse_ratio": float(np.median(minor[:n] / major)),
    }
    row.update(_engine_figures(result, reps_true, centre, major))
    return row


def _engine_figures(result: EngineResult | None, reps_true: int, centre: np.ndarray | None = None,
                    major: np.ndarray | None = None) -> dict[str, Any]:
    if result is None:
        return {"refined_found": 0.0, "bar_reps": False, "reps_true": reps_true, "reps_found": 0,
                "reps_exact": reps_true == 0}
    plate, analysis = result.plate, result.analysis
    reps = len(analysis.reps) if analysis.view.is_side_view else 0
    out: dict[str, Any] = {"refined_found": float(plate.found.mean()), "bar_reps": has_bar(result.joints),
                           "reps_true": reps_true, "reps_found": reps, "reps_exact": reps == reps_true}
    if centre is not None and major is not None:
        n = min(len(plate), len(centre))
        err_r = np.linalg.norm(plate.center[:n] - centre[:n], axis=1) / major[:n]
        out["refined_wrong"] = float((plate.found[:n] & ~(err_r <= WRONG)).mean())
    return out


def free_row(clip: ObservedClip, result: EngineResult | None, reps_true: int) -> dict[str, Any]:
    """Per-clip figures of a plate-free clip: any plate found there is a false one."""
    return {"frames": len(clip), "false_frames": int(clip.plate.found.sum()),
            "painted_frames": int(clip.painted.sum()), **_engine_figures(result, reps_true)}


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    values = [float(r[key]) for r in rows if key in r and np.isfinite(float(r[key]))]
    return float(np.mean(values)) if values else float("nan")


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [float(r[key]) for r in rows if key in r and np.isfinite(float(r[key]))]
    return float(np.median(values)) if values else float("nan")


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled figures of plated rows: frame-weighted shares, medians of the per-clip error figures."""
    if not rows:
        return {"clips": 0}
    frames = np.array([r["frames"] for r in rows], float)

    def pooled(key: str) -> float:
        return round(float(np.sum(frames * np.array([r[key] for r in rows])) / frames.sum()), 4)

    return {"clips": len(rows), "frames": int(frames.sum()), "found": pooled("found"),
            "painted": pooled("painted"), "wrong": pooled("wrong"), "correct": pooled("correct"),
            "clips_found_below_90pct": sum(r["found"] < 0.9 for r in rows),
            "centre_px_median": round(_median(rows, "centre_px_median"), 2),
            "centre_px_p95": round(_median(rows, "centre_px_p95"), 2),
            "centre_r_median": round(_median(rows, "centre_r_median"), 4),
            "centre_r_p95": round(_median(rows, "centre_r_p95"), 4),
            "radius_rel_median": round(_median(rows, "radius_rel_median"), 4),
            "refined_found": pooled("refined_found"), "person": pooled("person"),
            "bar_reps": round(_mean(rows, "bar_reps"), 3), "reps_exact": round(_mean(rows, "reps_exact"), 3)}


def breakdown(rows: list[dict[str, Any]], tags: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """`summarise` per value of each tag in BREAKDOWN."""
    out: dict[str, dict[str, Any]] = {}
    for tag in BREAKDOWN:
        for value in sorted({t[tag] for t in tags}):
            out[f"{tag}={value}"] = summarise([r for r, t in zip(rows, tags, strict=True) if t[tag] == value])
    return out


# ---- the run ----

def _print_plated(name: str, row: dict[str, Any], tags: dict[str, str]) -> None:
    print(f"{name:34s} {tags['plates']:6s} x{tags['plate_count']} {tags['yaw']:7s} {tags['elevation']:6s} "
          f"{tags['camera_height']:5s} {tags['orientation'][:4]} r{row['true_radius_px']:5.1f} | found "
          f"{row['found']:4.0%} painted {row['painted']:4.0%} wrong {row['wrong']:4.0%} | centre "
          f"{row['centre_px_median']:5.1f}/{row['centre_px_p95']:5.1f} px radius "
          f"{row['radius_rel_median']:+.2f} | refined {row['refined_found']:4.0%} bar {row['bar_reps']!s:5s} "
          f"reps {row['reps_found']}/{row['reps_true']} | person {row['person']:4.0%} | "
          f"{row['plate_ms']:.1f} ms {row['looks']:.2f} looks",
          flush=True)


def _print_free(name: str, row: dict[str, Any]) -> None:
    print(f"{name:34s} plate-free | false plate in {row['false_frames']} of {row['frames']} frames, painted "
          f"{row['painted_frames']} | reps {row['reps_found']}/{row['reps_true']} | {row['plate_ms']:.1f} ms",
          flush=True)


def run_clip(clip: SampledClip, model: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Render (or reuse), observe and score one tune clip."""
    video = ensure_render(clip, args.renders, args.cache)
    truth_doc = json.loads(ground_truth_path(video).read_text())
    observed, plate_ms, looks = observe(video, model, args.cache)
    result = engine_result(observed, video, model)
    reps_true = len(truth_doc["reps"]) if clip.tags["yaw"] != "refused" else 0
    if clip.params.plates:
        row = plated_row(observed, plate_truth(clip.params), result, reps_true)
    else:
        row = free_row(observed, result, reps_true)
    row.update(name=clip.name, tags=clip.tags, plate_ms=float(np.mean(plate_ms)),
               plate_ms_p95=_pct(plate_ms, 95), looks=float(np.mean(looks)),
               person=float(observed.pose.found.mean()))
    (_print_plated(clip.name, row, clip.tags) if clip.params.plates else _print_free(clip.name, row))
    return row


def run_real(path: Path, model: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Observe a real plate-free clip: every plate found there is a false one."""
    observed, plate_ms, looks = observe(path, model, args.cache)
    row = {"name": path.stem, "frames": len(observed), "false_frames": int(observed.plate.found.sum()),
           "painted_frames": int(observed.painted.sum()), "plate_ms": float(np.mean(plate_ms)),
           "looks": float(np.mean(looks)), "person": float(observed.pose.found.mean()),
           "plate_ms_p95": _pct(plate_ms, 95), "reps_found": 0, "reps_true": 0}
    print(f"{path.stem:34s} real, plate-free | false plate in {row['false_frames']} of {row['frames']} "
          f"frames, painted {row['painted_frames']} | {row['plate_ms']:.1f} ms", flush=True)
    return row


def report(rows: list[dict[str, Any]], real: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's summary: plated side-on clips overall and broken down, plate-free clips, cost."""
    plated = [r for r in rows if r["tags"]["plates"] != "none" and r["tags"]["yaw"] != "refused"]
    free = [r for r in rows if r["tags"]["plates"] == "none"]
    everything = rows + real
    ms = np.array([r["plate_ms"] for r in everything])
    looks = np.array([r["looks"] for r in everything])
    weights = np.array([r["frames"] for r in everything], float)
    return {
        "plated_side_on": summarise(plated),
        "plated_breakdown": breakdown(plated, [r["tags"] for r in plated]),
        "plated_refused": summarise([r for r in rows if r["tags"]["plates"] != "none"
                                     and r["tags"]["yaw"] == "refused"]),
        "plate_free": {"clips": len(free), "frames": int(sum(r["frames"] for r in free)),
                       "false_frames": int(sum(r["false_frames"] for r in free)),
                       "clips_with_false_plate": sum(r["false_frames"] > 0 for r in free),
                       "painted_frames": int(sum(r["painted_frames"] for r in free)),
                       "reps_exact": round(_mean([r for r in free if r["tags"]["yaw"] != "refused"],
                                                 "reps_exact"), 3)},
        "real_plate_free": {r["name"]: {"frames": r["frames"], "false_frames": r["false_frames"],
                                        "painted_frames": r["painted_frames"]} for r in real},
        "plate_cpu_ms_per_frame": {"mean": round(float(np.sum(ms * weights) / weights.sum()), 2),
                                   "plated": round(_mean(plated, "plate_ms"), 2),
                                   "plate_free": round(_mean(free, "plate_ms"), 2),
                                   "worst_clip": round(float(ms.max()), 2)},
        "pose_looks_per_frame": {"mean": round(float(np.sum(looks * weights) / weights.sum()), 3),
                                 "plated": round(_mean(plated, "looks"), 3),
                                 "plate_free": round(_mean(free, "looks"), 3)},
    }


def _print_summary(summary: dict[str, Any]) -> None:
    print("\nplated, within 25° of side-on:", json.dumps(summary["plated_side_on"]))
    for key, value in summary["plated_breakdown"].items():
        if value["clips"]:
            print(f"  {key:24s} clips {value['clips']:2d} found {value['found']:4.0%} wrong "
                  f"{value['wrong']:4.0%} centre {value['centre_r_median']:.3f} r (p95 "
                  f"{value['centre_r_p95']:.3f}) refined {value['refined_found']:4.0%} bar "
                  f"{value['bar_reps']:.2f} reps exact {value['reps_exact']:.2f}")
    print("plated, refused angles:", json.dumps(summary["plated_refused"]))
    print("plate-free:", json.dumps(summary["plate_free"]))
    print("real plate-free:", json.dumps(summary["real_plate_free"]))
    print("plate CPU ms/frame:", json.dumps(summary["plate_cpu_ms_per_frame"]))
    print("pose model looks/frame:", json.dumps(summary["pose_looks_per_frame"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=60, help="the first N clips of the tune split")
    parser.add_argument("--only", help="only clips whose name starts with this")
    parser.add_argument("--shard", default="0/1", help="K/N: only every Nth clip from the Kth (to fill the "
                        "observation cache from N processes; the summary is then of those clips only)")
    parser.add_argument("--renders", type=Path, default=default_cache_dir(), help="the render cache")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/formcheck-plate-finder"),
                        help="observations cache (and scratch for renders)")
    parser.add_argument("--real-videos", type=Path, default=REAL_DIR,
                        help="folder of the real plate-free clips (skipped when absent)")
    parser.add_argument("--json", type=Path, help="write per-clip rows and the summary here")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    args.renders.mkdir(parents=True, exist_ok=True)
    model = ensure_model("full")
    k, n = (int(v) for v in args.shard.split("/"))
    clips = [c for c in grid("tune", args.clips) if not args.only or c.name.startswith(args.only)][k::n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rows = [run_clip(clip, model, args) for clip in clips]
        real = [run_real(args.real_videos / name, model, args) for name in REAL_CLIPS[k::n]
                if not args.only and (args.real_videos / name).is_file()]
        summary = report(rows, real)
    _print_summary(summary)
    if args.json:
        doc = {"clips": args.clips, "split": "tune", "code": code_hash(), "summary": summary,
               "rows": rows + real, "load_average": os.getloadavg()}
        args.json.write_text(json.dumps(doc, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
