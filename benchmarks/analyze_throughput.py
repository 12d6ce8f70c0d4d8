"""Speed and memory of `formcheck analyze` against a bare MediaPipe loop, as a user meets them.

Targets: `analyze --no-video` at least 1.5x the bare loop's speed on a plate-free clip *and* on a plated
one; with annotated.mp4 at least 1.25x; peak memory flat in the length of the video (1 min vs 5 min).

Every variant is a whole command in a fresh process, interpreter start-up and model load included, run on
the same clip in the same run, alternating the order each round:
- `bare`: `python benchmarks/bare_loop.py CLIP MODEL` (decode, BGR->RGB, `mp.Image`, `detect_for_video`,
  one landmarker on one core);
- `analyze_no_video`: `python -m formcheck analyze CLIP --out TMP --no-video`;
- `analyze_video`: the same, drawing and encoding annotated.mp4 too.
The ratio is bare seconds / analyze seconds (median over rounds; also paired per round). Clips:
- `plate-free` and `plated`: typical sets of ~11 s (`good_form_left`, `good_form_right_plates`);
- `plate-free long` and `plated long`: ~45 s of sample sets joined (the four plate-free samples; the two
  plated samples twice).
Memory: the peak resident size of the largest process of `analyze --no-video` (GNU time's %M, which
covers the reaped tracking workers) on ~1 and ~5 minutes of plate-free sets joined.

    python benchmarks/analyze_throughput.py [--rounds 3] [--no-memory] [--json benchmarks/results/...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import mediapipe as mp

from formcheck.pose.models import ensure_model

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "analyze_throughput.json"
TARGETS = {"analyze_no_video": 1.5, "analyze_video": 1.25}
GNU_TIME = "/usr/bin/time"
PLATE_FREE = ("good_form_left", "incomplete_lockout_right", "chin_lifted_left", "rushed_reps_right")
PLATED = ("good_form_right_plates", "feet_too_far_left_plates")


def concatenate(clips: Sequence[Path], out: Path) -> Path:
    """Write `clips` one after another into `out` (mp4v); they must share size and frame rate."""
    first = cv2.VideoCapture(str(clips[0]))
    fps = first.get(cv2.CAP_PROP_FPS)
    size = (int(first.get(cv2.CAP_PROP_FRAME_WIDTH)), int(first.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    first.release()
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    for clip in clips:
        capture = cv2.VideoCapture(str(clip))
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if (image.shape[1], image.shape[0]) != size:
                got = f"{image.shape[1]}x{image.shape[0]}"
                raise ValueError(f"{clip}: expected {size[0]}x{size[1]}, got {got}")
            writer.write(image)
        capture.release()
    writer.release()
    return out


def frame_count(clip: Path) -> int:
    capture = cv2.VideoCapture(str(clip))
    count = 0
    while capture.grab():
        count += 1
    capture.release()
    return count


def commands(clip: Path, model: Path, out: Path) -> dict[str, list[str]]:
    """The whole command of each variant."""
    analyze = [sys.executable, "-m", "formcheck", "analyze", str(clip), "--out", str(out),
               "--model", str(model)]
    return {"bare": [sys.executable, str(REPO / "benchmarks" / "bare_loop.py"), str(clip), str(model)],
            "analyze_no_video": [*analyze, "--no-video"], "analyze_video": analyze}


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the process and all it waited for) of one command."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    used = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    return seconds, used


def measure(clip: Path, model: Path, rounds: int) -> dict[str, dict]:
    """Seconds and CPU seconds of every run of every variant on `clip`, alternating the order each round."""
    seconds: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(clip, model, Path(tmp) / "out")
        names = list(cmds)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                wall, used = run(cmds[name])
                seconds.setdefault(name, []).append(wall)
                cpu.setdefault(name, []).append(used)
                print(f"    round {r + 1} {name:<17} {wall:6.2f} s  cpu {used:6.2f} s  "
                      f"load {os.getloadavg()[0]:.2f}", flush=True)
    out: dict[str, dict] = {}
    for name in names:
        out[name] = {"median_s": round(statistics.median(seconds[name]), 3),
                     "runs_s": [round(s, 3) for s in seconds[name]],
                     "median_cpu_s": round(statistics.median(cpu[name]), 3)}
    for name in TARGETS:
        pairs = zip(seconds["bare"], seconds[name], strict=True)
        out[name]["ratio_to_bare"] = round(out["bare"]["median_s"] / out[name]["median_s"], 3)
        out[name]["paired_ratio_to_bare"] = round(statistics.median(b / a for b, a in pairs), 3)
    return out


def peak_rss_mib(clip: Path, model: Path) -> tuple[float, float]:
    """Peak resident size (MiB) of the largest process of `analyze --no-video` on `clip`, and its seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "maxrss"
        analyze = commands(clip, model, Path(tmp) / "out")["analyze_no_video"]
        cmd = [GNU_TIME, "-f", "%M", "-o", str(usage), *analyze]
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        return round(int(usage.read_text().split()[-1]) / 1024, 1), round(time.perf_counter() - start, 1)


def clips(tmp: Path) -> dict[str, Path]:
    """The clips measured, by label."""
    sample = {name: SAMPLES / f"{name}.mp4" for name in (*PLATE_FREE, *PLATED)}
    return {"plate-free": sample["good_form_left"], "plated": sample["good_form_right_plates"],
            "plate-free long": concatenate([sample[n] for n in PLATE_FREE], tmp / "plate_free_long.mp4"),
            "plated long": concatenate([sample[n] for n in PLATED * 2], tmp / "plated_long.mp4")}


def memory(model: Path, tmp: Path) -> dict[str, dict]:
    """Peak RSS on about 1 and 5 minutes of plate-free sets joined."""
    minute = concatenate([SAMPLES / f"{n}.mp4" for n in PLATE_FREE * 2], tmp / "one_minute.mp4")
    five = concatenate([minute] * 5, tmp / "five_minutes.mp4")
    out = {}
    for label, clip in (("1 min", minute), ("5 min", five)):
        rss, seconds = peak_rss_mib(clip, model)
        out[label] = {"frames": frame_count(clip), "peak_rss_mib": rss, "seconds": seconds}
        print(f"  peak RSS {label}: {rss} MiB ({seconds} s)", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the 1 vs 5 minute peak-RSS runs")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = parser.parse_args()
    if not Path(GNU_TIME).is_file() and not args.no_memory:
        print(f"analyze_throughput: {GNU_TIME} not found (apt-get install time), or pass --no-memory",
              file=sys.stderr)
        return 2
    model = ensure_model("full")
    load_before = os.getloadavg()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        for label, clip in clips(Path(tmp)).items():
            frames = frame_count(clip)
            print(f"{label}: {clip.name}, {frames} frames", flush=True)
            results[label] = {"frames": frames, "variants": measure(clip, model, args.rounds)}
        rss = None if args.no_memory else memory(model, Path(tmp))
    report = {"rounds": args.rounds, "cpu_count": os.cpu_count(), "python": platform.python_version(),
              "mediapipe": mp.__version__, "opencv": cv2.__version__,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "targets": TARGETS, "clips": results, "peak_rss": rss}
    _print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _print(report: dict) -> None:
    for label, result in report["clips"].items():
        bare = result["variants"]["bare"]
        print(f"{label} ({result['frames']} frames): bare {bare['median_s']:.2f} s")
        for name, target in TARGETS.items():
            v = result["variants"][name]
            verdict = "met" if v["ratio_to_bare"] >= target else "MISSED"
            print(f"  {name:<17} {v['median_s']:6.2f} s  {v['ratio_to_bare']:.2f}x the bare loop "
                  f"({v['paired_ratio_to_bare']:.2f}x paired; target >= {target}x: {verdict})")
    print(f"load average (1, 5, 15 min) before {report['load_average_before']}, "
          f"after {report['load_average_after']} on {report['cpu_count']} cores")


if __name__ == "__main__":
    sys.exit(main())
