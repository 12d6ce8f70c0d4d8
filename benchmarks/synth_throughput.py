"""Benchmark `formcheck synth`'s whole per-frame loop on one core: pose + skin + render + degrade + mp4 + GT.

Renders the default good-form clip (640x360, 30 fps, plates optional) the way `render_clip` does, pinned to
one CPU with one numba thread, and prints wall-clock and CPU frames per second (target >= 10 fps). The
one-off set-up (asset parsing, solving the pose table, numba's first call) is timed separately.

    python benchmarks/synth_throughput.py [--plates] [--frames 300] \
        [--json benchmarks/results/synth_throughput.json]
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

import cv2

from formcheck.synth import groundtruth as gt
from formcheck.synth.clip import plan_clip, render_frame
from formcheck.synth.params import SynthParams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plates", action="store_true", help="bar with 45 cm plates (more pixels to fill)")
    parser.add_argument("--frames", type=int, default=300, help="frames to time (default 300)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    params = SynthParams(plates=args.plates, reps=4)
    start = time.perf_counter()
    plan = plan_clip(params)
    render_frame(plan, 0)  # numba's first call (compiled, or loaded from its cache)
    setup_s = time.perf_counter() - start
    frames = min(args.frames, plan.timeline.frames)
    log = gt.FrameLog()
    with tempfile.TemporaryDirectory() as tmp:
        writer = cv2.VideoWriter(str(Path(tmp) / "bench.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), params.fps,
                                 (params.width, params.height))
        wall, cpu = time.perf_counter(), time.process_time()
        for k in range(frames):
            frame = render_frame(plan, k)
            writer.write(frame.image)
            log.add(frame.metrics, frame.pixels, frame.occluded, params.side)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        writer.release()
    result = {"frames": frames, "width": params.width, "height": params.height, "plates": args.plates,
              "setup_s": round(setup_s, 3), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
              "fps_wall": round(frames / wall, 1), "fps_cpu": round(frames / cpu, 1),
              "cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
              "loadavg": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None}
    print(f"synth loop, {params.width}x{params.height}, plates={args.plates}, one core: {frames} frames, "
          f"{result['fps_wall']} fps wall ({1e3 * wall / frames:.1f} ms/frame), {result['fps_cpu']} fps CPU; "
          f"set-up {setup_s:.1f} s; load average {result['loadavg']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
