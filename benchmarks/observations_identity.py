"""Do the tracking pass's observations stay bit for bit the same? Save them before a change, compare after.

A speed change to the tracking pass (`flows/tracking`, `plate/`, `pose/`) must not change one observation:
the validation grid's figures rest on observations cached under `TRACKING_VERSION`. This script observes
every sample video and a few cached grid clips (three with plates, three without) with
`flows.tracking.observe_video` and writes each `ObservedClip` to DIR; `compare` observes them again and
checks every saved array for exact equality (NaN where NaN, same dtype).

    python benchmarks/observations_identity.py save /tmp/obs_before
    python benchmarks/observations_identity.py compare /tmp/obs_before
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from formcheck.capture.video import open_video
from formcheck.flows.tracking import ObservedClip, TrackingOptions, observe_video
from formcheck.pose.models import ensure_model

REPO = Path(__file__).resolve().parents[1]
GRID = Path.home() / ".cache" / "formcheck" / "validate"
# Short check-split clips: the first three with plates ("plates": true in the .gt.json), three without.
GRID_CLIPS = ("check-00000-chin_crushed-418c53f6a7ec0f7f", "check-00008-incomplete_lockout-eac109b7f348ac95",
              "check-00023-good-d2a6a15b40bc91c2", "check-00019-feet_too_close-7ece3f93acd08dfe",
              "check-00028-good-8ed4395229b30641", "check-00033-feet_too_far-a2be580048e48280")


def clips() -> dict[str, Path]:
    """Every sample video, and the grid clips that are cached on this machine."""
    found = {p.stem: p for p in sorted((REPO / "sample_videos").glob("*.mp4"))}
    found.update({name: GRID / f"{name}.mp4" for name in GRID_CLIPS if (GRID / f"{name}.mp4").is_file()})
    return found


def observe(video: Path, out: Path, workers: int) -> float:
    """Observe `video` into `out` (.npz); the CPU seconds of this process and its finished children."""
    before = os.times()
    clip = observe_video(video, TrackingOptions(ensure_model("full")), workers=workers)
    after = os.times()
    info = open_video(video).info
    clip.save(out, fps=info.fps, width=info.width, height=info.height)
    return sum(after[:4]) - sum(before[:4])


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two saved clips, array by array (empty when identical)."""
    with np.load(a) as za, np.load(b) as zb:
        if set(za.files) != set(zb.files):
            return [f"arrays {sorted(za.files)} vs {sorted(zb.files)}"]
        out = []
        for name in za.files:
            x, y = za[name], zb[name]
            if x.dtype != y.dtype or x.shape != y.shape:
                out.append(f"{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
            elif not np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"):
                out.append(f"{name}: {int(np.sum(x != y))} values differ")
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, video in clips().items():
            saved = args.dir / f"{name}.npz"
            target = saved if args.action == "save" else Path(tmp) / f"{name}.npz"
            start = time.perf_counter()
            cpu = observe(video, target, args.workers)
            frames = len(ObservedClip.load(target))
            line = (f"{name:<50} {frames:5d} frames  {time.perf_counter() - start:6.1f} s  "
                    f"cpu {1000 * cpu / frames:5.1f} ms/frame")
            if args.action == "compare":
                diff = differences(saved, target)
                failed += bool(diff)
                line += "  identical" if not diff else "  DIFFERENT: " + "; ".join(diff)
            print(line, flush=True)
    if args.action == "compare":
        print("all identical" if not failed else f"{failed} clips differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
