"""Throughput of `formcheck landmarks` against a bare MediaPipe PoseLandmarker VIDEO loop on the same clip.

The bare loop (`bare_loop.py`) is the least any tool must do: OpenCV decode, BGR->RGB, `mp.Image`,
`detect_for_video`.
formcheck is timed as `formcheck landmarks CLIP -o TMP` run in-process (validation, model check, decode,
inference, the .npz write and the view estimate; interpreter start-up excluded) and as `track_video`
alone. Both sides include creating the landmarker. Variants run in alternating order for `--rounds`
rounds; the median time of each is reported, with the ratio formcheck fps / bare fps (target >= 1.0),
plus the per-round paired ratio and the best-run ratio, which are steadier on a shared machine.
CPU seconds (all threads) and the load average are recorded too: formcheck's edge comes from decoding
in a second thread, which needs an idle core, so a busy machine narrows it.

    python benchmarks/landmarks_throughput.py [CLIP] [--rounds 3] [--json benchmarks/results/...json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import mediapipe as mp

from formcheck.body.keypoints import load_keypoints
from formcheck.cli import landmarks as landmarks_command
from formcheck.pose.estimator import track_video
from formcheck.pose.models import ensure_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bare_loop import bare_loop

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / ".." / "shared" / "real_videos" / "bridge_studio.mp4"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "landmarks_throughput.json"


def formcheck_cli(clip: Path, model: Path) -> int:
    """`formcheck landmarks CLIP -o TMP`, in-process; returns the number of frames in the written track."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "track.npz"
        parser = argparse.ArgumentParser()
        landmarks_command.register(parser.add_subparsers())
        args = parser.parse_args(["landmarks", str(clip), "-o", str(output), "--model", str(model)])
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            code = args.func(args)
        if code != 0:
            raise RuntimeError(f"formcheck landmarks exited {code}")
        return len(load_keypoints(output).keypoints)


def formcheck_track(clip: Path, model: Path) -> int:
    """`pose.track_video` alone; returns the number of frames tracked."""
    return len(track_video(clip, model=model))


VARIANTS: dict[str, Callable[[Path, Path], int]] = {
    "bare": bare_loop, "formcheck_landmarks": formcheck_cli, "track_video": formcheck_track}


def measure(clip: Path, model: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds and fps per variant, alternating the order each round."""
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    frames: dict[str, int] = {}
    names = list(VARIANTS)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            frames[name] = VARIANTS[name](clip, model)
            seconds[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    result = {}
    for name in names:
        median = statistics.median(seconds[name])
        result[name] = {"frames": frames[name], "median_s": round(median, 3),
                        "fps": round(frames[name] / median, 2),
                        "best_s": round(min(seconds[name]), 3),
                        "median_cpu_s": round(statistics.median(cpu[name]), 3),
                        "runs_s": [round(s, 3) for s in seconds[name]]}
    return result


def _paired_ratio(results: dict[str, dict], name: str) -> float:
    pairs = zip(results["bare"]["runs_s"], results[name]["runs_s"], strict=True)
    return round(statistics.median(bare / other for bare, other in pairs), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = parser.parse_args()
    if not args.clip.is_file():
        print(f"landmarks_throughput: no clip at {args.clip}", file=sys.stderr)
        return 2
    model = ensure_model("full")
    load_before = os.getloadavg()[0]
    results = measure(args.clip.resolve(), model, args.rounds)
    bare_fps = results["bare"]["fps"]
    report = {
        "clip": args.clip.name, "rounds": args.rounds, "cpu_count": os.cpu_count(),
        "python": platform.python_version(), "mediapipe": mp.__version__, "opencv": cv2.__version__,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before, after
        "variants": results,
        "ratio_formcheck_landmarks_to_bare": round(results["formcheck_landmarks"]["fps"] / bare_fps, 3),
        "ratio_track_video_to_bare": round(results["track_video"]["fps"] / bare_fps, 3),
        # Median over rounds of bare seconds / formcheck seconds within the same round: runs next to each
        # other share the machine's load, so this is steadier than the ratio of medians on a busy machine.
        "paired_ratio_formcheck_landmarks_to_bare": _paired_ratio(results, "formcheck_landmarks"),
        # Best run of each: the closest a busy machine gets to an idle one.
        "best_ratio_formcheck_landmarks_to_bare": round(
            results["bare"]["best_s"] / results["formcheck_landmarks"]["best_s"], 3),
        "paired_ratio_track_video_to_bare": _paired_ratio(results, "track_video"),
        # CPU seconds per frame, bare / formcheck: what formcheck adds whatever else the machine is doing.
        "cpu_ratio_bare_to_formcheck_landmarks": round(
            results["bare"]["median_cpu_s"] / results["formcheck_landmarks"]["median_cpu_s"], 3),
    }
    for name, r in results.items():
        print(f"{name:<20} {r['frames']:>5} frames  {r['median_s']:>7.2f} s  {r['fps']:>7.2f} fps  "
              f"(cpu {r['median_cpu_s']:.2f} s)")
    print(f"ratio formcheck landmarks / bare: {report['ratio_formcheck_landmarks_to_bare']:.3f}x "
          f"(track_video / bare: {report['ratio_track_video_to_bare']:.3f}x; target >= 1.0); CPU time "
          f"bare / formcheck: {report['cpu_ratio_bare_to_formcheck_landmarks']:.3f}x")
    print(f"paired per-round ratio formcheck landmarks / bare: "
          f"{report['paired_ratio_formcheck_landmarks_to_bare']:.3f}x "
          f"(track_video: {report['paired_ratio_track_video_to_bare']:.3f}x); best run vs best run: "
          f"{report['best_ratio_formcheck_landmarks_to_bare']:.3f}x")
    before, after = report["load_average_1min"]
    print(f"load average {before:.1f} -> {after:.1f} on {os.cpu_count()} cores")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
