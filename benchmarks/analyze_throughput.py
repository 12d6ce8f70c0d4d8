"""Throughput and memory of `formcheck analyze` against a bare MediaPipe PoseLandmarker VIDEO loop (issue 6).

Targets: with `--no-video`, at least 1.3x the bare loop's frames per second; with annotated.mp4, at least
1.1x; peak memory that does not grow with the length of the video.

In one process and on the same clip, alternating the order each round, it times:
- `bare`: OpenCV decode, BGR->RGB, `mp.Image`, `detect_for_video` (one landmarker, the "full" model);
- `analyze_no_video`: `formcheck analyze CLIP --no-video --out TMP`, in-process through `formcheck.cli.main`;
- `analyze_video`: the same, drawing and encoding annotated.mp4 too.
Every variant includes creating its landmarker(s); interpreter start-up is excluded. CPU seconds count
this process and its finished children (analyze's tracking workers, ffmpeg).

Memory: `python -m formcheck analyze` runs in a subprocess on the clip and on a 3x longer concatenation;
peak RSS is read two ways: the largest single process of the tree (GNU `/usr/bin/time -f %M`, whose
wait4 covers the reaped workers; asking wait4 from this process instead would report this process's own
size, which a child inherits as its high-water mark when it is spawned from it) and the sum over the
process tree, sampled from /proc every 50 ms.

The default clip is a ~1-minute set: every `sample_videos/*.mp4` (640x360, 30 fps) concatenated with cv2.

    python benchmarks/analyze_throughput.py [CLIP] [--rounds 3] [--json benchmarks/results/...json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import mediapipe as mp

from formcheck.cli import main as formcheck_main
from formcheck.pose.models import ensure_model

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "analyze_throughput.json"
TARGETS = {"analyze_no_video": 1.3, "analyze_video": 1.1}
LONGER = 3  # the memory check's long clip is this many copies of the clip
RSS_SAMPLE_S = 0.05
GNU_TIME = "/usr/bin/time"


sys.path.insert(0, str(Path(__file__).resolve().parent))
from landmarks_throughput import bare_loop  # noqa: E402  the same bare loop both benchmarks compare with


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


def analyze(clip: Path, model: Path, *extra: str) -> None:
    """`formcheck analyze CLIP --out TMP [extra]`, in-process, its output swallowed."""
    with tempfile.TemporaryDirectory() as tmp:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = formcheck_main(["analyze", str(clip), "--out", tmp, "--model", str(model), *extra])
        if code != 0:
            raise RuntimeError(f"formcheck analyze exited {code}: {sink.getvalue()[-500:]}")


VARIANTS: dict[str, Callable[[Path, Path], None]] = {
    "bare": bare_loop,
    "analyze_no_video": lambda clip, model: analyze(clip, model, "--no-video"),
    "analyze_video": lambda clip, model: analyze(clip, model),
}


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(clip: Path, model: Path, rounds: int, frames: int) -> dict[str, dict]:
    """Seconds and CPU seconds of every run of every variant, alternating the order each round."""
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            start, start_cpu = time.perf_counter(), _cpu_s()
            VARIANTS[name](clip, model)
            seconds[name].append(time.perf_counter() - start)
            cpu[name].append(_cpu_s() - start_cpu)
            print(f"  round {r + 1} {name:<18} {seconds[name][-1]:6.2f} s  cpu {cpu[name][-1]:6.2f} s  "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    result = {}
    for name in names:
        median = statistics.median(seconds[name])
        result[name] = {"frames": frames, "median_s": round(median, 3), "fps": round(frames / median, 2),
                        "best_s": round(min(seconds[name]), 3),
                        "median_cpu_s": round(statistics.median(cpu[name]), 3),
                        "runs_s": [round(s, 3) for s in seconds[name]],
                        "runs_cpu_s": [round(s, 3) for s in cpu[name]]}
    return result


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc (0 for processes already gone)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
    return total


def peak_rss(clip: Path, model: Path, *extra: str) -> dict[str, float]:
    """Run `python -m formcheck analyze` on `clip` in a subprocess; its peak memory in MiB and its seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "maxrss"
        cmd = [GNU_TIME, "-f", "%M", "-o", str(usage), sys.executable, "-m", "formcheck", "analyze",
               str(clip), "--out", str(Path(tmp) / "out"), "--model", str(model), *extra]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak_tree, done = 0, threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(RSS_SAMPLE_S):
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        done.set()
        sampler.join()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
        return {"seconds": round(time.perf_counter() - start, 2),
                "max_process_rss_mib": round(int(usage.read_text().split()[-1]) / 1024, 1),
                "peak_tree_rss_mib": round(peak_tree / 1024, 1)}


def memory(clip: Path, model: Path, tmp: Path) -> dict[str, dict]:
    """Peak RSS on the clip and on LONGER copies of it, with and without annotated.mp4."""
    longer = concatenate([clip] * LONGER, tmp / f"x{LONGER}.mp4")
    result: dict[str, dict] = {}
    for label, extra in (("no_video", ("--no-video",)), ("video", ())):
        runs = {"x1": peak_rss(clip, model, *extra), f"x{LONGER}": peak_rss(longer, model, *extra)}
        print(f"  peak RSS {label:<8} x1 {runs['x1']}  x{LONGER} {runs[f'x{LONGER}']}", flush=True)
        result[label] = runs
    return result


def _ratios(results: dict[str, dict]) -> dict[str, float]:
    """Median fps / bare median fps; paired per round (bare s / analyze s, median over rounds); best runs."""
    out = {}
    bare = results["bare"]
    for name in TARGETS:
        pairs = zip(bare["runs_s"], results[name]["runs_s"], strict=True)
        out[f"ratio_{name}_to_bare"] = round(results[name]["fps"] / bare["fps"], 3)
        out[f"paired_ratio_{name}_to_bare"] = round(statistics.median(b / a for b, a in pairs), 3)
        out[f"best_ratio_{name}_to_bare"] = round(bare["best_s"] / results[name]["best_s"], 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", type=Path, default=None,
                        help="a video (default: all sample_videos/*.mp4 concatenated, ~1 minute)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS subprocess runs")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = parser.parse_args()
    model = ensure_model("full")
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        if args.clip is None:
            clip = concatenate(sorted(SAMPLES.glob("*.mp4")), Path(tmp) / "sample_set.mp4")
            clip_name = "sample_videos/*.mp4 concatenated"
        elif args.clip.is_file():
            clip, clip_name = args.clip.resolve(), args.clip.name
        else:
            print(f"analyze_throughput: no clip at {args.clip}", file=sys.stderr)
            return 2
        frames = frame_count(clip)
        capture = cv2.VideoCapture(str(clip))
        size = f"{int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        fps = capture.get(cv2.CAP_PROP_FPS)
        capture.release()
        print(f"{clip_name}: {frames} frames, {size}, {fps:g} fps ({frames / fps:.1f} s)", flush=True)
        load_before = os.getloadavg()
        results = measure(clip, model, args.rounds, frames)
        load_after = os.getloadavg()
        rss = None if args.no_memory else memory(clip, model, Path(tmp))
    report = {
        "clip": clip_name, "frames": frames, "size": size, "fps": fps, "rounds": args.rounds,
        "cpu_count": os.cpu_count(), "python": platform.python_version(), "mediapipe": mp.__version__,
        "opencv": cv2.__version__, "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "variants": results, **_ratios(results), "targets": TARGETS, "peak_rss": rss,
    }
    _print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _print(report: dict) -> None:
    for name, r in report["variants"].items():
        print(f"{name:<18} {r['frames']:>5} frames  {r['median_s']:>7.2f} s  {r['fps']:>7.2f} fps  "
              f"(cpu {r['median_cpu_s']:.2f} s)")
    for name, target in TARGETS.items():
        ratio = report[f"ratio_{name}_to_bare"]
        print(f"{name} / bare: {ratio:.3f}x medians, {report[f'paired_ratio_{name}_to_bare']:.3f}x paired, "
              f"{report[f'best_ratio_{name}_to_bare']:.3f}x best runs (target >= {target}x: "
              f"{'met' if ratio >= target else 'MISSED'})")
    print(f"load average (1, 5, 15 min) before {report['load_average_before']}, "
          f"after {report['load_average_after']} on {report['cpu_count']} cores")


if __name__ == "__main__":
    sys.exit(main())
