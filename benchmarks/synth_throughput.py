"""Benchmark `formcheck synth`'s whole per-frame loop on one core: pose + skin + render + degrade + mp4 + GT.

Renders the default good-form clip (640x360, 30 fps, plates optional) the way `render_clip` does, pinned to
one CPU with one numba thread, and prints wall-clock and CPU frames per second (target >= 10 fps). The
one-off set-up (asset parsing, solving the pose table, numba's first call) is timed separately.
With `--random N`, times the first N randomised clips of a split instead (each at its own size, 640x360 or
360x640: the same number of pixels), and sums them up separately for plated and plate-free clips.

    python benchmarks/synth_throughput.py [--plates] [--frames 300] \
        [--json benchmarks/results/synth_throughput.json]
    python benchmarks/synth_throughput.py --random 12 --split check --frames 120 \
        --json benchmarks/results/synth_throughput_random.json
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2

from formcheck.synth import groundtruth as gt
from formcheck.synth.clip import plan_clip, render_frame
from formcheck.synth.params import SynthParams
from formcheck.synth.randomize import SPLITS, sample_params


def time_clip(params: SynthParams, max_frames: int) -> dict[str, Any]:
    """Set-up time, then wall and CPU time of up to `max_frames` frames rendered, written and logged."""
    start = time.perf_counter()
    plan = plan_clip(params)
    render_frame(plan, 0)  # numba's first call (compiled, or loaded from its cache)
    setup_s = time.perf_counter() - start
    frames = min(max_frames, plan.timeline.frames)
    log = gt.FrameLog()
    with tempfile.TemporaryDirectory() as tmp:
        writer = cv2.VideoWriter(str(Path(tmp) / "bench.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), params.fps,
                                 (params.width, params.height))
        wall, cpu = time.perf_counter(), time.process_time()
        for k in range(frames):
            frame = render_frame(plan, k)
            writer.write(frame.image)
            log.add(frame.metrics, frame.pixels, frame.occluded, params.side, frame.bar_height_m)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        writer.release()
    return {"frames": frames, "width": params.width, "height": params.height, "plates": params.plates,
            "setup_s": round(setup_s, 3), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "fps_wall": round(frames / wall, 1), "fps_cpu": round(frames / cpu, 1)}


def _machine() -> dict[str, Any]:
    return {"cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "loadavg": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None}


def _random(count: int, split: str, max_frames: int) -> dict[str, Any]:
    """Per-clip timings of the first `count` clips of a split, and totals for plated and plate-free ones."""
    clips = []
    for seed in range(count):
        clip = sample_params(seed, split)
        result = {"name": clip.name, "background": clip.tags["background"],
                  "plates_kind": clip.tags["plates"], **time_clip(clip.params, max_frames)}
        clips.append(result)
        print(f"{clip.name}: {result['width']}x{result['height']} {clip.tags['plates']} "
              f"{clip.tags['background']}: {result['fps_wall']} fps wall, {result['fps_cpu']} fps CPU, "
              f"set-up {result['setup_s']} s")
    totals = {}
    for plated in (True, False):
        chosen = [c for c in clips if c["plates"] == plated]
        if chosen:
            frames = sum(c["frames"] for c in chosen)
            totals["plated" if plated else "plate_free"] = {
                "clips": len(chosen), "frames": frames,
                "fps_wall": round(frames / sum(c["wall_s"] for c in chosen), 1),
                "fps_cpu": round(frames / sum(c["cpu_s"] for c in chosen), 1),
                "setup_s_mean": round(sum(c["setup_s"] for c in chosen) / len(chosen), 2)}
    return {"split": split, "clips": clips, "totals": totals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", action="store_true", help="bar with 45 cm plates (more pixels to fill)")
    parser.add_argument("--frames", type=int, default=300, help="frames to time per clip (default 300)")
    parser.add_argument("--random", type=int, default=0, metavar="N",
                        help="time the first N randomised clips of --split instead of the default clip")
    parser.add_argument("--split", choices=SPLITS, default="check")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if args.random:
        result = {**_random(args.random, args.split, args.frames), **_machine()}
        for kind, total in result["totals"].items():
            print(f"randomised {kind}: {total['clips']} clips, {total['frames']} frames, "
                  f"{total['fps_wall']} fps wall, {total['fps_cpu']} fps CPU, "
                  f"set-up {total['setup_s_mean']} s per clip")
    else:
        params = SynthParams(plates=args.plates, reps=4)
        result = {**time_clip(params, args.frames), **_machine()}
        ms = 1e3 * result["wall_s"] / result["frames"]
        print(f"synth loop, {params.width}x{params.height}, plates={args.plates}, one core: "
              f"{result['frames']} frames, {result['fps_wall']} fps wall ({ms:.1f} ms/frame), "
              f"{result['fps_cpu']} fps CPU; set-up {result['setup_s']:.1f} s")
    print(f"load average {result['loadavg']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
