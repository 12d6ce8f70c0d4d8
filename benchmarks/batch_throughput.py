"""Throughput of `formcheck batch --workers 2` against `formcheck analyze` on each clip in turn (issue 14).

Target: on a 2-core machine, a batch of 12 sample clips is at least 1.7x faster than analysing them one
after another.

Both sides are the real commands, in subprocesses, start-up included, writing every output (annotated.mp4
too): `python -m formcheck analyze CLIP --out DIR` twelve times in a row, and
`python -m formcheck batch FOLDER --client bench --workers 2` once, on a fresh history database. The twelve
clips are the six `sample_videos/*.mp4` plus six copies made distinct by one empty MP4 `free` box appended
(the batch skips a video whose content it has seen; the frames are the same). With `--rounds N` the two
sides alternate which goes first. The load average is recorded before and after each side: the 2 cores
are shared, and a busy second core hurts the batch more than `analyze` (which also splits each clip over
two processes). CPU seconds of every process of each side are recorded too; they move little with load.

    python benchmarks/batch_throughput.py [--rounds 1] [--json benchmarks/results/batch_throughput.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "batch_throughput.json"
TARGET = 1.7
CLIPS = 12
FREE_BOX = b"\x00\x00\x00\x08free"  # an empty top-level MP4 box: new bytes, same video
CPU_SAMPLE_S = 0.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def make_clips(folder: Path, count: int = CLIPS) -> list[Path]:
    """`count` distinct clips: the samples, then copies each with one more empty box at the end."""
    samples = sorted(SAMPLES.glob("*.mp4"))
    if not samples:
        raise SystemExit(f"no sample clips in {SAMPLES}")
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(count):
        source = samples[i % len(samples)]
        target = folder / f"{source.stem}_{i // len(samples)}.mp4"
        target.write_bytes(source.read_bytes() + FREE_BOX * (i // len(samples)))
        clips.append(target)
    return clips


def _tree_cpu_s(root: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds (user + system) of `root` and every descendant alive now, by pid."""
    parents: dict[int, int] = {}
    ticks: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    family = {root}
    for pid in sorted(parents):  # parents usually have lower pids; a second pass catches the rest
        if parents[pid] in family:
            family.add(pid)
    for pid in sorted(parents):
        if parents[pid] in family:
            family.add(pid)
    for pid in family & ticks.keys():
        seen[pid] = max(seen.get(pid, 0.0), ticks[pid])


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], sample: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one command and every process it starts: from rusage (exact, for `analyze`,
    which waits for its workers) or, with `sample`, from /proc every half second (the batch's pool lives
    under multiprocessing's fork server, which nobody waits for, so rusage misses it; a process's last
    half second may be missed too)."""
    seen: dict[int, float] = {}
    before = _children_cpu_s()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        if sample:
            _tree_cpu_s(proc.pid, seen)
        time.sleep(CPU_SAMPLE_S)
    wall = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"formcheck {' '.join(argv[:2])} failed ({proc.returncode}): {err[-800:]}")
    return wall, sum(seen.values()) if sample else _children_cpu_s() - before


def sequential(clips: list[Path], work: Path) -> dict:
    """`formcheck analyze` on each clip in turn."""
    load = os.getloadavg()
    wall = cpu = 0.0
    for i, clip in enumerate(clips):
        w, c = _run(["analyze", str(clip), "--out", str(work / f"analyze_{i}")], sample=False)
        wall, cpu = wall + w, cpu + c
    return _timed(wall, cpu, load)


def _timed(wall: float, cpu: float, load_before: tuple[float, float, float]) -> dict:
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_before": load_before,
            "load_after": os.getloadavg()}


def batch(folder: Path, work: Path, workers: int) -> dict:
    """`formcheck batch` on the folder, from a fresh database."""
    load = os.getloadavg()
    wall, cpu = _run(["batch", str(folder), "--client", "bench", "--db", str(work / "history.sqlite3"),
                      "--out", str(work / "reports"), "--workers", str(workers)], sample=True)
    sets = len(list((work / "reports").glob("*/*/*/report.json")))
    if sets != len(list(folder.glob("*.mp4"))):
        raise SystemExit(f"batch wrote {sets} reports, expected one per clip")
    return _timed(wall, cpu, load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="formcheck-batch-bench-") as tmp:
        root = Path(tmp)
        clips = make_clips(root / "clips")
        runs: dict[str, list[dict]] = {"sequential_analyze": [], "batch": []}
        for r in range(args.rounds):
            order = ["sequential_analyze", "batch"] if r % 2 == 0 else ["batch", "sequential_analyze"]
            for name in order:
                work = root / f"{name}_{r}"
                work.mkdir()
                result = (sequential(clips, work) if name == "sequential_analyze"
                          else batch(root / "clips", work, args.workers))
                runs[name].append(result)
                load = f"{result['load_before'][0]:.2f} -> {result['load_after'][0]:.2f}"
                print(f"round {r + 1} {name}: {result['wall_s']:.1f} s (load {load})", flush=True)
                shutil.rmtree(work, ignore_errors=True)
    seq = statistics.median(x["wall_s"] for x in runs["sequential_analyze"])
    bat = statistics.median(x["wall_s"] for x in runs["batch"])
    paired = statistics.median(a["wall_s"] / b["wall_s"]
                               for a, b in zip(runs["sequential_analyze"], runs["batch"], strict=True))
    report = {
        "clips": len(clips), "clip_source": "sample_videos/*.mp4 (640x360, 30 fps) and distinct copies",
        "workers": args.workers, "rounds": args.rounds, "cpu_count": os.cpu_count(),
        "python": platform.python_version(), "runs": runs,
        "median_sequential_s": seq, "median_batch_s": bat,
        "ratio": round(seq / bat, 3), "paired_ratio": round(paired, 3), "target": TARGET,
        "cpu_s_per_clip": {name: round(statistics.median(x["cpu_s"] for x in rs) / len(clips), 2)
                           for name, rs in runs.items()},
        "met": seq / bat >= TARGET, "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(clips)} clips: analyze one after another {seq:.1f} s, batch --workers {args.workers} "
          f"{bat:.1f} s -> {seq / bat:.2f}x (target >= {TARGET}x: {'met' if report['met'] else 'NOT met'})")
    cpu = report["cpu_s_per_clip"]
    print(f"CPU seconds per clip: analyze {cpu['sequential_analyze']}, batch {cpu['batch']}")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
