"""Latency of `formcheck live` on files played as if they were a camera (issue 7).

Targets: per-frame latency from capture to cue on screen p95 <= 50 ms (full model, 640x360, 2 cores), and a
rep's primary cue shown within 300 ms of the end of its lockout.

Each clip runs through the same loop as `formcheck live --source CLIP --no-window --out DIR --quiet`
(`formcheck.flows.live.run_live`: frames paced at their timestamps, the newest frame taken each time round,
the tracking pass and the live engine on each). The loop gives each processed frame's capture-to-screen
latency; the engine, wrapped, logs the frame at which each rep's primary cue went up.

A cue's delay is measured against the ground truth (`CLIP.gt.json`): the lockout ends at the time of the
rep's `lockout_frame` (the middle of the hold) plus half the hold. The cue is on screen at the video time of
the frame that raised it plus that frame's processing latency (frames are captured at their timestamps),
so delay = t_frame + latency - lockout_end; negative means shown while the lifter still holds the top.

    python benchmarks/live_latency.py [CLIPS...] [--json benchmarks/results/live_latency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import asdict
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np

from formcheck.capture.video import open_video
from formcheck.flows.engine import Engine, EngineOptions, EngineUpdate
from formcheck.flows.live import run_live
from formcheck.flows.tracking import FrameStage, Observation, TrackingOptions
from formcheck.pose.models import ensure_model
from formcheck.report.timeline import headline_cue
from formcheck.rules import load_rule_pack

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "live_latency.json"
TARGET_P95_MS = 50.0
TARGET_CUE_DELAY_MS = 300.0


class LoggedEngine(Engine):
    """The live engine, logging per processed frame its time and the cue it put up (if any)."""

    def __init__(self, options: EngineOptions) -> None:
        super().__init__(options)
        self.frames: list[dict] = []
        self.reps_judged = 0

    def update(self, observation: Observation) -> EngineUpdate:
        update = super().update(observation)
        cue = headline_cue(update.cues) if update.judged else None
        self.reps_judged += len(update.verdicts)
        self.frames.append({"t_ms": observation.t_ms, "cue": cue.message if cue else None})
        return update


def lockout_ends_ms(gt: dict) -> list[tuple[int, float, int, int]]:
    """Per ground-truth rep: (index, lockout end in ms, start ms, end ms)."""
    t = gt["per_frame"]["t_ms"]
    return [(rep["index"], t[rep["lockout_frame"]] + rep["hold_s"] * 500.0, t[rep["start_frame"]],
             t[rep["end_frame"]]) for rep in gt["reps"]]


def cue_delays(frames: list[dict], gt: dict) -> list[dict]:
    """Per ground-truth rep: the first cue shown from its start until the next rep starts, and its delay
    after the lockout ended (a cue that needs the whole rep, like a missing pause, comes after its end)."""
    out = []
    spans = lockout_ends_ms(gt)
    for k, (index, lockout_end, start, _end) in enumerate(spans):
        until = spans[k + 1][2] if k + 1 < len(spans) else float("inf")
        shown = next((f for f in frames if f["cue"] and start <= f["t_ms"] < until), None)
        row: dict = {"rep": index, "lockout_end_ms": round(lockout_end), "expected_cues":
                     gt["reps"][index - 1]["expected_cues"]}
        if shown is not None:
            row.update(cue=shown["cue"], frame_t_ms=shown["t_ms"],
                       frame_latency_ms=round(shown["latency_ms"], 1),
                       delay_ms=round(shown["t_ms"] + shown["latency_ms"] - lockout_end, 1))
        out.append(row)
    return out


def run_clip(clip: Path, model: Path) -> dict:
    """One clip through the headless live loop; its latency figures and per-rep cue delays."""
    source = open_video(clip)
    info = source.info
    engine = LoggedEngine(EngineOptions(load_rule_pack(None), live=True))
    with FrameStage(TrackingOptions(model)) as stage:
        result = run_live(iter(source), stage, engine, realtime=True)
    for frame, latency_ms in zip(engine.frames, result.latencies_ms, strict=True):
        frame["latency_ms"] = latency_ms
    gt_path = clip.with_name(clip.name.removesuffix(".mp4") + ".gt.json")
    gt = json.loads(gt_path.read_text()) if gt_path.is_file() else None
    reps = cue_delays(engine.frames, gt) if gt else []
    return {"clip": clip.name, "size": f"{info.width}x{info.height}", "latency": asdict(result.latency),
            "reps_judged_live": engine.reps_judged, "reps_gt": len(gt["reps"]) if gt else None,
            "reps": reps, "latencies_ms": list(result.latencies_ms)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help="video files (default: sample_videos/*.mp4)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = parser.parse_args()
    clips = args.clips or sorted(SAMPLES.glob("*.mp4"))
    model = ensure_model("full")
    load_before = os.getloadavg()
    runs = []
    for clip in clips:
        run = run_clip(clip.resolve(), model)
        runs.append(run)
        _print_clip(run)
    load_after = os.getloadavg()
    pooled = np.array([ms for run in runs for ms in run.pop("latencies_ms")])
    delays = [rep["delay_ms"] for run in runs for rep in run["reps"] if "delay_ms" in rep]
    report = {
        "model": "full", "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "mediapipe": mp.__version__, "opencv": cv2.__version__,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "all_frames": {"frames": int(pooled.size), "p50_ms": round(float(np.percentile(pooled, 50)), 1),
                       "p95_ms": round(float(np.percentile(pooled, 95)), 1),
                       "max_ms": round(float(pooled.max()), 1),
                       "dropped_frames": sum(r["latency"]["dropped_frames"] for r in runs),
                       "frames_seen": sum(r["latency"]["frames_seen"] for r in runs)},
        "cue_delay_ms": {"cues": len(delays), "max": max(delays, default=None),
                         "median": float(np.median(delays)) if delays else None,
                         "within_target": sum(d <= TARGET_CUE_DELAY_MS for d in delays)},
        "targets": {"p95_ms": TARGET_P95_MS, "cue_delay_ms": TARGET_CUE_DELAY_MS},
        "clips": runs,
    }
    _print_summary(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _print_clip(run: dict) -> None:
    lat = run["latency"]
    print(f"{run['clip']}: p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, max {lat['max_ms']} ms; "
          f"{lat['dropped_frames']} of {lat['frames_seen']} frames dropped; reps {run['reps_judged_live']} "
          f"live / {run['reps_gt']} truth  (load {os.getloadavg()[0]:.2f})", flush=True)
    for rep in run["reps"]:
        if "delay_ms" in rep:
            print(f"  rep {rep['rep']}: {rep['cue']!r} at {rep['frame_t_ms']} ms "
                  f"(+{rep['frame_latency_ms']} ms processing), {rep['delay_ms']:+.0f} ms after the lockout "
                  f"ended ({rep['lockout_end_ms']} ms)")
        else:
            print(f"  rep {rep['rep']}: no cue shown (expected {rep['expected_cues']})")


def _print_summary(report: dict) -> None:
    pooled, delays = report["all_frames"], report["cue_delay_ms"]
    print(f"all {pooled['frames']} processed frames: p50 {pooled['p50_ms']} ms, p95 {pooled['p95_ms']} ms "
          f"(target <= {TARGET_P95_MS}), max {pooled['max_ms']} ms; {pooled['dropped_frames']} of "
          f"{pooled['frames_seen']} frames dropped")
    print(f"cue delay after lockout end: {delays['within_target']} of {delays['cues']} cues within "
          f"{TARGET_CUE_DELAY_MS:.0f} ms, worst {delays['max']} ms")
    print(f"load average (1, 5, 15 min) before {report['load_average_before']}, "
          f"after {report['load_average_after']} on {report['cpu_count']} cores")


if __name__ == "__main__":
    sys.exit(main())
