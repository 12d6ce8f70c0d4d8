"""The validation grids: clips of the renderer's randomised tune and check splits, and their render cache.

`synth.randomize.grid(split, n)` draws the clips (bodies 0-7 for `tune`, 8-23 for `check`, disjoint seeds);
`validate` reports the check split only, and the tune split is where constants fitted to renders come from
(`validate.fit`). A clip is cached under its name and a hash of its parameters and the ground-truth schema,
so re-runs reuse renders (and the tracking pass's observations, keyed further in `run.ensure_observed`);
after a change to the renderer, `formcheck validate --fresh` draws them again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from formcheck.synth.groundtruth import SCHEMA
from formcheck.synth.randomize import SPLITS, SampledClip, grid

# The tune split is where constants are fitted: its first 60 clips fitted the knee's elevation slope at
# -0.24 degrees per degree, the first 120 at -0.07 (and held out, none did better), so it is 120 clips.
DEFAULT_CLIPS = {"check": 150, "tune": 120}
MIN_CHECK_CLIPS = 120  # issue 11: the check grid has at least this many clips
# The smoke grid: clips of the split's first block chosen for what they exercise (a plate-free good clip
# filmed side-on, a refused camera), shortened to one rep at 24 fps so rendering and tracking take seconds.
QUICK_WANTED = (("good", False), ("refused", None))
QUICK_FPS = 24.0
QUICK_SEARCH = 30  # clips of the split searched for the smoke grid's picks


def build_grid(split: str = "check", n: int | None = None, *, quick: bool = False) -> list[SampledClip]:
    """The first `n` clips of a split (default `DEFAULT_CLIPS`), or the smoke grid of `QUICK_WANTED`."""
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {', '.join(SPLITS)}, got {split!r}")
    if quick:
        return quick_grid(split)
    count = DEFAULT_CLIPS[split] if n is None else n
    if count < 1:
        raise ValueError(f"clips: expected at least 1, got {count}")
    return grid(split, count)


def _wanted(clip: SampledClip, fault: str, plated: bool | None) -> bool:
    kind = clip.tags["fault"]
    if fault == "fault":
        fits = kind not in ("good", "refused", "partial_rep", "rushed_reps")
    else:
        fits = kind == fault
    side_on = kind == "refused" or clip.tags["yaw"] == "side"  # well inside the accepted band
    return fits and side_on and (plated is None or (clip.tags["plates"] != "none") == plated)


def quick_grid(split: str = "check") -> list[SampledClip]:
    """A few one-rep 24 fps clips of the split (see `QUICK_WANTED`): every stage runs, in seconds per clip."""
    pool = grid(split, QUICK_SEARCH)
    out = []
    for fault, plated in QUICK_WANTED:
        clip = next(c for c in pool if _wanted(c, fault, plated) and c not in out)
        params = dataclasses.replace(clip.params, reps=1, partial_reps=0, fps=QUICK_FPS)
        out.append(dataclasses.replace(clip, name=f"{clip.name}-quick", params=params,
                                       tags={**clip.tags, "fps": f"{QUICK_FPS:g}"}))
    return out


def clip_key(clip: SampledClip) -> str:
    """Cache key of a clip's render: a hash of its parameters and the ground-truth schema."""
    text = json.dumps(dataclasses.asdict(clip.params), sort_keys=True, default=str) + SCHEMA
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_paths(clips: list[SampledClip], cache_dir: Path) -> Iterator[tuple[SampledClip, Path]]:
    """Each clip with the video path it is (or will be) cached at."""
    for clip in clips:
        yield clip, cache_dir / f"{clip.name}-{clip_key(clip)}.mp4"
