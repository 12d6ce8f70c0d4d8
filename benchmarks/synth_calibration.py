"""What the calibration benchmarks share: render and track a clip of their own once, cache both, and read a
value at a rep's lockout the way `formcheck.measure.clip` does.

`calibrate_neck.py` and `calibrate_knee_shin.py` import this (they run as scripts, so `benchmarks/` is on
the path). A cached clip is named after its parameters and the ground-truth schema, so changing either
renders it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from formcheck.pose.estimator import track_video
from formcheck.pose.landmarks import PoseTrack
from formcheck.synth import SynthParams, render_clip
from formcheck.synth.groundtruth import SCHEMA, ground_truth_path

LOCKOUT_WINDOW_MS = 250.0  # as formcheck.measure.clip.MeasureConfig.lockout_window_ms


def clip_path(name: str, params: SynthParams, cache: Path) -> Path:
    """Where a clip is cached: its name and a hash of its parameters and the ground-truth schema."""
    text = json.dumps(dataclasses.asdict(params), sort_keys=True, default=str) + SCHEMA
    return cache / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.mp4"


def ensure_clip(name: str, params: SynthParams, cache: Path, model: Path) -> tuple[dict, PoseTrack]:
    """Ground truth and landmarks of one clip, rendering and tracking it unless cached."""
    video = clip_path(name, params, cache)
    truth = ground_truth_path(video)
    if not (video.is_file() and truth.is_file()):
        print(f"  rendering {video.name}", file=sys.stderr, flush=True)
        render_clip(params, video)
    landmarks = video.with_suffix(f".{model.stem}.npz")
    if not landmarks.is_file():
        print(f"  tracking {video.name}", file=sys.stderr, flush=True)
        track_video(video, model=model).save(landmarks)
    return json.loads(truth.read_text()), PoseTrack.load(landmarks)


def lockout_window(track: PoseTrack, frame: int) -> np.ndarray:
    """(frames,) bool: the frames within `LOCKOUT_WINDOW_MS` of a true lockout frame."""
    return np.abs(track.t_ms - track.t_ms[frame]) <= LOCKOUT_WINDOW_MS
